package io.herald.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.coordinator.share.SharePartitionKey;
import io.herald.group.consumer.TopicsView;
import io.herald.group.record.ShareGroupRecord;
import io.herald.group.record.ShareGroupRecord.TopicPartitions;
import io.herald.group.share.ShareGroup;
import io.herald.group.share.ShareHeartbeatResult;
import io.herald.group.share.SharePartitionInit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * Share group membership on one {@link GroupCoordinatorShard} (manual clock, records appended to a list): joins,
 * heartbeats, epochs, the initialization of share-partitions before they are assigned, leaves, session expiry,
 * Kafka's errors and messages, and replay after a restart.
 */
class ShareGroupShardTest {
    static final GroupConfig CONFIG = ShardFixture.config(0, Integer.MAX_VALUE);
    static final Uuid T = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    static final Uuid U = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");
    static final TopicsView TOPICS = TopicsView.of(List.of(new TopicsView.TopicInfo("t", T, 4),
            new TopicsView.TopicInfo("u", U, 1)));
    static final RequestContext CTX = new RequestContext("client-1", "/127.0.0.1", (short) 1);

    private ShardFixture f = new ShardFixture(CONFIG);

    static ShareGroupHeartbeatRequestData join(String group, String member, String... topics) {
        return new ShareGroupHeartbeatRequestData().setGroupId(group).setMemberId(member).setMemberEpoch(0)
                .setSubscribedTopicNames(List.of(topics));
    }

    static ShareGroupHeartbeatRequestData beat(String group, String member, int epoch) {
        return new ShareGroupHeartbeatRequestData().setGroupId(group).setMemberId(member).setMemberEpoch(epoch);
    }

    ShareHeartbeatResult heartbeat(ShardFixture on, ShareGroupHeartbeatRequestData req) {
        return on.append(on.shard.shareGroupHeartbeat(CTX, req, TOPICS));
    }

    ShareGroupHeartbeatResponseData heartbeat(ShareGroupHeartbeatRequestData req) {
        return heartbeat(f, req).response();
    }

    /** The persister answered every initialization of {@code result}: {@code ok} ones succeeded, others failed. */
    void initialized(ShardFixture on, String group, List<SharePartitionInit> inits, boolean ok) {
        Map<Uuid, TopicPartitions> done = new TreeMap<>();
        inits.forEach(i -> done.merge(i.key().topicId(), new TopicPartitions(i.topicName(),
                Set.of(i.key().partition())), (a, b) -> {
                    Set<Integer> all = new TreeSet<>(a.partitions());
                    all.addAll(b.partitions());
                    return new TopicPartitions(b.topicName(), all);
                }));
        on.append(ok ? on.shard.shareStateInitialized(group, done, Map.of())
                : on.shard.shareStateInitialized(group, Map.of(), done));
    }

    static Map<Uuid, Set<Integer>> assignment(ShareGroupHeartbeatResponseData r) {
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        r.assignment().topicPartitions().forEach(tp -> out.put(tp.topicId(), new TreeSet<>(tp.partitions())));
        return out;
    }

    ShareGroup group(String id) {
        return f.shard.shareGroups.group(id).orElseThrow();
    }

    private static void assertError(ShareGroupHeartbeatResponseData r, Errors error, String message) {
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(error);
        assertThat(r.errorMessage()).isEqualTo(message);
    }

    // ---- joining, initialization, assignment ----

