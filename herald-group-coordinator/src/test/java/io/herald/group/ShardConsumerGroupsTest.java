package io.herald.group;

import io.herald.group.classic.ClassicGroupManager;
import io.herald.group.classic.GroupState;
import io.herald.group.offsets.OffsetAndMetadata;
import io.herald.group.record.GroupCoordinatorRecord;
import io.herald.group.record.GroupRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.group.record.ConsumerGroupRecord;
import io.herald.group.consumer.TopicsView;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.StaleMemberEpochException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * The KIP-848 consumer groups wired into {@link GroupCoordinatorShard}: persistence and replay beside the classic
 * records, timers, and the rule that a group id is either classic or consumer.
 */
class ShardConsumerGroupsTest {
    private static final GroupConfig CONFIG = ShardFixture.config(0, Integer.MAX_VALUE);
    private static final TopicsView TOPICS = TopicsView.of(List.of(
            new TopicsView.TopicInfo("t", Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ"), 4)));
    private static final RequestContext CTX = new RequestContext("client", "/127.0.0.1", (short) 1);

    private final ShardFixture fixture = new ShardFixture(CONFIG);

    private static ConsumerGroupHeartbeatRequestData join(String group, String memberId) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of());
    }

    private ConsumerGroupHeartbeatResponseData heartbeat(ShardFixture f, ConsumerGroupHeartbeatRequestData req) {
        return f.append(f.shard.consumerGroupHeartbeat(CTX, req, TOPICS));
    }

    private static OffsetCommitRequestData commit(String group, String memberId, int epoch) {
        var topic = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t");
        topic.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                .setCommittedOffset(42));
        return new OffsetCommitRequestData().setGroupId(group).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(epoch).setTopics(List.of(topic));
    }

    private Errors doCommit(OffsetCommitRequestData req, short version) {
        return Errors.forCode(fixture.run(() -> fixture.shard.offsets.commit(new RequestContext("c", "/h", version),
                req, tp -> true)).topics().get(0).partitions().get(0).errorCode());
    }

    @Test
    void joiningMemberCreatesAConsumerGroupThatSurvivesARestart() {
        ConsumerGroupHeartbeatResponseData r = heartbeat(fixture, join("g", "m1"));
        assertThat(r.errorCode()).isZero();
        assertThat(r.memberEpoch()).isEqualTo(1);
        assertThat(r.assignment().topicPartitions()).hasSize(1);
        assertThat(fixture.consumerGroupLog()).isNotEmpty();
        assertThat(doCommit(commit("g", "m1", 1), (short) 9)).isEqualTo(Errors.NONE);

        ShardFixture restarted = fixture.restarted(CONFIG);
        assertThat(restarted.shard.consumerGroups.group("g")).hasValueSatisfying(g -> {
            assertThat(g.groupEpoch()).isEqualTo(1);
            assertThat(g.member("m1")).isPresent();
        });
        assertThat(restarted.shard.classic.group("g")).as("offsets must not create a classic group").isEmpty();
        assertThat(restarted.shard.offsets.committed("g")).containsKey(new TopicPartition("t", 0));
        // The member heartbeats on at its epoch.
        ConsumerGroupHeartbeatResponseData again = heartbeat(restarted, new ConsumerGroupHeartbeatRequestData()
                .setGroupId("g").setMemberId("m1").setMemberEpoch(1));
        assertThat(again.errorCode()).isZero();
        assertThat(again.memberEpoch()).isEqualTo(1);
    }

    @Test
    void offsetsReplayedBeforeTheGroupsRecordsDoNotCreateAClassicGroup() {
        heartbeat(fixture, join("g", "m1"));
        doCommit(commit("g", "m1", 1), (short) 9);
        // Compaction can leave the offsets ahead of the group's records in the log.
        List<GroupCoordinatorRecord> reordered = new java.util.ArrayList<>(fixture.log);
        reordered.sort(java.util.Comparator.comparing(r -> r instanceof ConsumerGroupRecord));
        ShardFixture next = ShardFixture.loadedFrom(CONFIG, reordered);
        assertThat(next.shard.classic.group("g")).isEmpty();
        assertThat(next.shard.consumerGroups.exists("g")).isTrue();
    }

