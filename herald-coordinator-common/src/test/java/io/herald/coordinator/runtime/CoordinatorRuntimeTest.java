package io.herald.coordinator.runtime;

import io.herald.common.txn.VerificationGuard;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.concurrent.ManualExecutor;
import io.herald.common.time.ManualTime;
import io.herald.common.timer.ManualTimer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.junit.jupiter.api.Test;

/** The runtime's rules one at a time, on a manual loop, clock and log: nothing here sleeps. */
class CoordinatorRuntimeTest {
    private static final long COMMIT_TIMEOUT_MS = 5_000;
    private static final long LOAD_RETRY_MS = 1_000;

    private final ManualTime time = new ManualTime();
    private final ManualTimer timer = new ManualTimer(time);
    private final ManualExecutor loop = new ManualExecutor();
    private final MemoryLog<KvShard.Put> log = new MemoryLog<>(timer);
    private final List<KvShard> shards = new ArrayList<>();
    private final CoordinatorRuntime<KvShard, KvShard.Put> runtime = new CoordinatorRuntime<KvShard, KvShard.Put>(
            new CoordinatorRuntimeSettings("kv", "__kv", 2, COMMIT_TIMEOUT_MS, LOAD_RETRY_MS), log,
            context -> {
                KvShard shard = new KvShard(context);
                shards.add(shard);
                return shard;
            }, time, timer, loop);

    private void lead(int partition, int epoch) {
        runtime.onBecomeLeader(partition, epoch);
        loop.runAll();
    }

    private CompletableFuture<String> put(int partition, String key, String value) {
        CompletableFuture<String> f = runtime.scheduleWriteOperation("put", partition, s -> s.put(key, value));
        loop.runAll();
        return f;
    }

