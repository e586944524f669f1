package io.herald.storage.log;

import static org.apache.kafka.common.record.internal.ControlRecordType.ABORT;
import static org.apache.kafka.common.record.internal.ControlRecordType.COMMIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.producer.ProducerStateEntry;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;
import io.herald.storage.txn.AbortedTransaction;
import io.herald.storage.txn.TransactionMarker;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The producer-state rules of transactional appends and end markers, each as Kafka 4.3 applies it. */
class TransactionRulesTest {
    private static final TopicPartition TP = new TopicPartition("txn", 0);
    private static final long PID = 5000L;
    private static final short EPOCH = 3;

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime(1_000_000L);
    private PartitionLog log;

    @BeforeEach
    void open() throws Exception {
        log = open("txn-0", LogConfig.defaults());
    }

    private PartitionLog open(String name, LogConfig config) throws Exception {
        return PartitionLog.open(root.resolve(name), TP, config, time, false, PartitionCheckpoint.NONE);
    }

    @AfterEach
    void close() {
        log.close();
    }

    private static MemoryRecords txn(long pid, int epoch, int seq, int count) {
        return TestRecords.transactionalBatch(pid, (short) epoch, seq, kvs(seq, count));
    }

    private static List<KV> kvs(int seq, int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> KV.of("k" + (seq + i), "v" + (seq + i))).toList();
    }

    private static TransactionMarker marker(long pid, int epoch, int coordinatorEpoch,
                                            org.apache.kafka.common.record.internal.ControlRecordType type) {
        return new TransactionMarker(pid, (short) epoch, coordinatorEpoch, type);
    }

    @Test
    void transactionalBatchStartsATransactionAndTheMarkerCompletesIt() {
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("a", "b"))), 0);
        LogAppendInfo first = log.appendAsLeader(txn(PID, EPOCH, 0, 2), 0);
        log.appendAsLeader(txn(PID, EPOCH, 2, 1), 0);
        log.updateHighWatermark(log.logEndOffset());

        assertThat(log.firstUnstableOffset()).hasValue(1);
        assertThat(log.lastStableOffset()).isEqualTo(1);
        assertThat(log.producerState(PID).orElseThrow().currentTxnFirstOffset()).hasValue(first.firstOffset());

        LogAppendInfo commit = log.appendTransactionMarker(marker(PID, EPOCH, 0, COMMIT), 0);
        assertThat(commit.firstOffset()).isEqualTo(4).isEqualTo(commit.lastOffset());
        // Decided, but the marker is not replicated yet: still unstable (Kafka's unreplicated transactions).
        assertThat(log.firstUnstableOffset()).hasValue(1);
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.firstUnstableOffset()).isEmpty();
        assertThat(log.lastStableOffset()).isEqualTo(5);
        assertThat(log.producerState(PID).orElseThrow().currentTxnFirstOffset()).isEmpty();
        assertThat(log.abortedTransactions(0, 5)).isEmpty();
    }

    @Test
    void abortedTransactionIsIndexedAndReportedForOverlappingFetches() {
        log.appendAsLeader(txn(PID, EPOCH, 0, 3), 0);
        log.appendTransactionMarker(marker(PID, EPOCH, 0, ABORT), 0);

        AbortedTransaction aborted = new AbortedTransaction(PID, 0, 3);
        assertThat(log.abortedTransactions(0, 4)).containsExactly(aborted);
        assertThat(log.abortedTransactions(3, 4)).containsExactly(aborted);
        assertThat(log.abortedTransactions(0, 0)).isEmpty(); // bound at or below the first offset
        assertThat(log.abortedTransactions(4, 10)).isEmpty(); // starts after the marker
    }

    @Test
    void markerDescribesTheProducerForDescribeProducers() {
        time.advance(1_000_000L);
        log.appendAsLeader(txn(PID, EPOCH, 0, 2), 0);
        ProducerStateEntry during = log.activeProducers().iterator().next();
        assertThat(during.producerId()).isEqualTo(PID);
        assertThat(during.producerEpoch()).isEqualTo(EPOCH);
        assertThat(during.lastSequence()).isEqualTo(1);
        assertThat(during.lastTimestamp()).isEqualTo(1_000L); // the batch's max timestamp
        assertThat(during.coordinatorEpoch()).isEqualTo(-1);
        assertThat(during.currentTxnFirstOffset()).hasValue(0);

        log.appendTransactionMarker(marker(PID, EPOCH, 7, COMMIT), 0);
        ProducerStateEntry after = log.producerState(PID).orElseThrow();
        assertThat(after.coordinatorEpoch()).isEqualTo(7);
        assertThat(after.lastTimestamp()).isEqualTo(2_000_000L); // the marker's, stamped by the broker
        assertThat(after.lastSequence()).isEqualTo(1);
        assertThat(after.currentTxnFirstOffset()).isEmpty();
    }

    @Test
    void markerWithAnOlderProducerEpochIsFenced() {
        log.appendAsLeader(txn(PID, EPOCH, 0, 1), 0);
        long end = log.logEndOffset();
        assertThatThrownBy(() -> log.appendTransactionMarker(marker(PID, EPOCH - 1, 0, ABORT), 0))
            .isInstanceOf(InvalidProducerEpochException.class);
        assertThat(log.logEndOffset()).isEqualTo(end);
        assertThat(log.firstUnstableOffset()).hasValue(0);
        // Before transaction version 2 an equal epoch is the normal case.
        log.appendTransactionMarker(marker(PID, EPOCH, 0, ABORT), 0);
        assertThat(log.producerState(PID).orElseThrow().currentTxnFirstOffset()).isEmpty();
    }

    @Test
    void transactionVersionTwoFencesAnEqualEpochUnlessTheTransactionAlreadyEnded() {
        log.appendAsLeader(txn(PID, EPOCH, 0, 1), 0);
        assertThatThrownBy(() -> log.appendTransactionMarker(new TransactionMarker(PID, EPOCH, 0, COMMIT, (short) 2), 0))
            .isInstanceOf(InvalidProducerEpochException.class);
        // The coordinator bumps the epoch when it ends the transaction (KIP-890).
        log.appendTransactionMarker(new TransactionMarker(PID, (short) (EPOCH + 1), 0, COMMIT, (short) 2), 0);
        ProducerStateEntry bumped = log.producerState(PID).orElseThrow();
        assertThat(bumped.producerEpoch()).isEqualTo((short) (EPOCH + 1));
        assertThat(bumped.batches()).isEmpty(); // a new epoch forgets the old one's batches
        // A retried marker with the bumped epoch, after the transaction ended, is written again (Kafka's retry rule).
        long end = log.logEndOffset();
        LogAppendInfo retry = log.appendTransactionMarker(new TransactionMarker(PID, (short) (EPOCH + 1), 0, COMMIT,
            (short) 2), 0);
        assertThat(retry.firstOffset()).isEqualTo(end);
        // The producer's next transaction in the bumped epoch starts at sequence 0.
        log.appendAsLeader(txn(PID, EPOCH + 1, 0, 1), 0);
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.firstUnstableOffset()).hasValue(end + 1);
    }

    @Test
    void markerFromAnOlderCoordinatorIsFenced() {
        log.appendAsLeader(txn(PID, EPOCH, 0, 1), 0);
        log.appendTransactionMarker(marker(PID, EPOCH, 5, COMMIT), 0);
        log.appendAsLeader(txn(PID, EPOCH, 1, 1), 0);
        long end = log.logEndOffset();
        assertThatThrownBy(() -> log.appendTransactionMarker(marker(PID, EPOCH, 4, ABORT), 0))
            .isInstanceOf(TransactionCoordinatorFencedException.class);
        assertThat(log.logEndOffset()).isEqualTo(end);
        log.appendTransactionMarker(marker(PID, EPOCH, 5, ABORT), 0); // same coordinator epoch: fine
        assertThat(log.abortedTransactions(0, 100)).containsExactly(new AbortedTransaction(PID, end - 1, end));
    }

    @Test
    void clientControlBatchesAreRefused() {
        MemoryRecords control = MemoryRecords.withEndTransactionMarker(0L, time.milliseconds(), 0, PID, EPOCH,
            new EndTransactionMarker(COMMIT, 0));
        assertThatThrownBy(() -> log.appendAsLeader(control, 0)).isInstanceOf(InvalidRecordException.class)
            .hasMessageContaining("control records");
        assertThatThrownBy(() -> log.appendAsCoordinator(control, 0)).isInstanceOf(InvalidRecordException.class);
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void producerBatchWithoutSequenceIsRefusedFromClientsButNotFromCoordinators() {
        MemoryRecords noSequence = withBaseSequence(TestRecords.idempotentBatch(Compression.NONE, PID, EPOCH, 0,
            kvs(0, 1)), RecordBatch.NO_SEQUENCE);
        assertThatThrownBy(() -> log.appendAsLeader(noSequence, 0)).isInstanceOf(InvalidRecordException.class)
            .hasMessageContaining("sequence");
        // Coordinators (transactional offset commits) do not keep sequences: every batch starts at 0.
        log.appendAsCoordinator(txn(PID, EPOCH, 0, 1), 0);
        log.appendAsCoordinator(txn(PID, EPOCH, 0, 1), 0);
        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThat(log.firstUnstableOffset()).hasValue(0);
        assertThatThrownBy(() -> log.appendAsCoordinator(txn(PID, EPOCH - 1, 0, 1), 0))
            .isInstanceOf(InvalidProducerEpochException.class);
    }

    @Test
    void nonTransactionalBatchDuringATransactionIsRefused() {
        log.appendAsLeader(txn(PID, EPOCH, 0, 2), 0);
        MemoryRecords idempotent = TestRecords.idempotentBatch(Compression.NONE, PID, EPOCH, 2, kvs(2, 1));
        assertThatThrownBy(() -> log.appendAsLeader(idempotent, 0)).isInstanceOf(InvalidTxnStateException.class);
        assertThat(log.logEndOffset()).isEqualTo(2);
        // Another producer is not affected, and after the marker the producer may write idempotently again.
        log.appendAsLeader(TestRecords.idempotentBatch(Compression.NONE, PID + 1, EPOCH, 0, kvs(0, 1)), 0);
        log.appendTransactionMarker(marker(PID, EPOCH, 0, COMMIT), 0);
        log.appendAsLeader(TestRecords.idempotentBatch(Compression.NONE, PID, EPOCH, 2, kvs(2, 1)), 0);
    }

    @Test
    void markerWithoutDataCompletesNothing() {
        log.appendTransactionMarker(marker(PID, EPOCH, 0, ABORT), 0);
        assertThat(log.firstUnstableOffset()).isEmpty();
        assertThat(log.abortedTransactions(0, 10)).isEmpty();
        assertThat(log.segments().get(0).txnIndex().file()).doesNotExist();
        assertThat(log.producerState(PID).orElseThrow().producerEpoch()).isEqualTo(EPOCH);
    }

    @Test
    void markerIsStampedWithTheLogAppendTime() throws Exception {
        log.close();
        log = open("lat-0", LogConfig.from(Map.of("message.timestamp.type", "LogAppendTime")));
        log.appendAsLeader(txn(PID, EPOCH, 0, 1), 2);
        time.advance(2_000_000L);
        LogAppendInfo info = log.appendTransactionMarker(marker(PID, EPOCH, 0, COMMIT), 2);
        assertThat(info.logAppendTime()).isEqualTo(3_000_000L);
        MutableRecordBatch batch = TestRecords.batches(log.read(info.firstOffset(), 1000, Long.MAX_VALUE, true).slice())
            .get(0);
        assertThat(batch.isControlBatch()).isTrue();
        assertThat(batch.isTransactional()).isTrue();
        assertThat(batch.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(batch.maxTimestamp()).isEqualTo(3_000_000L);
        assertThat(batch.partitionLeaderEpoch()).isEqualTo(2);
        assertThat(batch.producerId()).isEqualTo(PID);
        assertThat(EndTransactionMarker.deserialize(batch.iterator().next()).coordinatorEpoch()).isZero();
    }

    @Test
    void followerAppliesReplicatedMarkersAndOnlyLogsFencing() throws Exception {
        log.appendAsLeader(txn(PID, EPOCH, 0, 2), 0);
        log.appendAsLeader(txn(PID + 1, EPOCH, 0, 1), 0);
        log.appendTransactionMarker(marker(PID, EPOCH, 3, ABORT), 0);
        log.appendTransactionMarker(marker(PID + 1, EPOCH, 3, COMMIT), 0);
        log.appendAsLeader(txn(PID, EPOCH, 2, 1), 0);

        try (PartitionLog follower = open("follower-0", LogConfig.defaults())) {
            follower.appendAsFollower(MemoryRecords.readableRecords(
                TestRecords.readSlice(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).slice())));
            assertThat(follower.abortedTransactions(0, 100)).isEqualTo(log.abortedTransactions(0, 100))
                .containsExactly(new AbortedTransaction(PID, 0, 3));
            assertThat(follower.firstUnstableOffset()).isEqualTo(log.firstUnstableOffset()).hasValue(0);
            follower.updateHighWatermark(follower.logEndOffset());
            log.updateHighWatermark(log.logEndOffset());
            assertThat(follower.firstUnstableOffset()).isEqualTo(log.firstUnstableOffset()).hasValue(5);
            assertThat(follower.segments().get(0).abortedTxns()).isEqualTo(log.segments().get(0).abortedTxns());
            assertThat(follower.producerState(PID)).isEqualTo(log.producerState(PID));

            // A stale marker reaching a follower was accepted by its leader: logged, not refused (Kafka).
            MemoryRecords stale = MemoryRecords.withEndTransactionMarker(follower.logEndOffset(), time.milliseconds(), 0,
                PID, (short) (EPOCH - 1), new EndTransactionMarker(ABORT, 1));
            follower.appendAsFollower(stale);
            follower.updateHighWatermark(follower.logEndOffset());
            assertThat(follower.firstUnstableOffset()).isEmpty();
            assertThat(follower.abortedTransactions(5, 100)).containsExactly(new AbortedTransaction(PID, 5, 6));

            // A non-transactional batch inside a transaction is refused on followers too, as Kafka does.
            follower.appendAsFollower(offsetAt(txn(PID + 2, 0, 0, 1), follower.logEndOffset()));
            assertThatThrownBy(() -> follower.appendAsFollower(offsetAt(TestRecords.idempotentBatch(Compression.NONE,
                PID + 2, (short) 0, 1, kvs(1, 1)), follower.logEndOffset())))
                .isInstanceOf(InvalidTxnStateException.class);
        }
    }

    @Test
    void unreplicatedMarkersKeepTheTransactionUnstableUntilTheHighWatermarkPassesThem() {
        log.appendAsLeader(txn(PID, EPOCH, 0, 2), 0); // 0..1
        log.appendAsLeader(txn(PID + 1, EPOCH, 0, 2), 0); // 2..3
        log.appendTransactionMarker(marker(PID + 1, EPOCH, 0, COMMIT), 0); // 4
        log.appendTransactionMarker(marker(PID, EPOCH, 0, COMMIT), 0); // 5
        log.updateHighWatermark(5);
        // PID+1's marker (4) is below the high watermark, PID's (5) is not.
        assertThat(log.firstUnstableOffset()).hasValue(0);
        assertThat(log.lastStableOffset()).isZero();
        log.updateHighWatermark(6);
        assertThat(log.firstUnstableOffset()).isEmpty();
        assertThat(log.lastStableOffset()).isEqualTo(6);
    }

    @Test
    void lastStableOffsetOfAnIndexEntryIsHeldBackByAnotherProducersOpenTransaction() throws Exception {
        log.appendAsLeader(txn(PID, EPOCH, 0, 1), 0); // 0
        log.appendAsLeader(txn(PID + 1, EPOCH, 0, 1), 0); // 1
        log.appendTransactionMarker(marker(PID, EPOCH, 0, ABORT), 0); // 2: PID+1 still open at 1
        log.appendTransactionMarker(marker(PID + 1, EPOCH, 0, ABORT), 0); // 3
        assertThat(log.segments().get(0).abortedTxns()).containsExactly(
            new io.herald.storage.txn.AbortedTxn(PID, 0, 2, 1), new io.herald.storage.txn.AbortedTxn(PID + 1, 1, 3, 4));
    }

    /** The batch with another base sequence, CRC recomputed (the builder refuses a negative one). */
    private static MemoryRecords withBaseSequence(MemoryRecords records, int baseSequence) {
        java.nio.ByteBuffer b = records.buffer();
        b.putInt(53, baseSequence);
        b.putInt(17, (int) org.apache.kafka.common.utils.Crc32C.compute(b, 21, b.limit() - 21));
        return MemoryRecords.readableRecords(b);
    }

    private static MemoryRecords offsetAt(MemoryRecords records, long baseOffset) {
        records.batches().forEach(b -> b.setLastOffset(baseOffset + b.lastOffset() - b.baseOffset()));
        return records;
    }
}
