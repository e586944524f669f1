package io.herald.group;

import static io.herald.group.ShareGroupShardTest.CTX;
import static io.herald.group.ShareGroupShardTest.T;
import static io.herald.group.ShareGroupShardTest.TOPICS;
import static io.herald.group.ShareGroupShardTest.U;
import static io.herald.group.ShareGroupShardTest.beat;
import static io.herald.group.ShareGroupShardTest.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.concurrent.ManualExecutor;
import io.herald.common.time.ManualTime;
import io.herald.common.timer.ManualTimer;
import io.herald.coordinator.runtime.MemoryLog;
import io.herald.coordinator.share.PersistedBatch;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.coordinator.share.ShareStateWrite;
import io.herald.group.record.GroupCoordinatorRecord;
import io.herald.group.record.ShareGroupRecord;
import io.herald.group.share.PartitionEndOffsets;
import io.herald.group.share.PartitionEndOffsets.EndOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * Share groups on the group coordinator with its runtime, driven by hand (manual loop, clock, timer and an
 * in-memory {@code __consumer_offsets}) and a scripted share-state persister: answers only after the ISR,
 * persister calls only after the commit and never on the loop (they wait for the timer's turn), follow-up
 * operations, retries of failed and lost initializations across a failover, and the admin APIs end to end.
 */
class ShareGroupCoordinatorTest {
    private final ManualTime time = new ManualTime();
    private final ManualTimer timer = new ManualTimer(time);
    private final ManualExecutor loop = new ManualExecutor();
    private final MemoryLog<GroupCoordinatorRecord> log = new MemoryLog<>(timer);
    private final ScriptedPersister persister = new ScriptedPersister();
    private final Map<TopicPartition, EndOffset> endOffsets = new HashMap<>();
    private final PartitionEndOffsets ends = partitions -> {
        Map<TopicPartition, EndOffset> out = new HashMap<>();
        partitions.forEach(tp -> out.put(tp, endOffsets.getOrDefault(tp,
                new EndOffset(Errors.NOT_LEADER_OR_FOLLOWER, -1))));
        return CompletableFuture.completedFuture(out);
    };

    private final GroupCoordinator c = coordinator();
    private final int partition = c.partitionFor("g");

    private GroupCoordinator coordinator() {
        return GroupCoordinator.onLoop(ShareGroupShardTest.CONFIG, log, time, timer, persister,
                ShardFixture.SHARE_CONFIGS, loop);
    }

    ShareGroupCoordinatorTest() {
        c.onBecomeLeader(partition, 1);
        loop.runAll();
    }

    /** Runs the loop, commits and runs the timer's due tasks until nothing moves. */
    private void settle() {
        for (int i = 0; i < 20; i++) {
            loop.runAll();
            log.commit(partition);
            timer.runDue();
        }
        loop.runAll();
    }

    private <T> T settled(CompletableFuture<T> f) {
        settle();
        assertThat(f).isDone();
        return f.join();
    }

    private ShareGroupHeartbeatResponseData heartbeat(ShareGroupHeartbeatRequestData req) {
        return settled(c.shareGroupHeartbeat(CTX, req, TOPICS));
    }

    /** A group whose member m1 has its share-partitions of {@code topics} initialized and assigned. */
    private int assignedGroup(String... topics) {
        heartbeat(join("g", "m1", topics));
        return heartbeat(beat("g", "m1", 1)).memberEpoch();
    }

    private Set<Uuid> initializedTopics() {
        return log.records(partition).stream().filter(ShareGroupRecord.StatePartitions.class::isInstance)
                .map(r -> ((ShareGroupRecord.StatePartitions) r).initialized().keySet()).reduce((a, b) -> b)
                .orElse(Set.of());
    }

    @Test
    void aHeartbeatAnswersAfterItsCommitAndTheShareStateIsInitializedAfterwards() {
        CompletableFuture<ShareGroupHeartbeatResponseData> joined = c.shareGroupHeartbeat(CTX, join("g", "m1", "t"),
                TOPICS);
        loop.runAll();
        assertThat(joined).as("written, not yet on the ISR").isNotDone();
        log.commit(partition);
        assertThat(joined.join().memberEpoch()).isEqualTo(1);
        assertThat(joined.join().assignment().topicPartitions()).isEmpty();
        assertThat(persister.initializations).as("not on the loop: handed to the timer").isEmpty();

        timer.runDue();
        assertThat(persister.initializations).extracting(ScriptedPersister.Initialize::stateEpoch,
                ScriptedPersister.Initialize::startOffset).containsOnly(org.assertj.core.groups.Tuple.tuple(1, -1L));
        assertThat(persister.initializations).hasSize(4);
        settle();
        assertThat(initializedTopics()).containsExactly(T);
        assertThat(persister.state.contains(new SharePartitionKey("g", T, 3))).isTrue();

        ShareGroupHeartbeatResponseData assigned = heartbeat(beat("g", "m1", 1));
        assertThat(assigned.memberEpoch()).isEqualTo(2);
        assertThat(assigned.assignment().topicPartitions()).singleElement()
                .satisfies(tp -> assertThat(tp.partitions()).containsExactlyInAnyOrder(0, 1, 2, 3));
    }

    @Test
    void aFailedInitializationIsRetriedByTheNextHeartbeat() {
        persister.failNext(ScriptedPersister.Call.INITIALIZE, Errors.COORDINATOR_NOT_AVAILABLE);
        heartbeat(join("g", "m1", "u"));
        assertThat(initializedTopics()).isEmpty();
        assertThat(heartbeat(beat("g", "m1", 1)).assignment()).isNull();
        assertThat(persister.initializations).as("tried again").hasSize(2);
        ShareGroupHeartbeatResponseData assigned = heartbeat(beat("g", "m1", 1));
        assertThat(assigned.assignment().topicPartitions()).singleElement()
                .satisfies(tp -> assertThat(tp.topicId()).isEqualTo(U));
    }

    @Test
    void anInitializationLostInAFailoverIsRetriedByTheNewCoordinator() {
        persister.hold();
        heartbeat(join("g", "m1", "u"));
        assertThat(persister.initializations).hasSize(1);
        // The partition moves to another coordinator (same log, as a new leader replays it) mid-initialization.
        c.onResign(partition, 1);
        GroupCoordinator next = coordinator();
        next.onBecomeLeader(partition, 2);
        loop.runAll();
        persister.release(); // the old coordinator's follow-up fails with NOT_COORDINATOR and is dropped
        settle();
        assertThat(initializedTopics()).as("never recorded as initialized").isEmpty();

        CompletableFuture<ShareGroupHeartbeatResponseData> beat = next.shareGroupHeartbeat(CTX, beat("g", "m1", 1),
                TOPICS);
        assertThat(settled(beat).errorCode()).as("the member survived the failover").isZero();
        assertThat(persister.initializations).as("still initializing, within the retry interval").hasSize(1);
        timer.advance(30_000);
        settled(next.shareGroupHeartbeat(CTX, beat("g", "m1", 1), TOPICS));
        assertThat(persister.initializations).hasSize(2);
        ShareGroupHeartbeatResponseData assigned = settled(next.shareGroupHeartbeat(CTX, beat("g", "m1", 1), TOPICS));
        assertThat(assigned.memberEpoch()).isEqualTo(2);
        assertThat(assigned.assignment().topicPartitions()).hasSize(1);
    }

    // ---- DeleteGroups ----

    @Test
    void deleteGroupsDeletesTheShareStateThenTheGroup() {
        assignedGroup("u");
        DeleteGroupsResponseData.DeletableGroupResult busy = settled(c.deleteGroup("g"));
        assertThat(Errors.forCode(busy.errorCode())).isEqualTo(Errors.NON_EMPTY_GROUP);
        assertThat(persister.deletions).isEmpty();

        heartbeat(beat("g", "m1", -1));
        persister.failNext(ScriptedPersister.Call.DELETE, Errors.COORDINATOR_LOAD_IN_PROGRESS);
        DeleteGroupsResponseData.DeletableGroupResult failed = settled(c.deleteGroup("g"));
        assertThat(Errors.forCode(failed.errorCode())).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        assertThat(settled(c.listGroups(List.of(), List.of("share"))).groups()).as("the group stays").hasSize(1);

        DeleteGroupsResponseData.DeletableGroupResult deleted = settled(c.deleteGroup("g"));
        assertThat(deleted.errorCode()).isZero();
        assertThat(persister.deletions).containsExactly(new SharePartitionKey("g", U, 0),
                new SharePartitionKey("g", U, 0));
        assertThat(persister.state.contains(new SharePartitionKey("g", U, 0))).isFalse();
        assertThat(settled(c.listGroups(List.of(), List.of())).groups()).isEmpty();
    }

    // ---- AlterShareGroupOffsets ----

    private static AlterShareGroupOffsetsRequestData alter(String topic, int partition, long offset) {
        var topics = new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopicCollection();
        topics.add(new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic().setTopicName(topic)
                .setPartitions(List.of(new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition()
                        .setPartitionIndex(partition).setStartOffset(offset))));
        return new AlterShareGroupOffsetsRequestData().setGroupId("g").setTopics(topics);
    }

    @Test
    void alteringOffsetsInitializesAtTheGivenOffsetsAndFencesTheOldState() {
        AlterShareGroupOffsetsResponseData first = settled(c.alterShareGroupOffsets(alter("t", 1, 42), TOPICS));
        assertThat(first.errorCode()).isZero();
        assertThat(first.responses().find("t").partitions()).singleElement()
                .satisfies(p -> assertThat(p.errorCode()).isZero());
        SharePartitionKey key = new SharePartitionKey("g", T, 1);
        assertThat(persister.initializations).containsExactly(new ScriptedPersister.Initialize(key, 1, 42));
        assertThat(settled(c.listGroups(List.of("empty"), List.of("share"))).groups()).hasSize(1);

        // A share-partition leader of the old state writes with its state epoch: fenced by the next alteration.
        settled(c.alterShareGroupOffsets(alter("t", 1, 50), TOPICS));
        assertThat(persister.initializations).last().isEqualTo(new ScriptedPersister.Initialize(key, 2, 50));
        assertThat(persister.write(key, new ShareStateWrite(1, 0, 60, -1, List.of())).join())
                .isEqualTo(Errors.FENCED_STATE_EPOCH);

        persister.failNext(ScriptedPersister.Call.INITIALIZE, Errors.UNKNOWN_SERVER_ERROR);
        AlterShareGroupOffsetsResponseData failed = settled(c.alterShareGroupOffsets(alter("t", 2, 7), TOPICS));
        assertThat(failed.responses().find("t").partitions()).singleElement().satisfies(p -> {
            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
            assertThat(p.errorMessage()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR.message());
        });
        AlterShareGroupOffsetsResponseData emptyId = settled(c.alterShareGroupOffsets(alter("t", 2, 7)
                .setGroupId(""), TOPICS));
        assertThat(Errors.forCode(emptyId.errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
    }

    // ---- DescribeShareGroupOffsets ----

    private static DescribeShareGroupOffsetsRequestGroup describe(String topic, Integer... partitions) {
        return new DescribeShareGroupOffsetsRequestGroup().setGroupId("g").setTopics(List.of(
                new DescribeShareGroupOffsetsRequestTopic().setTopicName(topic).setPartitions(List.of(partitions))));
    }

    @Test
    void describeOffsetsAnswersStartOffsetsAndKafkasLag() {
        assignedGroup("t");
        // The share-partition leader of t-0 recorded progress: start 10, 4 records done in the window.
        persister.write(new SharePartitionKey("g", T, 0), new ShareStateWrite(1, 3, 10, 4,
                List.of(new PersistedBatch(10, 12, PersistedBatch.ACKNOWLEDGED, (short) 1)))).join();
        endOffsets.put(new TopicPartition("t", 0), new EndOffset(Errors.NONE, 30));

        DescribeShareGroupOffsetsResponseGroup g = settled(c.describeShareGroupOffsets(describe("t", 0, 1), TOPICS, ends));
        assertThat(g.errorCode()).isZero();
        assertThat(g.topics()).singleElement().satisfies(t -> {
            assertThat(t.topicId()).isEqualTo(T);
            assertThat(t.topicName()).isEqualTo("t");
            DescribeShareGroupOffsetsResponsePartition p0 = t.partitions().get(0);
            assertThat(p0.startOffset()).isEqualTo(10);
            assertThat(p0.leaderEpoch()).isEqualTo(3);
            assertThat(p0.lag()).as("30 - 10 - 4").isEqualTo(16);
            DescribeShareGroupOffsetsResponsePartition p1 = t.partitions().get(1);
            assertThat(p1.startOffset()).as("initialized, no progress").isEqualTo(-1);
            assertThat(p1.lag()).isEqualTo(-1);
        });

        // Every initialized share-partition when no topic is named.
        DescribeShareGroupOffsetsResponseGroup all = settled(c.describeShareGroupOffsets(
                new DescribeShareGroupOffsetsRequestGroup().setGroupId("g").setTopics(null), TOPICS, ends));
        assertThat(all.topics()).singleElement().satisfies(t -> assertThat(t.partitions()).hasSize(4));

        // A topic that does not exist answers start offset -1 under the zero id; a failed end offset is an error.
        endOffsets.clear();
        DescribeShareGroupOffsetsResponseGroup mixed = settled(c.describeShareGroupOffsets(
                new DescribeShareGroupOffsetsRequestGroup().setGroupId("g").setTopics(List.of(
                        new DescribeShareGroupOffsetsRequestTopic().setTopicName("t").setPartitions(List.of(0)),
                        new DescribeShareGroupOffsetsRequestTopic().setTopicName("missing").setPartitions(List.of(2)))),
                TOPICS, ends));
        assertThat(mixed.topics()).hasSize(2);
        assertThat(Errors.forCode(mixed.topics().get(0).partitions().get(0).errorCode()))
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(mixed.topics().get(1).topicId()).isEqualTo(Uuid.ZERO_UUID);
        assertThat(mixed.topics().get(1).partitions()).singleElement()
                .satisfies(p -> assertThat(p.startOffset()).isEqualTo(-1));

        // An unknown group: no state, no error (Kafka answers absence of data).
        DescribeShareGroupOffsetsResponseGroup unknown = settled(c.describeShareGroupOffsets(
                describe("u", 0).setGroupId("nope"), TOPICS, ends));
        assertThat(unknown.topics().get(0).partitions().get(0).startOffset()).isEqualTo(-1);
        assertThat(unknown.topics().get(0).partitions().get(0).errorCode()).isZero();
    }

    // ---- DeleteShareGroupOffsets ----

    @Test
    void deletingOffsetsDeletesTheTopicsShareStateForAnEmptyGroup() {
        assignedGroup("t", "u");
        heartbeat(beat("g", "m1", -1));
        persister.failNext(ScriptedPersister.Call.DELETE, Errors.COORDINATOR_NOT_AVAILABLE);
        DeleteShareGroupOffsetsRequestData req = new DeleteShareGroupOffsetsRequestData().setGroupId("g").setTopics(List.of(
                new DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic().setTopicName("u"),
                new DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic().setTopicName("t")));
        DeleteShareGroupOffsetsResponseData first = settled(c.deleteShareGroupOffsets(req, TOPICS));
        assertThat(first.errorCode()).isZero();
        // Kafka's order: the deleted topics, then the failed ones (the first delete call, of t-0, failed).
        assertThat(first.responses()).extracting(r -> r.topicName(), r -> Errors.forCode(r.errorCode())).containsExactly(
                org.assertj.core.groups.Tuple.tuple("u", Errors.NONE),
                org.assertj.core.groups.Tuple.tuple("t", Errors.COORDINATOR_NOT_AVAILABLE));
        assertThat(first.responses().get(0).topicId()).isEqualTo(U);
        assertThat(first.responses().get(1).topicId()).isEqualTo(T);
        assertThat(persister.state.contains(new SharePartitionKey("g", U, 0))).isFalse();
        assertThat(persister.state.contains(new SharePartitionKey("g", T, 0))).isTrue();

        // t stayed deleting: a retry deletes it; u has nothing left to delete.
        DeleteShareGroupOffsetsResponseData retry = settled(c.deleteShareGroupOffsets(req, TOPICS));
        assertThat(retry.responses()).extracting(r -> r.topicName(), r -> Errors.forCode(r.errorCode())).containsExactly(
                org.assertj.core.groups.Tuple.tuple("t", Errors.NONE),
                org.assertj.core.groups.Tuple.tuple("u", Errors.UNKNOWN_TOPIC_OR_PARTITION));
        assertThat(persister.state.contains(new SharePartitionKey("g", T, 0))).isFalse();
        assertThat(initializedTopics()).isEmpty();
    }

    // ---- serving ----

    @Test
    void aShareGroupNotServedHereAnswersNotCoordinator() {
        String other = "other-0";
        for (int i = 0; c.partitionFor(other) == partition; i++) {
            other = "other-" + i;
        }
        CompletableFuture<ShareGroupHeartbeatResponseData> beat = c.shareGroupHeartbeat(CTX, join(other, "m1", "t"),
                TOPICS);
        loop.runAll();
        assertThat(beat).isCompletedExceptionally();
        try {
            beat.join();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(NotCoordinatorException.class);
        }
        assertThat(Errors.forCode(settled(c.shareGroupDescribe("", TOPICS)).errorCode()))
                .isEqualTo(Errors.INVALID_GROUP_ID);
    }
}