    private CompletableFuture<KvShard.Snapshot> read(int partition) {
        CompletableFuture<KvShard.Snapshot> f = runtime.scheduleReadOperation("get", partition, KvShard::snapshot);
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

    @Test
    void aPartitionNotLedHereAnswersNotCoordinator() {
        assertThat(runtime.availability(0)).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(failure(put(0, "k", "v"))).isInstanceOf(NotCoordinatorException.class);
    }

    @Test
    void aPartitionAnswersLoadInProgressUntilItsReplayRan() {
        log.append(0, List.of(new KvShard.Put("a", "1"), new KvShard.Put("b", "2")));
        log.commit(0);
        runtime.onBecomeLeader(0, 1);
        assertThat(runtime.availability(0)).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        CompletableFuture<String> early = runtime.scheduleWriteOperation("put", 0, s -> s.put("c", "3"));
        loop.runAll();
        log.commit(0);
        // The load event was queued first, so the operation ran on the loaded shard.
        assertThat(early).isCompletedWithValue("ok:3");
        assertThat(runtime.availability(0)).isEqualTo(Errors.NONE);
        assertThat(shards.getLast().loadedCalled).isTrue();
        assertThat(log.records(0)).hasSize(3);
    }

    @Test
    void anOperationQueuedWhileTheLoadWaitsForItsReplicaAnswersLoadInProgress() {
        log.setAvailable(0, false);
        lead(0, 1);
        assertThat(failure(put(0, "k", "v"))).isInstanceOf(CoordinatorLoadInProgressException.class);
        log.setAvailable(0, true);
        timer.advance(CoordinatorRuntime.NOT_AVAILABLE_RETRY_MS);
        loop.runAll();
        assertThat(runtime.availability(0)).isEqualTo(Errors.NONE);
    }

    @Test
    void aWriteAnswersOnlyOnceTheIsrHasItsRecords() {
        lead(0, 1);
        CompletableFuture<String> answer = put(0, "k", "v");
        assertThat(log.records(0)).containsExactly(new KvShard.Put("k", "v"));
        assertThat(answer).as("appended, not committed").isNotDone();
        log.commit(0);
        assertThat(answer).isCompletedWithValue("ok:v");
    }

    @Test
    void aReadWaitsForEarlierWritesAndAnswersAtOnceWhenNothingIsPending() {
        lead(0, 1);
        CompletableFuture<String> write = put(0, "k", "v");
        CompletableFuture<KvShard.Snapshot> read = read(0);
        assertThat(read).as("the state holds an uncommitted write").isNotDone();
        log.commit(0);
        assertThat(write).isDone();
        assertThat(read.join().values()).isEqualTo(Map.of("k", "v"));
        assertThat(read(0)).as("nothing pending").isCompleted();
    }

    @Test
    void aFailedAppendFailsTheAnswerAndReloadsTheShardFromTheLog() {
        lead(0, 1);
        put(0, "kept", "1");
        log.commit(0);
        KvShard before = shards.getLast();
        log.failNextAppend(0, new KafkaStorageException("disk gone"));
        CompletableFuture<String> applied = runtime.scheduleWriteOperation("put", 0,
                s -> s.putApplied("lost", "2"));
        loop.runNext();
        assertThat(failure(applied)).as("KAFKA_STORAGE_ERROR tells the client to find the coordinator again")
                .isInstanceOf(NotCoordinatorException.class);
        assertThat(runtime.availability(0)).as("reloading").isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        assertThat(runtime.state(0)).isEqualTo(ShardState.FAILED);
        loop.runAll();
        assertThat(runtime.availability(0)).isEqualTo(Errors.NONE);
        assertThat(shards.getLast()).isNotSameAs(before);
        assertThat(read(0).join().values()).as("memory went back to the log").isEqualTo(Map.of("kept", "1"));
    }

    @Test
    void anAnswerCompletedDuringAFailedEventFailsWithIt() {
        lead(0, 1);
        CompletableFuture<String> parked = runtime.scheduleParkedOperation("await", 0,
                (KvShard s, CompletableFuture<String> f) -> s.await("k", f));
        loop.runAll();
        assertThat(parked).isNotDone();
        log.failNextAppend(0, new RecordBatchTooLargeException("too big"));
        CompletableFuture<String> write = put(0, "k", "v");
        assertThat(failure(write)).isInstanceOf(UnknownServerException.class);
        assertThat(failure(parked)).as("it saw a value that never reached the log")
                .isInstanceOf(UnknownServerException.class);
    }

    @Test
    void aParkedRequestAnswersAfterTheWriteThatCompletedItCommits() {
        lead(0, 1);
        CompletableFuture<String> parked = runtime.scheduleParkedOperation("await", 0,
                (KvShard s, CompletableFuture<String> f) -> s.await("k", f));
        loop.runAll();
        CompletableFuture<String> write = put(0, "k", "v");
        assertThat(parked).as("woken, but its value is not committed").isNotDone();
        log.commit(0);
        assertThat(parked).isCompletedWithValue("v");
        assertThat(write).isCompletedWithValue("ok:v");
    }

    @Test
    void aCommitThatTimesOutFailsTheAnswerAndKeepsTheState() {
        lead(0, 1);
        CompletableFuture<String> write = put(0, "k", "v");
        timer.advance(COMMIT_TIMEOUT_MS - 1);
        assertThat(write).isNotDone();
        timer.advance(1);
        assertThat(failure(write)).isInstanceOf(CoordinatorNotAvailableException.class);
        CompletableFuture<KvShard.Snapshot> read = read(0);
        log.commit(0);
        assertThat(read.join().values()).as("the record is in the log, so it is in the state")
                .isEqualTo(Map.of("k", "v"));
    }

    @Test
    void losingLeadershipBeforeTheCommitAnswersNotCoordinator() {
        lead(0, 1);
        CompletableFuture<String> write = put(0, "k", "v");
        log.failover(0);
        assertThat(failure(write)).isInstanceOf(NotCoordinatorException.class);
    }

    @Test
    void anApiExceptionFailsOnlyThatOperation() {
        lead(0, 1);
        int loadsBefore = log.replays;
        assertThat(failure(put(0, "", "v"))).isInstanceOf(InvalidRequestException.class);
        assertThat(runtime.availability(0)).isEqualTo(Errors.NONE);
        assertThat(log.replays).as("no reload").isEqualTo(loadsBefore);
    }

    @Test
    void aBugInAnOperationReloadsTheShard() {
        lead(0, 1);
        CompletableFuture<String> f = runtime.scheduleWriteOperation("buggy", 0, s -> {
            s.replay(new KvShard.Put("half", "applied"));
            throw new IllegalStateException("bug (expected by the test)");
        });
        loop.runAll();
        assertThat(failure(f)).isInstanceOf(UnknownServerException.class);
        assertThat(read(0).join().values()).as("the half-applied change is gone").isEmpty();
    }

    @Test
    void resigningUnloadsAndAnswersParkedRequestsAtOnce() {
        lead(0, 1);
        CompletableFuture<String> parked = runtime.scheduleParkedOperation("await", 0,
                (KvShard s, CompletableFuture<String> f) -> s.await("k", f));
        loop.runAll();
        runtime.onResign(0, 1);
        loop.runAll();
        assertThat(parked).isCompletedWithValue(KvShard.UNLOADED);
        assertThat(runtime.state(0)).isEqualTo(ShardState.UNLOADED);
        assertThat(failure(put(0, "k", "v"))).isInstanceOf(NotCoordinatorException.class);
    }

    @Test
    void aLoadOvertakenByAResignIsDiscarded() {
        runtime.onBecomeLeader(0, 1);
        runtime.onResign(0, 1);
        loop.runAll();
        assertThat(runtime.state(0)).isEqualTo(ShardState.UNLOADED);
        assertThat(log.replays).as("the load saw it was overtaken before reading").isZero();
    }

    @Test
    void aNewerEpochWhileLoadedKeepsTheShard() {
        lead(0, 1);
        KvShard first = shards.getLast();
        lead(0, 2);
        assertThat(shards.getLast()).isSameAs(first);
        assertThat(runtime.availability(0)).isEqualTo(Errors.NONE);
    }

    @Test
    void aFailedLoadIsRetriedAfterTheBackoff() {
        log.failReplays(new KafkaStorageException("cannot read (expected by the test)"));
        lead(0, 1);
        assertThat(runtime.state(0)).isEqualTo(ShardState.FAILED);
        assertThat(runtime.availability(0)).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        log.failReplays(null);
        timer.advance(LOAD_RETRY_MS - 1);
        loop.runAll();
        assertThat(runtime.state(0)).isEqualTo(ShardState.FAILED);
        timer.advance(1);
        loop.runAll();
        assertThat(runtime.state(0)).isEqualTo(ShardState.ACTIVE);
    }

    @Test
    void timerTasksWriteLikeOperationsAndStopWithTheShard() {
        lead(0, 1);
        put(0, "k", "v");
        log.commit(0);
        runtime.scheduleWriteOperation("expire", 0, s -> s.expireLater("k", 1_000));
        loop.runAll();
        timer.advance(999);
        loop.runAll();
        assertThat(log.records(0)).hasSize(1);
        timer.advance(1);
        loop.runAll();
        assertThat(log.records(0)).last().isEqualTo(new KvShard.Put("k", null));
        log.commit(0);

        runtime.scheduleWriteOperation("expire", 0, s -> s.expireLater("other", 1_000));
        loop.runAll();
        assertThat(shards.getLast().context.timer().size()).isEqualTo(1);
        runtime.onResign(0, 1);
        loop.runAll();
        assertThat(timer.pending()).as("unloading cancels the shard's timers").isZero();
    }

    @Test
    void everyShardReadSkipsPartitionsLedElsewhereAndReportsLoadingOnes() {
        lead(0, 1);
        put(0, "k", "v");
        log.commit(0);
        log.setAvailable(1, false);
        lead(1, 1);
        CompletableFuture<CoordinatorRuntime.EveryShard<KvShard.Snapshot>> all =
                runtime.scheduleReadOnEveryShard("list", KvShard::snapshot);
        loop.runAll();
        assertThat(all.join().results()).extracting(KvShard.Snapshot::values).containsExactly(Map.of("k", "v"));
        assertThat(all.join().someLoading()).isTrue();
    }

    @Test
    void closeAnswersParkedRequestsAndRefusesNewOnes() {
        lead(0, 1);
        CompletableFuture<String> parked = runtime.scheduleParkedOperation("await", 0,
                (KvShard s, CompletableFuture<String> f) -> s.await("k", f));
        loop.runAll();
        runtime.close();
        loop.runAll();
        assertThat(parked).isCompletedWithValue(KvShard.UNLOADED);
        assertThat(failure(put(0, "k", "v"))).isInstanceOf(CoordinatorNotAvailableException.class);
        assertThat(timer.pending()).isZero();
    }

    @Test
    void recordsOfATransactionCountOnlyOnceItsCommitMarkerIsWritten() {
        lead(0, 1);
        TransactionalProducer producer = new TransactionalProducer(7, (short) 0);
        CompletableFuture<String> write = runtime.scheduleTransactionalWriteOperation("txn-put", 0, producer, VerificationGuard.SENTINEL,
                s -> s.put("k", "v"));
        loop.runAll();
        log.commit(0);
        assertThat(write).isCompletedWithValue("ok:v");
        assertThat(read(0).join().values()).as("pending until the marker").isEmpty();
        assertThat(log.entries(0)).singleElement().isInstanceOf(MemoryLog.Entry.Transactional.class);

        CompletableFuture<Void> commit = runtime.scheduleTransactionCompletion("commit", 0, producer, new TransactionEnd(3, TransactionResult.COMMIT, (short) 0));
        loop.runAll();
        assertThat(commit).as("the marker is on the leader only").isNotDone();
        log.commit(0);
        assertThat(commit).isCompleted();
        assertThat(read(0).join().values()).isEqualTo(Map.of("k", "v"));
        assertThat(log.entries(0)).last().isEqualTo(new MemoryLog.Entry.Marker<KvShard.Put>(producer, 3,
                TransactionResult.COMMIT));
    }

    @Test
    void anAbortMarkerDropsTheTransactionsRecordsAndAReloadAgreesWithTheLog() {
        lead(0, 1);
        TransactionalProducer aborted = new TransactionalProducer(7, (short) 0);
        TransactionalProducer open = new TransactionalProducer(8, (short) 0);
        runtime.scheduleTransactionalWriteOperation("txn-put", 0, aborted, VerificationGuard.SENTINEL, s -> s.put("a", "1"));
        runtime.scheduleTransactionalWriteOperation("txn-put", 0, open, VerificationGuard.SENTINEL, s -> s.put("b", "2"));
        runtime.scheduleTransactionCompletion("abort", 0, aborted, new TransactionEnd(3, TransactionResult.ABORT, (short) 0));
        loop.runAll();
        log.commit(0);
        assertThat(read(0).join().values()).isEmpty();

        runtime.onResign(0, 1);
        lead(0, 2);
        KvShard reloaded = shards.getLast();
        assertThat(reloaded.hasPending(aborted)).isFalse();
        assertThat(reloaded.hasPending(open)).as("still open after the reload").isTrue();
        runtime.scheduleTransactionCompletion("commit", 0, open, new TransactionEnd(3, TransactionResult.COMMIT, (short) 0));
        loop.runAll();
        log.commit(0);
        assertThat(read(0).join().values()).isEqualTo(Map.of("b", "2"));
    }
}