    @Test
    void aJoiningMemberGetsNothingUntilItsShareStateIsInitialized() {
        ShareHeartbeatResult first = heartbeat(f, join("g", "m1", "t"));
        assertThat(first.response().errorCode()).isZero();
        assertThat(first.response().memberEpoch()).isEqualTo(1);
        assertThat(first.response().heartbeatIntervalMs()).isEqualTo(5_000);
        assertThat(assignment(first.response())).as("nothing is initialized yet").isEmpty();
        assertThat(first.initializations()).extracting(SharePartitionInit::key).containsExactly(
                new SharePartitionKey("g", T, 0), new SharePartitionKey("g", T, 1), new SharePartitionKey("g", T, 2),
                new SharePartitionKey("g", T, 3));
        assertThat(first.initializations()).allSatisfy(i -> {
            assertThat(i.stateEpoch()).as("the group epoch").isEqualTo(1);
            assertThat(i.startOffset()).as("the leader places it by share.auto.offset.reset").isEqualTo(-1);
        });
        assertThat(group("g").statePartitions().initializing()).containsOnlyKeys(T);
        // A heartbeat meanwhile does not initialize them twice.
        assertThat(heartbeat(f, beat("g", "m1", 1)).initializations()).isEmpty();

        initialized(f, "g", first.initializations(), true);
        assertThat(group("g").initializedPartitions()).isEqualTo(Map.of(T, Set.of(0, 1, 2, 3)));
        ShareGroupHeartbeatResponseData next = heartbeat(beat("g", "m1", 1));
        assertThat(next.memberEpoch()).as("the initialized partitions bump the group epoch").isEqualTo(2);
        assertThat(assignment(next)).isEqualTo(Map.of(T, Set.of(0, 1, 2, 3)));
        assertThat(heartbeat(beat("g", "m1", 2)).assignment()).as("unchanged: not sent again").isNull();
    }

