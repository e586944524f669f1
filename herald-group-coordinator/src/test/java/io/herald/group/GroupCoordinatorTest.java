package io.herald.group;

import io.herald.common.txn.VerificationGuard;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.concurrent.ManualExecutor;
import io.herald.common.time.ManualTime;
import io.herald.common.timer.ManualTimer;
import io.herald.coordinator.runtime.MemoryLog;
import io.herald.coordinator.share.InMemoryShareStatePersister;
import io.herald.group.consumer.TopicsView;
import io.herald.group.offsets.OffsetAndMetadata;
import io.herald.group.record.ConsumerGroupRecord;
import io.herald.group.record.GroupCoordinatorRecord;
import io.herald.group.record.GroupRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.junit.jupiter.api.Test;

/**
 * The group coordinator on the runtime, driven by hand: a manual loop, clock and in-memory
 * {@code __consumer_offsets}. Routing to partitions, loading, answers after the ISR, the failure rule as group
 * clients see it, unloading. Nothing here sleeps: "not answered yet" is checked after the loop is drained.
 */
class GroupCoordinatorTest {
    private static final GroupConfig CONFIG = ShardFixture.config(0, Integer.MAX_VALUE);
    /** A long initial rebalance delay keeps a first JoinGroup parked. */
    private static final GroupConfig PARKING = ShardFixture.config(60_000, Integer.MAX_VALUE);
    private static final RequestContext CTX = new RequestContext("c", "/h", (short) 9);
    private static final TopicsView TOPICS = TopicsView.of(List.of(
            new TopicsView.TopicInfo("t", Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ"), 4)));

    private final ManualTime time = new ManualTime();
    private final ManualTimer timer = new ManualTimer(time);
    private final ManualExecutor loop = new ManualExecutor();
    private final MemoryLog<GroupCoordinatorRecord> log = new MemoryLog<>(timer);

    private GroupCoordinator coordinator(GroupConfig config) {
        return GroupCoordinator.onLoop(config, log, time, timer, new InMemoryShareStatePersister(),
                ShardFixture.SHARE_CONFIGS, loop);
    }

    private static GroupRecord.OffsetCommit offset(String group, int partition, long offset) {
        return new GroupRecord.OffsetCommit(group, "t", partition, Optional.of(
                new OffsetAndMetadata(offset, -1, "", 1, OptionalLong.empty())));
    }

    private static OffsetCommitRequestData commitRequest(String group, long offset) {
        var topic = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t");
        topic.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(1)
                .setCommittedOffset(offset));
        return new OffsetCommitRequestData().setGroupId(group).setTopics(List.of(topic));
    }

    private <T> CompletableFuture<T> run(CompletableFuture<T> f) {
        loop.runAll();
        return f;
    }

    private static Throwable failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    private static Errors commitError(OffsetCommitResponseData r) {
        return Errors.forCode(r.topics().get(0).partitions().get(0).errorCode());
    }

    /** A group id whose partition differs from {@code other}'s. */
    private static String groupOnAnotherPartition(GroupCoordinator c, String other) {
        for (int i = 0; ; i++) {
            if (c.partitionFor("other-" + i) != c.partitionFor(other)) {
                return "other-" + i;
            }
        }
    }

    private void lead(GroupCoordinator c, String group, int epoch) {
        c.onBecomeLeader(c.partitionFor(group), epoch);
        loop.runAll();
    }

    @Test
    void aGroupIsServedOnlyWhereItsPartitionIsLedAndLoaded() {
        GroupCoordinator c = coordinator(CONFIG);
        int partition = c.partitionFor("g");
        log.append(partition, List.of(offset("g", 0, 17)));
        log.commit(partition);
        assertThat(failure(run(c.committedOffsets("g", null, -1)))).isInstanceOf(NotCoordinatorException.class);

        log.setAvailable(partition, false); // leader in the metadata, replica not created yet
        lead(c, "g", 3);
        assertThat(c.availability("g")).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        assertThat(failure(run(c.committedOffsets("g", null, -1))))
                .isInstanceOf(CoordinatorLoadInProgressException.class);
        assertThat(run(c.listGroups(List.of(), List.of())).join().errorCode())
                .isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());

        log.setAvailable(partition, true);
        timer.advance(1_000);
        loop.runAll();
        assertThat(c.availability("g")).isEqualTo(Errors.NONE);
        assertThat(run(c.committedOffsets("g", null, -1)).join().offsets().get(new TopicPartition("t", 0)).offset())
                .isEqualTo(17);
        assertThat(run(c.listGroups(List.of(), List.of())).join().groups()).extracting(g -> g.groupId())
                .containsExactly("g");

        String other = groupOnAnotherPartition(c, "g");
        assertThat(failure(run(c.commitOffsets(CTX, commitRequest(other, 5), tp -> true))))
                .isInstanceOf(NotCoordinatorException.class);
        assertThat(log.records(c.partitionFor(other))).isEmpty();
    }

    @Test
    void anOffsetCommitAndTheFetchesAfterItAnswerOnlyOnceTheIsrHasIt() {
        GroupCoordinator c = coordinator(CONFIG);
        lead(c, "g", 1);
        int partition = c.partitionFor("g");
        CompletableFuture<OffsetCommitResponseData> commit = run(c.commitOffsets(CTX, commitRequest("g", 5),
                tp -> true));
        CompletableFuture<CommittedOffsets> fetch = run(c.committedOffsets("g", null, -1));
        assertThat(log.records(partition)).hasSize(1);
        assertThat(commit).as("appended on the leader, not yet on the ISR").isNotDone();
        assertThat(fetch).as("the fetch must not show 5 before the ISR has it").isNotDone();
        log.commit(partition);
        assertThat(commitError(commit.join())).isEqualTo(Errors.NONE);
        assertThat(fetch.join().offsets().get(new TopicPartition("t", 1)).offset()).isEqualTo(5);

        // The ISR too slow: the commit fails with a retriable error, and reads wait until it commits after all.
        CompletableFuture<OffsetCommitResponseData> slow = run(c.commitOffsets(CTX, commitRequest("g", 6),
                tp -> true));
        timer.advance(CONFIG.offsetsCommitTimeoutMs());
        assertThat(failure(slow)).isInstanceOf(CoordinatorNotAvailableException.class);
        CompletableFuture<CommittedOffsets> later = run(c.committedOffsets("g", null, -1));
        assertThat(later).isNotDone();
        log.commit(partition);
        assertThat(later.join().offsets().get(new TopicPartition("t", 1)).offset()).isEqualTo(6);

        // Leadership lost before the commit: the client looks for the new coordinator.
        CompletableFuture<OffsetCommitResponseData> deposed = run(c.commitOffsets(CTX, commitRequest("g", 7),
                tp -> true));
        log.failover(partition);
        assertThat(failure(deposed)).isInstanceOf(NotCoordinatorException.class);
    }

    @Test
    void aJoinIsAnsweredOnlyOnceWhatTheRebalanceWroteIsCommitted() {
        GroupCoordinator c = coordinator(CONFIG);
        lead(c, "g", 1);
        int partition = c.partitionFor("g");
        // v3: no MEMBER_ID_REQUIRED round trip; with no initial delay the lone member completes the join at once.
        var ctx = new RequestContext("c", "/h", (short) 3);
        CompletableFuture<JoinGroupResponseData> join = run(c.joinGroup(ctx,
                ShardFixture.joinRequest("g", "", null, "range", new byte[]{1})));
        timer.advance(0);
        loop.runAll();
        JoinGroupResponseData joined = join.join();
        CompletableFuture<SyncGroupResponseData> sync = run(c.syncGroup(new SyncGroupRequestData().setGroupId("g")
                .setMemberId(joined.memberId()).setGenerationId(joined.generationId())
                .setAssignments(List.of(ShardFixture.assignment(joined.memberId(), new byte[]{7})))));
        assertThat(log.records(partition)).last().isInstanceOf(GroupRecord.GroupMetadata.class);
        assertThat(sync).as("the assignment is on the leader only").isNotDone();
        log.commit(partition);
        assertThat(sync.join().assignment()).containsExactly(7);
    }

    @Test
    void aSyncWhoseAssignmentCannotBeWrittenFailsAndThePartitionReloads() {
        GroupCoordinator c = coordinator(CONFIG);
        lead(c, "g", 1);
        int partition = c.partitionFor("g");
        var ctx = new RequestContext("c", "/h", (short) 3);
        CompletableFuture<JoinGroupResponseData> join = run(c.joinGroup(ctx,
                ShardFixture.joinRequest("g", "", null, "range", new byte[]{1})));
        timer.advance(0);
        loop.runAll();
        JoinGroupResponseData joined = join.join();
        log.failNextAppend(partition, new KafkaStorageException("disk gone"));
        CompletableFuture<SyncGroupResponseData> sync = c.syncGroup(new SyncGroupRequestData().setGroupId("g")
                .setMemberId(joined.memberId()).setGenerationId(joined.generationId()).setAssignments(List.of()));
        loop.runNext();
        // KAFKA_STORAGE_ERROR of the partition becomes NOT_COORDINATOR for the client (as Kafka normalizes it).
        assertThat(failure(sync)).isInstanceOf(NotCoordinatorException.class);
        assertThat(c.availability("g")).as("reloading").isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        loop.runAll();
        assertThat(c.availability("g")).isEqualTo(Errors.NONE);
        // The generation never reached the log: the member must join again.
        CompletableFuture<Errors> heartbeat = run(c.heartbeat(new HeartbeatRequestData().setGroupId("g")
                .setMemberId(joined.memberId()).setGenerationId(joined.generationId())));
        assertThat(heartbeat.join()).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void aConsumerGroupHeartbeatWhoseRecordsCannotBeWrittenLeavesTheGroupAsTheLogHasIt() {
        GroupCoordinator c = coordinator(CONFIG);
        lead(c, "g", 1);
        int partition = c.partitionFor("g");
        assertThat(run(c.consumerGroupHeartbeat(CTX, cgJoin("m1"), TOPICS)).isDone()).isFalse();
        log.commit(partition);
        log.failNextAppend(partition, new NotCoordinatorException("moved"));
        CompletableFuture<ConsumerGroupHeartbeatResponseData> failed = run(c.consumerGroupHeartbeat(CTX,
                cgJoin("m2"), TOPICS));
        assertThat(failure(failed)).isInstanceOf(NotCoordinatorException.class);
        assertThat(log.records(partition)).allMatch(r -> !(r instanceof ConsumerGroupRecord.MemberMetadata m)
                || m.memberId().equals("m1"));
        CompletableFuture<ConsumerGroupHeartbeatResponseData> retried = run(c.consumerGroupHeartbeat(CTX,
                cgJoin("m2"), TOPICS));
        log.commit(partition);
        assertThat(retried.join().errorCode()).isZero();
        assertThat(retried.join().memberEpoch()).as("m2 joined the reloaded group at the next epoch")
                .isEqualTo(2);
    }

    private static ConsumerGroupHeartbeatRequestData cgJoin(String memberId) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of());
    }

