package io.herald.storage.log;

import static org.apache.kafka.common.record.internal.ControlRecordType.ABORT;
import static org.apache.kafka.common.record.internal.ControlRecordType.COMMIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.codec.GoldenFixtures;
import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.producer.BatchMetadata;
import io.herald.storage.producer.ProducerStateManager;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;
import io.herald.storage.txn.AbortedTransaction;
import io.herald.storage.txn.AbortedTxn;
import io.herald.storage.txn.TransactionMarker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transaction index and the first unstable offset through a log's life: segment rolls, truncation, retention,
 * DeleteRecords, emptying, a corrupt index, an interrupted compaction swap, and a snapshot of the old format.
 */
class TransactionLifecycleTest {
    private static final TopicPartition TP = new TopicPartition("life", 0);
    private static final long A = 100L;
    private static final long B = 200L;

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime(1_000_000L);
    private final LogConfig config = LogConfig.from(Map.of("file.delete.delay.ms", 0, "retention.ms", -1,
        "retention.bytes", -1));
    private Path dir;
    private PartitionLog log;
    private final Map<Long, Integer> sequences = new java.util.HashMap<>();

    @BeforeEach
    void open() throws Exception {
        dir = root.resolve("life-0");
        log = PartitionLog.open(dir, TP, config, time, false, PartitionCheckpoint.NONE);
    }

    @AfterEach
    void close() {
        log.close();
    }

    private long data(long pid, int count) {
        int seq = sequences.getOrDefault(pid, 0);
        List<KV> kvs = IntStream.range(0, count).mapToObj(i -> KV.of("k" + i, "v" + i)).toList();
        sequences.put(pid, seq + count);
        return log.appendAsLeader(TestRecords.transactionalBatch(pid, (short) 0, seq, kvs), 0).firstOffset();
    }

    private long end(long pid, org.apache.kafka.common.record.internal.ControlRecordType type) {
        return log.appendTransactionMarker(new TransactionMarker(pid, (short) 0, 0, type), 0).firstOffset();
    }

    private Path txnIndexFile(long base) {
        return dir.resolve(LogSegment.fileName(base, LogSegment.TXN_INDEX_SUFFIX));
    }

    @Test
    void transactionSpanningSegmentsIsIndexedInTheMarkersSegment() throws Exception {
        long first = data(A, 2); // 0..1
        log.roll();
        data(B, 1); // 2
        long abort = end(A, ABORT); // 3
        log.roll();
        end(B, COMMIT); // 4

        assertThat(txnIndexFile(0)).doesNotExist();
        assertThat(log.segments().get(1).abortedTxns()).containsExactly(new AbortedTxn(A, first, abort, 2));
        assertThat(txnIndexFile(4)).doesNotExist(); // a commit indexes nothing
        // A fetch in the first segment finds the entry in the second.
        assertThat(log.abortedTransactions(0, 2)).containsExactly(new AbortedTransaction(A, 0, 3));
        assertThat(log.abortedTransactions(4, 5)).isEmpty();
    }

    @Test
    void truncationRollsBackTransactionsAndTheirIndexEntries() throws Exception {
        data(A, 2); // 0..1
        end(A, ABORT); // 2
        data(B, 1); // 3
        log.roll();
        data(A, 1); // 4
        end(B, ABORT); // 5
        log.updateHighWatermark(3);
        assertThat(log.firstUnstableOffset()).hasValue(3);

        log.truncateTo(5); // B's abort goes: B is open again
        assertThat(log.segments().get(1).abortedTxns()).isEmpty();
        assertThat(log.abortedTransactions(0, 10)).containsExactly(new AbortedTransaction(A, 0, 2));
        assertThat(log.producerState(B).orElseThrow().currentTxnFirstOffset()).hasValue(3);
        assertThat(log.firstUnstableOffset()).hasValue(3);

        log.truncateTo(2); // A's abort goes too; B never started; A open again from 0
        assertThat(txnIndexFile(4)).doesNotExist(); // with its segment
        assertThat(log.abortedTransactions(0, 10)).isEmpty();
        assertThat(log.segments().get(0).abortedTxns()).isEmpty();
        assertThat(log.producerState(B)).isEmpty();
        assertThat(log.producerState(A).orElseThrow().currentTxnFirstOffset()).hasValue(0);
        assertThat(log.firstUnstableOffset()).hasValue(0);

        // The log goes on from there: a new abort is indexed again.
        end(A, ABORT);
        assertThat(log.abortedTransactions(0, 10)).containsExactly(new AbortedTransaction(A, 0, 2));
    }

    @Test
    void retentionTakesTheIndexWithItsSegment() throws Exception {
        data(A, 1);
        end(A, ABORT); // 1, in segment 0
        log.roll();
        data(B, 1); // 2
        end(B, ABORT); // 3, in segment 2
        log.roll();
        log.updateHighWatermark(log.logEndOffset());
        assertThat(txnIndexFile(0)).exists();

        log.deleteRecordsBefore(2);
        assertThat(txnIndexFile(0)).doesNotExist();
        assertThat(txnIndexFile(2)).exists();
        assertThat(log.abortedTransactions(2, 10)).containsExactly(new AbortedTransaction(B, 2, 3));
    }