    @Test
    void eightMembersOfAOnePartitionTopicAllGetThatPartition() {
        List<SharePartitionInit> inits = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            inits.addAll(heartbeat(f, join("g", "m" + i, "u")).initializations());
        }
        assertThat(inits).hasSize(1);
        initialized(f, "g", inits, true);
        for (int i = 0; i < 8; i++) {
            ShareGroupHeartbeatResponseData r = heartbeat(beat("g", "m" + i, group("g").member("m" + i).orElseThrow()
                    .current().memberEpoch()));
            assertThat(r.errorCode()).isZero();
        }
        group("g").members().values().forEach(m -> assertThat(m.current().assigned())
                .as(m.memberId()).isEqualTo(Map.of(U, Set.of(0))));
    }

    @Test
    void aFailedInitializationIsTriedAgainByTheNextHeartbeat() {
        ShareHeartbeatResult first = heartbeat(f, join("g", "m1", "u"));
        initialized(f, "g", first.initializations(), false);
        assertThat(group("g").statePartitions().initializing()).isEmpty();
        ShareHeartbeatResult retry = heartbeat(f, beat("g", "m1", 1));
        assertThat(retry.initializations()).extracting(SharePartitionInit::key)
                .containsExactly(new SharePartitionKey("g", U, 0));
        assertThat(retry.response().assignment()).isNull();
    }

    @Test
    void anInitializationNeverAnsweredIsTriedAgainAfterTheRetryInterval() {
        heartbeat(f, join("g", "m1", "u"));
        f.clock.advance(29_000);
        assertThat(heartbeat(f, beat("g", "m1", 1)).initializations()).as("still initializing").isEmpty();
        f.clock.advance(1_000);
        assertThat(heartbeat(f, beat("g", "m1", 1)).initializations()).as("presumed lost").hasSize(1);
    }

    @Test
    void newPartitionsOfASubscribedTopicAreInitializedToo() {
        ShareHeartbeatResult first = heartbeat(f, join("g", "m1", "u"));
        initialized(f, "g", first.initializations(), true);
        TopicsView grown = TopicsView.of(List.of(new TopicsView.TopicInfo("u", U, 3)));
        ShareHeartbeatResult after = f.append(f.shard.shareGroupHeartbeat(CTX, beat("g", "m1", 1), grown));
        assertThat(after.initializations()).extracting(i -> i.key().partition()).containsExactly(1, 2);
    }

    @Test
    void aResubscriptionMovesTheMemberOnAtOnce() {
        ShareHeartbeatResult first = heartbeat(f, join("g", "m1", "t", "u"));
        initialized(f, "g", first.initializations(), true);
        ShareGroupHeartbeatResponseData both = heartbeat(beat("g", "m1", 1));
        assertThat(assignment(both)).containsOnlyKeys(T, U);
        ShareGroupHeartbeatResponseData onlyU = heartbeat(beat("g", "m1", both.memberEpoch())
                .setSubscribedTopicNames(List.of("u")));
        assertThat(onlyU.memberEpoch()).isEqualTo(both.memberEpoch() + 1);
        assertThat(assignment(onlyU)).isEqualTo(Map.of(U, Set.of(0)));
    }

    // ---- leaving, expiry ----

    @Test
    void aLeavingMemberIsRemovedAndTheGroupEpochMoves() {
        heartbeat(f, join("g", "m1", "u"));
        heartbeat(f, join("g", "m2", "u"));
        int epoch = group("g").groupEpoch();
        ShareGroupHeartbeatResponseData left = heartbeat(beat("g", "m1", -1));
        assertThat(left.errorCode()).isZero();
        assertThat(left.memberId()).isEqualTo("m1");
        assertThat(left.memberEpoch()).isEqualTo(-1);
        assertThat(group("g").members()).containsOnlyKeys("m2");
        assertThat(group("g").groupEpoch()).isEqualTo(epoch + 1);
        heartbeat(beat("g", "m2", group("g").member("m2").orElseThrow().current().memberEpoch()));
        heartbeat(beat("g", "m2", -1));
        assertThat(group("g").state()).isEqualTo(ShareGroup.State.EMPTY);
    }

    @Test
    void aSilentMemberIsFencedAfterItsSessionTimeout() {
        heartbeat(f, join("g", "m1", "u"));
        heartbeat(f, join("g", "m2", "u"));
        for (int i = 0; i < 10; i++) {
            f.clock.advance(5_000);
            heartbeat(beat("g", "m2", group("g").member("m2").orElseThrow().current().memberEpoch()));
        }
        assertThat(group("g").members()).as("m1 silent for 50 s > 45 s").containsOnlyKeys("m2");
        assertError(heartbeat(beat("g", "m1", 1)), Errors.UNKNOWN_MEMBER_ID, "Member m1 is not a member of group g.");
    }

    @Test
    void aRestartReplaysTheSameGroupAndRearmsTheSessions() {
        ShareHeartbeatResult first = heartbeat(f, join("g", "m1", "t"));
        heartbeat(f, join("g", "m2", "t", "u"));
        initialized(f, "g", first.initializations(), true);
        ShareGroupHeartbeatResponseData r = heartbeat(beat("g", "m1", 1));
        ShareGroupDescribeResponseData.DescribedGroup before = f.shard.shareGroupDescribe("g", TOPICS);

        ShardFixture restarted = f.restarted(CONFIG);
        assertThat(restarted.shard.shareGroupDescribe("g", TOPICS)).isEqualTo(before);
        assertThat(restarted.shard.shareGroups.group("g").orElseThrow().statePartitions())
                .isEqualTo(group("g").statePartitions());
        f = restarted;
        f.clock.advance(40_000);
        assertThat(heartbeat(beat("g", "m1", r.memberEpoch())).errorCode()).isZero();
        f.clock.advance(5_000);
        assertThat(group("g").members()).as("m2's session re-armed at load, and expired").containsOnlyKeys("m1");
    }

    // ---- errors ----

    @Test
    void invalidRequestsAnswerKafkasMessages() {
        assertError(heartbeat(join("g", "", "t")), Errors.INVALID_REQUEST, "Invalid member id in the request.");
        assertError(heartbeat(join("g", "x".repeat(37), "t")), Errors.INVALID_REQUEST,
                "Invalid member id in the request.");
        assertError(heartbeat(join("g", "   ", "t")), Errors.INVALID_REQUEST, "MemberId can't be empty.");
        assertError(heartbeat(join("", "m", "t")), Errors.INVALID_REQUEST, "GroupId can't be empty.");
        assertError(heartbeat(join("g", "m", "t").setRackId(" ")), Errors.INVALID_REQUEST, "RackId can't be empty.");
        assertError(heartbeat(join("g", "m")), Errors.INVALID_REQUEST,
                "SubscribedTopicNames must be set in first request.");
        assertError(heartbeat(beat("g", "m", -2)), Errors.INVALID_REQUEST, "MemberEpoch is invalid.");
        assertThat(f.log).as("errors leave no trace").isEmpty();
    }

    @Test
    void unknownGroupsMembersAndEpochsAnswerKafkasErrors() {
        assertError(heartbeat(beat("g", "m1", 1)), Errors.GROUP_ID_NOT_FOUND, "Share group g not found.");
        assertError(heartbeat(beat("g", "m1", -1)), Errors.GROUP_ID_NOT_FOUND, "Group g not found.");
        heartbeat(join("g", "m1", "t"));
        heartbeat(beat("g", "m1", 1).setSubscribedTopicNames(List.of("u"))); // epoch 2, previous 1
        int size = f.log.size();
        assertError(heartbeat(beat("g", "m2", 1)), Errors.UNKNOWN_MEMBER_ID, "Member m2 is not a member of group g.");
        assertError(heartbeat(beat("g", "m2", -1)), Errors.UNKNOWN_MEMBER_ID, "Member m2 is not a member of group g.");
        assertError(heartbeat(beat("g", "m1", 3)), Errors.FENCED_MEMBER_EPOCH, "The share group member has a greater "
                + "member epoch (3) than the one known by the group coordinator (2). The member must abandon all its "
                + "partitions and rejoin.");
        assertError(heartbeat(beat("g", "m1", 0).setSubscribedTopicNames(null)), Errors.INVALID_REQUEST,
                "SubscribedTopicNames must be set in first request.");
        assertThat(f.log).hasSize(size);
        // The previous epoch is accepted (the answer that moved the member on may be lost), older ones are not.
        assertThat(heartbeat(beat("g", "m1", 1)).errorCode()).isZero();
        heartbeat(beat("g", "m1", 2).setSubscribedTopicNames(List.of("t")));
        assertError(heartbeat(beat("g", "m1", 1)), Errors.FENCED_MEMBER_EPOCH, "The share group member has a smaller "
                + "member epoch (1) than the one known by the group coordinator (3), and it does not match the "
                + "previous member epoch (2). The member must abandon all its partitions and rejoin.");
    }

    @Test
    void aRejoiningMemberKeepsItsEpochAndGetsItsAssignment() {
        ShareHeartbeatResult first = heartbeat(f, join("g", "m1", "u"));
        initialized(f, "g", first.initializations(), true);
        ShareGroupHeartbeatResponseData assigned = heartbeat(beat("g", "m1", 1));
        ShareGroupHeartbeatResponseData rejoined = heartbeat(join("g", "m1", "u"));
        assertThat(rejoined.memberEpoch()).as("epochs only grow").isEqualTo(assigned.memberEpoch());
        assertThat(assignment(rejoined)).isEqualTo(Map.of(U, Set.of(0)));
    }

    @Test
    void aFullGroupRefusesNewMembersButNotItsOwn() {
        for (int i = 0; i < 10; i++) {
            assertThat(heartbeat(join("g", "m" + i, "u")).errorCode()).isZero();
        }
        assertError(heartbeat(join("g", "m10", "u")), Errors.GROUP_MAX_SIZE_REACHED,
                "The share group has reached its maximum capacity of 10 members.");
        assertThat(heartbeat(join("g", "m0", "u")).errorCode()).isZero();
    }

    @Test
    void theRecordsOfAHeartbeatRoundTripThroughTheSerde() {
        heartbeat(f, join("g", "m1", "t", "u").setRackId("r1"));
        assertThat(f.log).isNotEmpty().allSatisfy(r -> {
            assertThat(r).isInstanceOf(ShareGroupRecord.class);
            var serde = io.herald.group.record.GroupCoordinatorRecordSerde.INSTANCE;
            byte[] value = serde.value(r);
            assertThat(serde.decode(java.nio.ByteBuffer.wrap(serde.key(r)),
                    value == null ? null : java.nio.ByteBuffer.wrap(value))).contains(r);
        });
    }
}