    @Test
    void offsetCommitsOfMembersAreCheckedAgainstTheMemberEpoch() {
        heartbeat(fixture, join("g", "m1"));
        assertThat(doCommit(commit("g", "m1", 1), (short) 9)).isEqualTo(Errors.NONE);
        assertThat(doCommit(commit("g", "m1", 0), (short) 9)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(doCommit(commit("g", "nobody", 1), (short) 9)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(doCommit(commit("g", "m1", 1), (short) 8)).isEqualTo(Errors.UNSUPPORTED_VERSION);
        // Admin-style commits (no member, epoch -1) only while the group has no members.
        assertThat(doCommit(commit("g", "", -1), (short) 9)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(fixture.shard.classic.group("g")).isEmpty();

        assertThat(fixture.shard.committedOffsets("g", "m1", 1).offsets()).containsKey(new TopicPartition("t", 0));
        assertThat(fixture.shard.committedOffsets("g", null, -1).offsets()).containsKey(new TopicPartition("t", 0));
        assertThatThrownBy(() -> fixture.shard.committedOffsets("g", "m1", 7)).isInstanceOf(StaleMemberEpochException.class);
    }

    @Test
    void sessionTimeoutRemovesASilentMemberThroughTheCoordinatorTimer() {
        heartbeat(fixture, join("g", "m1"));
        fixture.clock.advance(CONFIG.consumer().sessionTimeoutMs() - 1);
        assertThat(fixture.shard.consumerGroups.group("g").orElseThrow().members()).containsKey("m1");
        int logged = fixture.consumerGroupLog().size();
        fixture.clock.advance(2);
        assertThat(fixture.shard.consumerGroups.group("g").orElseThrow().members()).isEmpty();
        assertThat(fixture.consumerGroupLog().size()).as("the removal is persisted").isGreaterThan(logged);
    }

    @Test
    void offsetsOfTopicsNoMemberSubscribesToExpireAfterTheRetention() {
        GroupConfig d = CONFIG;
        long retentionMs = 10_000; // shorter than the session timeout, so the member stays while offsets expire
        GroupConfig config = new GroupConfig(d.offsetsTopicPartitions(), d.offsetsTopicSegmentBytes(),
                d.offsetsTopicReplicationFactor(), d.initialRebalanceDelayMs(), d.minSessionTimeoutMs(), d.maxSessionTimeoutMs(), d.maxSize(),
                retentionMs, d.retentionCheckIntervalMs(), d.offsetMetadataMaxBytes(), d.offsetsCommitTimeoutMs(),
                d.newMemberJoinTimeoutMs(),
                d.consumer(), d.consumerBounds(), d.share());
        ShardFixture f = new ShardFixture(config);
        heartbeat(f, join("g", "m1"));
        OffsetCommitRequestData req = commit("g", "m1", 1);
        req.setTopics(new java.util.ArrayList<>(req.topics()));
        req.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("gone").setPartitions(
                List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                        .setCommittedOffset(7))));
        f.run(() -> f.shard.offsets.commit(new RequestContext("c", "/h", (short) 9), req, tp -> true));

        f.clock.advance(retentionMs - 1);
        assertThat(f.run(() -> f.shard.offsets.expireOffsets())).isZero();
        f.clock.advance(1);
        // "t" is the member's subscription and stays; nobody subscribes to "gone" any more.
        assertThat(f.run(() -> f.shard.offsets.expireOffsets())).isEqualTo(1);
        assertThat(f.shard.offsets.committed("g")).containsOnlyKeys(new TopicPartition("t", 0));
        assertThat(f.restarted(config).shard.offsets.committed("g")).containsOnlyKeys(new TopicPartition("t", 0));
    }

    @Test
    void aGroupIdIsEitherClassicOrConsumer() {
        heartbeat(fixture, join("g", "m1"));
        CompletableFuture<JoinGroupResponseData> refused = new CompletableFuture<>();
        fixture.append(fixture.shard.joinGroup(new RequestContext("c", "/h", (short) 9),
                ShardFixture.joinRequest("g", "", null, "range", new byte[]{1}), refused));
        assertThat(Errors.forCode(refused.join().errorCode())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);

        // DescribeGroups knows only classic groups; ListGroups shows both types.
        var described = fixture.shard.admin.describe("g", (short) 6);
        assertThat(Errors.forCode(described.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(described.errorMessage()).contains("not a classic group");
        String classicMember = fixture.join("classic", "").join().memberId();
        fixture.join("classic", classicMember);
        fixture.clock.runDue();
        assertThat(fixture.shard.classic.group("classic").orElseThrow().isInState(GroupState.EMPTY)).isFalse();
        assertThat(fixture.shard.admin.list(List.of(), List.of()))
                .anySatisfy(l -> assertThat(l.groupId() + "/" + l.groupType() + "/" + l.protocolType())
                        .isEqualTo("g/consumer/consumer"))
                .anySatisfy(l -> assertThat(l.groupId() + "/" + l.groupType()).isEqualTo("classic/classic"));
        assertThat(fixture.shard.admin.list(List.of(), List.of("consumer"))).extracting(l -> l.groupId())
                .containsExactly("g");
        // A consumer heartbeat on a live classic group is refused as Kafka does.
        assertThat(Errors.forCode(heartbeat(fixture, join("classic", "x")).errorCode()))
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(fixture.append(fixture.shard.deleteGroup("g")).errorCode()).isEqualTo(Errors.NON_EMPTY_GROUP.code());
    }

    @Test
    void emptyGroupsChangeTypeAndKeepTheirOffsets() {
        // A simple (offsets-only) classic group becomes a consumer group when a member joins with the new protocol.
        fixture.shard.store.replay(new GroupRecord.OffsetCommit("g", "t", 0, Optional.of(
                new OffsetAndMetadata(5, -1, "", 1, OptionalLong.empty()))));
        fixture.shard.classic.getOrCreate("g");
        assertThat(heartbeat(fixture, join("g", "m1")).errorCode()).isZero();
        assertThat(fixture.shard.classic.group("g")).isEmpty();
        assertThat(fixture.shard.offsets.committed("g")).containsKey(new TopicPartition("t", 0));

        // Once empty, a classic JoinGroup turns it back into a classic group.
        heartbeat(fixture, new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("m1")
                .setMemberEpoch(-1));
        CompletableFuture<JoinGroupResponseData> joined = new CompletableFuture<>();
        fixture.append(fixture.shard.joinGroup(new RequestContext("c", "/h", (short) 9),
                ShardFixture.joinRequest("g", "", null, "range", new byte[]{1}), joined));
        assertThat(Errors.forCode(joined.join().errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(fixture.shard.consumerGroups.exists("g")).isFalse();
        assertThat(fixture.shard.classic.group("g")).isPresent();
        assertThat(fixture.shard.offsets.committed("g")).containsKey(new TopicPartition("t", 0));
    }

    @Test
    void deletingAnEmptyConsumerGroupDeletesItsOffsets() {
        heartbeat(fixture, join("g", "m1"));
        doCommit(commit("g", "m1", 1), (short) 9);
        heartbeat(fixture, new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("m1")
                .setMemberEpoch(-1));
        assertThat(fixture.append(fixture.shard.deleteGroup("g")).errorCode()).isZero();
        assertThat(fixture.shard.consumerGroups.exists("g")).isFalse();
        assertThat(fixture.shard.offsets.committed("g")).isEmpty();
        ShardFixture restarted = fixture.restarted(CONFIG);
        assertThat(restarted.shard.consumerGroups.exists("g")).isFalse();
        assertThat(restarted.shard.classic.group("g")).isEmpty();
        assertThat(fixture.consumerGroupLog()).last().isInstanceOf(ConsumerGroupRecord.class);
    }

    @Test
    void unloadingAnswersParkedRequestsAndWritesNothing() {
        ShardFixture f = new ShardFixture(ShardFixture.config(60_000, Integer.MAX_VALUE));
        assertThat(heartbeat(f, join("cg", "m1")).errorCode()).isZero();
        CompletableFuture<JoinGroupResponseData> parked = f.join(
                ShardFixture.joinRequest("classic", "", null, "range", new byte[]{1}), (short) 3);
        assertThat(parked).isNotDone();
        assertThat(f.clock.isScheduled(ClassicGroupManager.joinKey("classic"))).isTrue();
        int logged = f.log.size();

        f.shard.onUnloaded();

        assertThat(parked).isCompletedWithValueMatching(r -> r.errorCode() == Errors.NOT_COORDINATOR.code());
        assertThat(f.shard.written(null).records()).as("unloading writes nothing").isEmpty();
        assertThat(f.log).hasSize(logged);
    }
}