    @Test
    void logStartOffsetPastATransactionsStartRaisesTheFirstUnstableOffset() throws Exception {
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("x", "y"))), 0); // 0
        data(A, 3); // 1..3, open
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("x", "y"))), 0); // 4
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.firstUnstableOffset()).hasValue(1);

        log.deleteRecordsBefore(2);
        // Kafka raises it to the log start offset; the transaction itself is still open.
        assertThat(log.firstUnstableOffset()).hasValue(2);
        assertThat(log.lastStableOffset()).isEqualTo(2);
        end(A, ABORT);
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.firstUnstableOffset()).isEmpty();
        // The entry keeps the transaction's real first offset, as Kafka's does.
        assertThat(log.abortedTransactions(2, 10)).containsExactly(new AbortedTransaction(A, 1, 5));
    }

    @Test
    void emptyingTheLogForgetsTransactions() throws Exception {
        data(A, 2);
        end(A, ABORT);
        data(B, 1);
        log.truncateFullyAndStartAt(50);
        assertThat(log.firstUnstableOffset()).isEmpty();
        assertThat(log.abortedTransactions(50, 100)).isEmpty();
        assertThat(log.activeProducers()).isEmpty();
        assertThat(txnIndexFile(0)).doesNotExist();
    }

    @Test
    void corruptIndexIsRebuiltFromTheLogOnACleanStart() throws Exception {
        data(A, 2);
        end(A, ABORT);
        data(B, 1);
        end(B, ABORT);
        log.roll();
        List<AbortedTxn> entries = log.segments().get(0).abortedTxns();
        log.close();
        byte[] bytes = Files.readAllBytes(txnIndexFile(0));
        bytes[1] = 7; // version 7
        Files.write(txnIndexFile(0), bytes);

        log = PartitionLog.open(dir, TP, config, time, false, PartitionCheckpoint.NONE);
        assertThat(log.segments().get(0).abortedTxns()).isEqualTo(entries).hasSize(2);
    }

    @Test
    void interruptedCompactionSwapIsCompletedWithItsIndexOrDiscarded() throws Exception {
        data(A, 2); // 0..1
        end(A, ABORT); // 2
        log.roll();
        log.close();
        Path log0 = dir.resolve(LogSegment.fileName(0, LogSegment.LOG_SUFFIX));
        Path cleanedIndex = dir.resolve(LogSegment.fileName(0, LogSegment.TXN_INDEX_SUFFIX) + ".swap");
        AbortedTxn cleanedEntry = new AbortedTxn(A, 0, 2, 3);

        // Crash before the commit point: only the index swap exists; it is dropped, the original stays.
        io.herald.storage.txn.TransactionIndex.writeFile(cleanedIndex, List.of(new AbortedTxn(A, 0, 2, 99)));
        log = PartitionLog.open(dir, TP, config, time, false, PartitionCheckpoint.NONE);
        assertThat(cleanedIndex).doesNotExist();
        assertThat(log.segments().get(0).abortedTxns()).containsExactly(cleanedEntry);
        log.close();

        // Crash after it: the log swap wins, with its index.
        Files.copy(log0, dir.resolve(log0.getFileName() + ".swap"));
        io.herald.storage.txn.TransactionIndex.writeFile(cleanedIndex, List.of(new AbortedTxn(A, 0, 2, 99)));
        log = PartitionLog.open(dir, TP, config, time, false, PartitionCheckpoint.NONE);
        assertThat(log.segments().get(0).abortedTxns()).containsExactly(new AbortedTxn(A, 0, 2, 99));
        log.close();

        // A log swap without an index swap: the cleaned segment has no aborted transaction left.
        Files.copy(log0, dir.resolve(log0.getFileName() + ".swap"));
        log = PartitionLog.open(dir, TP, config, time, false, PartitionCheckpoint.NONE);
        assertThat(log.segments().get(0).abortedTxns()).isEmpty();
        assertThat(txnIndexFile(0)).doesNotExist();
    }

    @Test
    void aSnapshotOfTheOldFormatIsStillLoaded() throws Exception {
        // The v1 fixture holds producer 1000 (epoch 3, batches [0..4]@10..14 and [5..5]@20) as of offset 33.
        for (int i = 0; i < 33; i++) {
            log.appendAsLeader(TestRecords.batch(List.of(KV.of("f", "filler"))), 0);
        }
        log.close();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(ProducerStateManager.SNAPSHOT_SUFFIX)).toList()) {
                Files.delete(p);
            }
        }
        Files.write(ProducerStateManager.snapshotFile(dir, 33),
            GoldenFixtures.of("producer-snapshot").read("snapshot-v1").bytes("entry"));

        log = PartitionLog.open(dir, TP, config, time, false, PartitionCheckpoint.NONE);
        assertThat(log.producerState(1000L).orElseThrow().batches())
            .containsExactly(new BatchMetadata(0, 4, 10, 14), new BatchMetadata(5, 5, 20, 20));
        assertThat(log.producerState(1000L).orElseThrow().coordinatorEpoch()).isEqualTo(-1);
        MemoryRecords retry = TestRecords.idempotentBatch(Compression.NONE, 1000L, (short) 3, 0,
            IntStream.range(0, 5).mapToObj(i -> KV.of("k", "v")).toList());
        LogAppendInfo dup = log.appendAsLeader(retry, 0);
        assertThat(dup.duplicate()).isTrue();
        assertThat(dup.firstOffset()).isEqualTo(10);
        assertThat(log.appendAsLeader(TestRecords.idempotentBatch(Compression.NONE, 1000L, (short) 3, 6,
            List.of(KV.of("k", "v"))), 0).firstOffset()).isEqualTo(33);
    }
}