    @Test
    void resigningAnswersParkedJoinsNotCoordinatorAndLeadingAgainBringsBackOnlyWhatWasWritten() {
        GroupCoordinator c = coordinator(PARKING);
        lead(c, "g", 1);
        int partition = c.partitionFor("g");
        var ctx = new RequestContext("c", "/h", (short) 3);
        CompletableFuture<OffsetCommitResponseData> commit = run(c.commitOffsets(ctx, commitRequest("g", 8),
                tp -> true));
        log.commit(partition);
        assertThat(commitError(commit.join())).isEqualTo(Errors.NONE);

        CompletableFuture<JoinGroupResponseData> join = run(c.joinGroup(ctx,
                ShardFixture.joinRequest("g", "", null, "range", new byte[]{1})));
        assertThat(join).as("waiting out the initial rebalance delay").isNotDone();

        c.onResign(partition, 1);
        loop.runAll();
        assertThat(Errors.forCode(join.join().errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(c.availability("g")).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(timer.pending()).as("the partition's timers are gone").isZero();

        lead(c, "g", 2);
        assertThat(run(c.committedOffsets("g", null, -1)).join().offsets().get(new TopicPartition("t", 1)).offset())
                .isEqualTo(8);
        assertThat(run(c.describeGroup("g", (short) 5)).join().members()).as("membership was soft state")
                .isEmpty();
    }

    @Test
    void classicOperationsOnAnEmptyGroupIdAreInvalidWhereverItWouldLive() {
        GroupCoordinator c = coordinator(CONFIG);
        var ctx = new RequestContext("c", "/h", (short) 9);
        assertThat(Errors.forCode(c.joinGroup(ctx, ShardFixture.joinRequest("", "", null, "range",
                new byte[]{1})).join().errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
        assertThat(Errors.forCode(c.syncGroup(new SyncGroupRequestData().setGroupId("")).join().errorCode()))
                .isEqualTo(Errors.INVALID_GROUP_ID);
        assertThat(c.heartbeat(new HeartbeatRequestData().setGroupId("")).join())
                .isEqualTo(Errors.INVALID_GROUP_ID);
        assertThat(failure(c.commitOffsets(ctx, commitRequest("", 1), tp -> true)))
                .isInstanceOf(org.apache.kafka.common.errors.InvalidGroupIdException.class);
    }

    @Test
    void offsetsOfEmptyGroupsExpireOnThePartitionsOwnTimer() {
        GroupCoordinator c = coordinator(CONFIG);
        lead(c, "g", 1);
        int partition = c.partitionFor("g");
        run(c.commitOffsets(CTX, commitRequest("g", 5), tp -> true));
        log.commit(partition);
        timer.advance(CONFIG.offsetsRetentionMs());
        loop.runAll();
        log.commit(partition);
        assertThat(run(c.committedOffsets("g", null, -1)).join().offsets()).isEmpty();
        assertThat(log.records(partition)).last().isEqualTo(new GroupRecord.GroupMetadata("g", Optional.empty()));
    }

    private static org.apache.kafka.common.message.TxnOffsetCommitRequestData txnCommit(String group, long producerId,
                                                                                      long offset) {
        var topic = new org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
                .setName("t");
        topic.partitions().add(new org.apache.kafka.common.message.TxnOffsetCommitRequestData
                .TxnOffsetCommitRequestPartition().setPartitionIndex(1).setCommittedOffset(offset));
        return new org.apache.kafka.common.message.TxnOffsetCommitRequestData().setTransactionalId("tx")
                .setGroupId(group).setProducerId(producerId).setProducerEpoch((short) 0).setGenerationId(-1)
                .setTopics(List.of(topic));
    }

    @Test
    void transactionalOffsetsCountOnlyOnceTheTransactionCommits() {
        GroupCoordinator c = coordinator(CONFIG);
        lead(c, "g", 1);
        int partition = c.partitionFor("g");
        TopicPartition tp = new TopicPartition("t", 1);
        var committed = run(c.txnCommitOffsets(CTX, txnCommit("g", 42, 10), p -> true, VerificationGuard.SENTINEL));
        log.commit(partition);
        assertThat(committed.join().topics().get(0).partitions().get(0).errorCode()).isZero();
        assertThat(log.entries(partition)).singleElement().isInstanceOf(MemoryLog.Entry.Transactional.class);
        CommittedOffsets pending = run(c.committedOffsets("g", null, -1)).join();
        assertThat(pending.offsets()).as("not before the marker").isEmpty();
        assertThat(pending.unstable()).containsExactly(tp);

        run(c.completeTransaction(partition, 42, (short) 0, 5, TransactionResult.COMMIT, (short) 0));
        log.commit(partition);
        CommittedOffsets after = run(c.committedOffsets("g", null, -1)).join();
        assertThat(after.offsets().get(tp).offset()).isEqualTo(10);
        assertThat(after.unstable()).isEmpty();

        // An aborted transaction's offsets never count, and a reload of the log agrees.
        run(c.txnCommitOffsets(CTX, txnCommit("g", 43, 99), p -> true, VerificationGuard.SENTINEL));
        run(c.completeTransaction(partition, 43, (short) 0, 5, TransactionResult.ABORT, (short) 0));
        run(c.txnCommitOffsets(CTX, txnCommit("g", 44, 77), p -> true, VerificationGuard.SENTINEL));
        log.commit(partition);
        c.onResign(partition, 1);
        lead(c, "g", 2);
        CommittedOffsets reloaded = run(c.committedOffsets("g", null, -1)).join();
        assertThat(reloaded.offsets().get(tp).offset()).isEqualTo(10);
        assertThat(reloaded.unstable()).as("producer 44's transaction is still open").containsExactly(tp);
    }

    @Test
    void aTransactionalCommitByAStaleGenerationIsRefused() {
        GroupCoordinator c = coordinator(CONFIG);
        lead(c, "g", 1);
        int partition = c.partitionFor("g");
        var ctx = new RequestContext("c", "/h", (short) 3);
        CompletableFuture<JoinGroupResponseData> join = run(c.joinGroup(ctx,
                ShardFixture.joinRequest("g", "", null, "range", new byte[]{1})));
        timer.advance(0);
        loop.runAll();
        log.commit(partition);
        JoinGroupResponseData joined = join.join();
        var request = txnCommit("g", 42, 10).setMemberId(joined.memberId()).setGenerationId(joined.generationId() + 1);
        var answer = run(c.txnCommitOffsets(CTX, request, p -> true, VerificationGuard.SENTINEL));
        log.commit(partition);
        assertThat(Errors.forCode(answer.join().topics().get(0).partitions().get(0).errorCode()))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(log.entries(partition)).noneMatch(MemoryLog.Entry.Transactional.class::isInstance);
    }

    @Test
    void placementMatchesKafka() {
        // Utils.abs("my-group".hashCode()) % 50, as Kafka computes it
        assertThat(OffsetsTopic.partitionFor("my-group", 50))
                .isEqualTo(org.apache.kafka.common.utils.Utils.abs("my-group".hashCode()) % 50);
        assertThat(OffsetsTopic.partitionFor("", 50)).isZero();
    }
}
