package io.herald.group.consumer;

import static io.herald.group.consumer.ShardHarness.GROUP;
import static io.herald.group.consumer.ShardHarness.beat;
import static io.herald.group.consumer.ShardHarness.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.group.config.ConsumerGroupSettings;
import io.herald.group.record.ConsumerGroupRecord.GroupEpoch;
import io.herald.group.record.ConsumerGroupRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsumerGroupCoordinatorShardTest {

    private final ShardHarness h = new ShardHarness();
    private final Uuid foo = h.createTopic("foo", 6);

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void membersJoiningOneByOneConvergeToDisjointAssignmentsCoveringAllPartitions(int members) {
        List<SimulatedConsumer> consumers = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            consumers.add(new SimulatedConsumer("m" + i, "foo"));
            converge(consumers);
        }

        Set<Integer> covered = new HashSet<>();
        for (SimulatedConsumer c : consumers) {
            Set<Integer> mine = c.owned.getOrDefault(foo, Set.of());
            assertThat(mine).hasSize(6 / members);
            mine.forEach(p -> assertThat(covered.add(p)).as("partition %d owned twice", p).isTrue());
            assertThat(h.current(c.memberId).state()).isEqualTo(MemberState.STABLE);
            assertThat(c.epoch).isEqualTo(h.group().groupEpoch());
        }
        assertThat(covered).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
        assertThat(h.describe().groupState()).isEqualTo("Stable");
    }

    @Test
    void firstJoinCreatesTheGroupAtEpochOneWithTheWholeTopic() {
        ConsumerGroupHeartbeatResponseData response = h.heartbeat(join("m1", "foo"));

        assertThat(response.errorCode()).isZero();
        assertThat(response.memberId()).isEqualTo("m1");
        assertThat(response.memberEpoch()).isEqualTo(1);
        assertThat(response.heartbeatIntervalMs()).isEqualTo(5000);
        assertThat(ShardHarness.fromResponse(response.assignment())).isEqualTo(Map.of(foo, Set.of(0, 1, 2, 3, 4, 5)));
    }

    @Test
    void partitionMovesOnlyAfterItsOwnerRevokedIt() {
        SimulatedConsumer a = new SimulatedConsumer("a", "foo");
        a.heartbeat(h);
        ConsumerGroupHeartbeatResponseData joinB = h.heartbeat(join("b", "foo"));
        assertThat(joinB.memberEpoch()).isEqualTo(2);
        assertThat(ShardHarness.fromResponse(joinB.assignment())).as("nothing is free yet").isEmpty();
        assertThat(h.current("b").state()).isEqualTo(MemberState.UNRELEASED_PARTITIONS);

        // a learns it must give up three partitions but has not yet done so.
        ConsumerGroupHeartbeatResponseData toA = h.heartbeat(beat("a", 1, a.owned));
        assertThat(toA.memberEpoch()).as("a keeps its epoch until it revokes").isEqualTo(1);
        assertThat(h.current("a").state()).isEqualTo(MemberState.UNREVOKED_PARTITIONS);
        h.heartbeat(beat("b", 2, Map.of()));
        assertThat(h.current("b").assigned()).as("still held by a").isEmpty();

        // a revokes: it reports only the partitions it keeps.
        Map<Uuid, Set<Integer>> kept = ShardHarness.fromResponse(toA.assignment());
        ConsumerGroupHeartbeatResponseData acked = h.heartbeat(beat("a", 1, kept));
        assertThat(acked.memberEpoch()).isEqualTo(2);
        ConsumerGroupHeartbeatResponseData toB = h.heartbeat(beat("b", 2, Map.of()));
        assertThat(ShardHarness.fromResponse(toB.assignment()).get(foo)).hasSize(3).doesNotContainAnyElementsOf(kept.get(foo));
        assertThat(h.describe().groupState()).isEqualTo("Stable");
    }

    @Test
    void staleOrFutureEpochIsFenced() {
        h.heartbeat(join("a", "foo"));
        h.heartbeat(join("b", "foo"));

        assertThat(error(h.heartbeat(beat("a", 5, Map.of())))).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
        // b is at epoch 2; epoch 1 was never b's previous epoch.
        assertThat(error(h.heartbeat(beat("b", 1, Map.of())))).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
    }

    @Test
    void previousEpochIsAcceptedWhenTheResponseWasLost() {
        SimulatedConsumer a = new SimulatedConsumer("a", "foo");
        a.heartbeat(h);
        h.heartbeat(join("b", "foo"));
        Map<Uuid, Set<Integer>> kept = ShardHarness.fromResponse(h.heartbeat(beat("a", 1, a.owned)).assignment());
        h.heartbeat(beat("a", 1, kept)); // a moves to epoch 2; pretend this response is lost

        ConsumerGroupHeartbeatResponseData retry = h.heartbeat(beat("a", 1, kept));

        assertThat(error(retry)).isEqualTo(Errors.NONE);
        assertThat(retry.memberEpoch()).isEqualTo(2);
    }

    @Test
    void unknownMemberAndUnknownGroupAreRefused() {
        assertThat(error(h.heartbeat(beat("ghost", 3, Map.of())))).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        h.heartbeat(join("a", "foo"));

        ConsumerGroupHeartbeatResponseData response = h.heartbeat(beat("ghost", 1, Map.of()));

        assertThat(error(response)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(response.errorMessage()).isEqualTo("Member ghost is not a member of group grp.");
    }

    @Test
    void classicGroupWithTheSameIdIsNotAConsumerGroup() {
        h.classicGroups.add(GROUP);

        ConsumerGroupHeartbeatResponseData response = h.heartbeat(join("a", "foo"));

        assertThat(error(response)).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(response.errorMessage()).isEqualTo("Group grp is not a consumer group.");
        assertThat(h.shard.describe(GROUP, h.view()).response().errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(h.log).isEmpty();
    }

    @Test
    void invalidRequestsGetKafkasMessages() {
        assertInvalid(r -> r.setMemberId(""), "MemberId can't be empty.");
        assertInvalid(r -> r.setGroupId("  "), "GroupId can't be empty.");
        assertInvalid(r -> r.setRebalanceTimeoutMs(-1), "RebalanceTimeoutMs must be provided in first request.");
        assertInvalid(r -> r.setTopicPartitions(null), "TopicPartitions must be empty when (re-)joining.");
        assertInvalid(r -> r.setSubscribedTopicNames(null),
                "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.");
        assertInvalid(r -> r.setInstanceId(""), "InstanceId can't be empty.");
        assertInvalid(r -> r.setRackId(""), "RackId can't be empty.");
        assertInvalid(r -> r.setMemberEpoch(-2), "InstanceId can't be null.");
        assertInvalid(r -> r.setMemberEpoch(-3), "MemberEpoch is invalid.");
        assertThat(h.log).isEmpty();
    }

    @Test
    void unknownServerAssignorIsUnsupported() {
        ConsumerGroupHeartbeatResponseData response = h.heartbeat(join("a", "foo").setServerAssignor("sticky"));

        assertThat(error(response)).isEqualTo(Errors.UNSUPPORTED_ASSIGNOR);
        assertThat(response.errorMessage())
                .isEqualTo("ServerAssignor sticky is not supported. Supported assignors: uniform, range.");
    }

    @Test
    void invalidRegexIsRefused() {
        ConsumerGroupHeartbeatResponseData response = h.heartbeat(join("a").setSubscribedTopicNames(null)
                .setSubscribedTopicRegex("["));

        assertThat(error(response)).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
    }

    @Test
    void regexSubscriptionFollowsNewTopics() {
        ConsumerGroupHeartbeatResponseData first = h.heartbeat(join("a").setSubscribedTopicNames(null)
                .setSubscribedTopicRegex("fo.*"));
        assertThat(ShardHarness.fromResponse(first.assignment())).containsOnlyKeys(foo);

        Uuid fox = h.createTopic("fox", 2);
        h.createTopic("bar", 2);
        ConsumerGroupHeartbeatResponseData next = h.heartbeat(beat("a", 1, ShardHarness.fromResponse(first.assignment())));

        assertThat(next.memberEpoch()).isEqualTo(2);
        assertThat(ShardHarness.fromResponse(next.assignment())).containsOnlyKeys(foo, fox);
    }

    @Test
    void rangeAssignorIsUsedWhenMembersAskForIt() {
        h.heartbeat(join("a", "foo").setServerAssignor("range"));
        h.heartbeat(join("b", "foo").setServerAssignor("range"));

        assertThat(h.describe().assignorName()).isEqualTo("range");
        assertThat(h.group().member("a").orElseThrow().target()).isEqualTo(Map.of(foo, Set.of(0, 1, 2)));
        assertThat(h.group().member("b").orElseThrow().target()).isEqualTo(Map.of(foo, Set.of(3, 4, 5)));
    }

    @Test
    void partitionCountIncreaseBumpsTheGroupEpoch() {
        SimulatedConsumer a = new SimulatedConsumer("a", "foo");
        a.heartbeat(h);
        h.addPartitions("foo", 8);

        a.heartbeat(h);

        assertThat(a.epoch).isEqualTo(2);
        assertThat(a.owned.get(foo)).hasSize(8);
    }

    @Test
    void groupMaxSizeIsEnforced() {
        ShardHarness small = new ShardHarness(new ConsumerGroupConfig(45_000, 5_000, 1, "uniform"));
        small.createTopic("foo", 1);
        small.heartbeat(join("a", "foo"));

        ConsumerGroupHeartbeatResponseData response = small.heartbeat(join("b", "foo"));

        assertThat(error(response)).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
    }

    @Test
    void leavingRemovesTheMemberAndBumpsTheEpoch() {
        h.heartbeat(join("a", "foo"));
        h.heartbeat(join("b", "foo"));

        ConsumerGroupHeartbeatResponseData response = h.heartbeat(new ConsumerGroupHeartbeatRequestData()
                .setGroupId(GROUP).setMemberId("b").setMemberEpoch(-1));

        assertThat(response.memberEpoch()).isEqualTo(-1);
        assertThat(h.group().members()).containsOnlyKeys("a");
        assertThat(h.group().groupEpoch()).isEqualTo(3);
    }

    @Test
    void sessionTimeoutRemovesASilentMember() {
        h.heartbeat(join("a", "foo"));
        h.nowMs += 30_000;
        h.heartbeat(join("b", "foo"));
        assertThat(h.shard.nextDeadlineMs()).contains(h.nowMs + 15_000);

        h.nowMs += 15_000;
        h.onTimer();

        assertThat(h.group().members()).containsOnlyKeys("b");
        assertThat(h.group().owner(foo, 0)).isEmpty().as("a's partitions are released");
    }

    /** A group's dynamic consumer.session.timeout.ms and consumer.heartbeat.interval.ms apply at its next heartbeat. */
    @Test
    void aGroupsOwnSessionTimeoutAndHeartbeatIntervalApply() {
        Map<String, ConsumerGroupSettings> dynamic = new HashMap<>();
        ConsumerGroupSettings broker = new ConsumerGroupSettings(45_000, 5_000);
        ShardHarness custom = new ShardHarness(ConsumerGroupConfig.DEFAULT,
                groupId -> dynamic.getOrDefault(groupId, broker));
        custom.createTopic("foo", 2);
        assertThat(custom.heartbeat(join("a", "foo")).heartbeatIntervalMs()).isEqualTo(5_000);

        dynamic.put(GROUP, new ConsumerGroupSettings(20_000, 2_000));
        ConsumerGroupHeartbeatResponseData beat = custom.heartbeat(beat("a", custom.current("a").memberEpoch(), Map.of()));
        assertThat(beat.heartbeatIntervalMs()).isEqualTo(2_000);
        assertThat(custom.shard.nextDeadlineMs()).contains(custom.nowMs + 20_000);

        custom.nowMs += 20_000;
        custom.onTimer();
        assertThat(custom.group().members()).as("silent for the group's own session timeout").isEmpty();
    }

    @Test
    void memberThatDoesNotRevokeWithinItsRebalanceTimeoutIsFenced() {
        SimulatedConsumer a = new SimulatedConsumer("a", "foo");
        a.heartbeat(h);
        h.heartbeat(join("b", "foo"));
        h.heartbeat(beat("a", 1, a.owned)); // a is told to revoke and never does
        assertThat(h.current("a").state()).isEqualTo(MemberState.UNREVOKED_PARTITIONS);

        h.nowMs += 30_000; // join() uses a 30 s rebalance timeout
        h.heartbeat(beat("b", 2, Map.of())); // b keeps its session alive
        h.onTimer();

        assertThat(h.group().members()).containsOnlyKeys("b");
        assertThat(error(h.heartbeat(beat("a", 1, a.owned)))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void staticMemberRejoiningWithANewMemberIdTakesOverItsAssignmentWithoutARebalance() {
        ConsumerGroupHeartbeatResponseData first = h.heartbeat(join("a1", "foo").setInstanceId("instance-a"));
        int epoch = h.group().groupEpoch();
        h.heartbeat(new ConsumerGroupHeartbeatRequestData()
                .setGroupId(GROUP).setMemberId("a1").setMemberEpoch(-2).setInstanceId("instance-a"));
        assertThat(h.current("a1").memberEpoch()).isEqualTo(-2);
        assertThat(h.group().owner(foo, 0)).contains("a1");

        ConsumerGroupHeartbeatResponseData rejoin = h.heartbeat(join("a2", "foo").setInstanceId("instance-a"));

        assertThat(error(rejoin)).isEqualTo(Errors.NONE);
        assertThat(rejoin.memberEpoch()).isEqualTo(first.memberEpoch());
        assertThat(rejoin.assignment()).isEqualTo(first.assignment());
        assertThat(h.group().groupEpoch()).isEqualTo(epoch);
        assertThat(h.group().members()).containsOnlyKeys("a2");
        assertThat(h.log).noneMatch(r -> r instanceof GroupEpoch g && g.epoch() > epoch);
    }

    @Test
    void staticMemberThatLeftTemporarilyIsRemovedAfterTheSessionTimeout() {
        h.heartbeat(join("a1", "foo").setInstanceId("instance-a"));
        h.heartbeat(new ConsumerGroupHeartbeatRequestData()
                .setGroupId(GROUP).setMemberId("a1").setMemberEpoch(-2).setInstanceId("instance-a"));

        h.nowMs += 45_000;
        h.onTimer();

        assertThat(h.group().members()).isEmpty();
        assertThat(h.group().owner(foo, 0)).isEmpty();
        assertThat(h.describe().groupState()).isEqualTo("Empty");
    }

    @Test
    void loadingRearmsTheRebalanceTimeoutOfAMemberStillRevoking() {
        SimulatedConsumer a = new SimulatedConsumer("a", "foo");
        a.heartbeat(h);
        h.heartbeat(join("b", "foo"));
        h.heartbeat(beat("a", 1, a.owned)); // a now has partitions pending revocation

        ConsumerGroupCoordinatorShard reloaded = h.reload(); // timers armed at h.nowMs
        h.heartbeat(beat("b", 2, Map.of()));

        assertThat(reloaded.onTimer(h.nowMs + 29_999)).isEmpty();
        assertThat(reloaded.onTimer(h.nowMs + 30_000))
                .anyMatch(r -> r instanceof ConsumerGroupRecord.MemberRemoved m && m.memberId().equals("a"));
    }

    @Test
    void staticInstanceIdHeldByAnActiveMemberIsNotReleased() {
        h.heartbeat(join("a1", "foo").setInstanceId("instance-a"));

        assertThat(error(h.heartbeat(join("a2", "foo").setInstanceId("instance-a"))))
                .isEqualTo(Errors.UNRELEASED_INSTANCE_ID);
    }

    @Test
    void replacedStaticMemberIsFenced() {
        h.heartbeat(join("a1", "foo").setInstanceId("instance-a"));
        h.heartbeat(new ConsumerGroupHeartbeatRequestData()
                .setGroupId(GROUP).setMemberId("a1").setMemberEpoch(-2).setInstanceId("instance-a"));
        h.heartbeat(join("a2", "foo").setInstanceId("instance-a"));

        ConsumerGroupHeartbeatResponseData zombie = h.heartbeat(beat("a1", 1, Map.of()).setInstanceId("instance-a"));

        assertThat(error(zombie)).isIn(Errors.FENCED_INSTANCE_ID, Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void rejoiningWithEpochZeroAfterFencingGetsItsAssignmentBack() {
        SimulatedConsumer a = new SimulatedConsumer("a", "foo");
        a.heartbeat(h);
        h.heartbeat(beat("a", 7, a.owned)); // fenced

        ConsumerGroupHeartbeatResponseData rejoin = h.heartbeat(join("a", "foo"));

        assertThat(rejoin.memberEpoch()).isEqualTo(1);
        assertThat(ShardHarness.fromResponse(rejoin.assignment()).get(foo)).hasSize(6);
    }

    @Test
    void replayingTheLogIntoAFreshShardReproducesTheGroup() {
        List<SimulatedConsumer> consumers = List.of(
                new SimulatedConsumer("a", "foo"), new SimulatedConsumer("b", "foo"), new SimulatedConsumer("c", "foo"));
        converge(consumers);
        h.heartbeat(consumers.get(1).leaveRequest());
        consumers.get(0).heartbeat(h); // mid-rebalance

        ConsumerGroupCoordinatorShard reloaded = h.reload();

        assertThat(reloaded.describe(GROUP, h.view()).response()).isEqualTo(h.describe());
        assertThat(reloaded.nextDeadlineMs()).isPresent();
    }

    @Test
    void emptyGroupCanBeDeletedAndItsRecordsAreTombstones() {
        h.heartbeat(join("a", "foo"));
        assertThat(h.shard.deleteGroup(GROUP).response()).isEqualTo(Errors.NON_EMPTY_GROUP);
        h.heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId("a").setMemberEpoch(-1));

        Result<Errors> deleted = h.shard.deleteGroup(GROUP);
        h.persist(deleted.records());

        assertThat(deleted.response()).isEqualTo(Errors.NONE);
        assertThat(deleted.records()).allMatch(r -> r.value() == null);
        assertThat(h.shard.group(GROUP)).isEmpty();
        assertThat(h.reload().group(GROUP)).isEmpty();
    }

    @Test
    void offsetCommitsAreCheckedAgainstTheMemberEpoch() {
        h.heartbeat(join("a", "foo"));

        assertThat(h.shard.validateOffsetCommit(GROUP, "a", 1)).isEqualTo(Errors.NONE);
        assertThat(h.shard.validateOffsetCommit(GROUP, "a", 0)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(h.shard.validateOffsetCommit(GROUP, "b", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(h.shard.validateOffsetCommit(GROUP, "", -1)).as("admin commit to a live group")
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(h.shard.validateOffsetCommit("other", "a", 1)).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(h.shard.validateOffsetFetch(GROUP, "", -1)).isEqualTo(Errors.NONE);
        assertThat(h.shard.validateOffsetFetch(GROUP, "a", 2)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
    }

    @Test
    void describeShowsMembersWithTheirAssignmentAndTarget() {
        h.heartbeat(join("a", "foo").setInstanceId("i-a").setRackId("r1"));

        var described = h.describe();

        assertThat(described.errorCode()).isZero();
        assertThat(described.groupEpoch()).isEqualTo(1);
        assertThat(described.assignmentEpoch()).isEqualTo(1);
        assertThat(described.assignorName()).isEqualTo("uniform");
        assertThat(described.members()).singleElement().satisfies(m -> {
            assertThat(m.memberId()).isEqualTo("a");
            assertThat(m.instanceId()).isEqualTo("i-a");
            assertThat(m.rackId()).isEqualTo("r1");
            assertThat(m.clientId()).isEqualTo("client-1");
            assertThat(m.subscribedTopicNames()).containsExactly("foo");
            assertThat(m.assignment().topicPartitions()).singleElement()
                    .satisfies(tp -> assertThat(tp.topicName()).isEqualTo("foo"));
            assertThat(m.targetAssignment()).isEqualTo(m.assignment());
            assertThat(m.memberType()).isEqualTo((byte) 1);
        });
        assertThat(h.shard.describe("nope", h.view()).response().errorMessage()).isEqualTo("Group nope not found.");
    }

    private void converge(List<SimulatedConsumer> consumers) {
        for (int round = 0; round < 20; round++) {
            consumers.forEach(c -> assertThat(c.heartbeat(h)).isEmpty());
            ConsumerGroup g = h.group();
            boolean stable = consumers.stream().allMatch(c -> {
                var current = h.current(c.memberId);
                return current.state() == MemberState.STABLE && current.memberEpoch() == g.groupEpoch()
                        && c.epoch == g.groupEpoch() && c.owned.equals(current.assigned());
            });
            if (stable) {
                return;
            }
        }
        throw new AssertionError("did not converge: " + h.describe());
    }

    private void assertInvalid(UnaryOperator<ConsumerGroupHeartbeatRequestData> change, String message) {
        ConsumerGroupHeartbeatResponseData response = h.heartbeat(change.apply(join("a", "foo")));
        assertThat(error(response)).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(response.errorMessage()).isEqualTo(message);
    }

    private static Errors error(ConsumerGroupHeartbeatResponseData response) {
        return Errors.forCode(response.errorCode());
    }

}
