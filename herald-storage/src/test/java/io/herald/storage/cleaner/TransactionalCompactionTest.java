package io.herald.storage.cleaner;

import static org.apache.kafka.common.record.internal.ControlRecordType.ABORT;
import static org.apache.kafka.common.record.internal.ControlRecordType.COMMIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.LogReadResult;
import io.herald.storage.log.LogSegment;
import io.herald.storage.log.PartitionCheckpoint;
import io.herald.storage.log.PartitionLog;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;
import io.herald.storage.testutil.TestRecords.Rec;
import io.herald.storage.txn.AbortedTransaction;
import io.herald.storage.txn.AbortedTxn;
import io.herald.storage.txn.TransactionMarker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction of a log with transactions, by Kafka's rules (see {@link CleanedTransactions}). */
class TransactionalCompactionTest {
    private static final TopicPartition TP = new TopicPartition("txn-compacted", 0);
    private static final long DELETE_RETENTION_MS = 10_000;
    private static final long A = 1L;
    private static final long B = 2L;

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime(1_000_000L);
    private final LogConfig config = LogConfig.from(Map.of("cleanup.policy", "compact", "delete.retention.ms",
        DELETE_RETENTION_MS, "file.delete.delay.ms", 0, "min.cleanable.dirty.ratio", 0.01));
    private final LogCleaner cleaner = new LogCleaner(time);
    private final Map<Long, Integer> sequences = new HashMap<>();
    private PartitionLog log;

    @BeforeEach
    void open() throws Exception {
        log = PartitionLog.open(root.resolve("txn-compacted-0"), TP, config, time, false, PartitionCheckpoint.NONE);
    }

    @AfterEach
    void close() {
        log.close();
    }

    private long txn(long pid, String key, String value) {
        int seq = sequences.getOrDefault(pid, 0);
        sequences.put(pid, seq + 1);
        return log.appendAsLeader(TestRecords.transactionalBatch(pid, (short) 0, seq, List.of(KV.of(key, value))), 0)
            .firstOffset();
    }

    private long plain(String key, String value) {
        return log.appendAsLeader(TestRecords.batch(List.of(KV.of(key, value))), 0).firstOffset();
    }

    private long end(long pid, ControlRecordType type) {
        return log.appendTransactionMarker(new TransactionMarker(pid, (short) 0, 0, type), 0).firstOffset();
    }

    private void replicated() {
        log.updateHighWatermark(log.logEndOffset());
    }

    /** Every batch of the log: data records as key=value@offset, markers as COMMIT/ABORT@offset. */
    private List<String> contents() {
        List<String> out = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            LogReadResult r = log.read(next, Integer.MAX_VALUE, Long.MAX_VALUE, true);
            List<MutableRecordBatch> batches = TestRecords.batches(r.slice());
            if (batches.isEmpty()) {
                break;
            }
            for (MutableRecordBatch b : batches) {
                if (b.isControlBatch()) {
                    out.add(b.iterator().hasNext() ? ControlRecordType.parse(b.iterator().next().key()) + "@" + b.baseOffset()
                        : "empty-control@" + b.baseOffset());
                } else if (b.countOrNull() == 0) {
                    out.add("empty@" + b.baseOffset());
                } else {
                    b.forEach(rec -> out.add(str(rec.key()) + "=" + str(rec.value()) + "@" + rec.offset()));
                }
                next = b.nextOffset();
            }
        }
        return out;
    }

    private static String str(java.nio.ByteBuffer b) {
        return b == null ? null : java.nio.charset.StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    @Test
    void abortedDataGoesAndMarkersStayUntilTheirTransactionIsEmptyAndDeleteRetentionPassed() throws Exception {
        plain("k1", "v1"); // 0
        txn(A, "k1", "aborted"); // 1: must not shadow k1=v1
        txn(A, "k2", "aborted"); // 2
        txn(B, "k3", "committed"); // 3
        end(A, ABORT); // 4
        end(B, COMMIT); // 5
        log.roll();
        // Both producers write on in the active segment, so the batches above are not their last ones.
        txn(A, "x", "later"); // 6
        end(A, COMMIT); // 7
        txn(B, "y", "later"); // 8
        end(B, COMMIT); // 9
        replicated();

        cleaner.clean(log);
        // The abort marker stays: this pass still found data of its transaction; so does its index entry.
        assertThat(contents()).startsWith("k1=v1@0", "k3=committed@3", "ABORT@4", "COMMIT@5");
        assertThat(log.segments().get(0).abortedTxns()).containsExactly(new AbortedTxn(A, 1, 4, 3));
        assertThat(log.abortedTransactions(0, 6)).containsExactly(new AbortedTransaction(A, 1, 4));

        cleaner.clean(log);
        // Its transaction is empty now: the marker is kept for delete.retention.ms, the entry not at all.
        assertThat(contents()).startsWith("k1=v1@0", "k3=committed@3", "ABORT@4", "COMMIT@5");
        assertThat(log.segments().get(0).abortedTxns()).isEmpty();
        assertThat(root.resolve("txn-compacted-0").resolve(LogSegment.fileName(0, LogSegment.TXN_INDEX_SUFFIX)))
            .doesNotExist();
        MutableRecordBatch abort = batchAt(4);
        assertThat(abort.deleteHorizonMs()).hasValue(time.milliseconds() + DELETE_RETENTION_MS);

        time.advance(DELETE_RETENTION_MS - 1);
        assertThat(cleaner.maybeClean(log)).isEmpty();
        time.advance(1);
        assertThat(cleaner.maybeClean(log)).isPresent(); // the pending marker horizon makes the log due
        assertThat(contents()).startsWith("k1=v1@0", "k3=committed@3", "COMMIT@5").doesNotContain("ABORT@4");
    }

    @Test
    void commitMarkerStaysAsLongAsDataOfItsTransactionDoes() throws Exception {
        txn(B, "k", "old"); // 0
        end(B, COMMIT); // 1
        plain("k", "new"); // 2: supersedes B's record
        log.roll();
        txn(B, "z", "later"); // 3
        end(B, COMMIT); // 4
        replicated();

        cleaner.clean(log);
        // B's batch emptied and went, but this pass saw it: the marker stays this time.
        assertThat(contents()).startsWith("COMMIT@1", "k=new@2");
        cleaner.clean(log);
        assertThat(batchAt(1).deleteHorizonMs()).isPresent();
        time.advance(DELETE_RETENTION_MS);
        cleaner.clean(log);
        assertThat(contents()).startsWith("k=new@2", "z=later@3");
    }

    @Test
    void ongoingTransactionsAreNeverCleaned() throws Exception {
        plain("k", "v0"); // 0
        txn(A, "k", "in-flight"); // 1: open
        plain("k", "v2"); // 2
        log.roll();
        plain("k", "v3"); // 3
        log.roll();
        replicated();

        LogCleaner.CleanResult result = cleaner.clean(log);
        assertThat(result.segmentsRewritten()).isZero(); // nothing below the first unstable offset 1 is whole
        assertThat(contents()).containsExactly("k=v0@0", "k=in-flight@1", "k=v2@2", "k=v3@3");

        end(A, COMMIT); // 4
        log.roll();
        replicated();
        cleaner.clean(log);
        // A's transaction is committed now and compacts like any data; its batch is A's last, so it stays, emptied.
        assertThat(contents()).containsExactly("empty@1", "k=v3@3", "COMMIT@4");
    }

    @Test
    void producersLastBatchIsKeptEmptySoItsSequenceSurvives() throws Exception {
        txn(A, "k", "aborted"); // 0: A's last data batch
        end(A, ABORT); // 1
        plain("p", "q"); // 2
        log.roll();
        plain("p", "r"); // 3
        replicated();

        cleaner.clean(log);
        // The marker stays too: Kafka keeps it while its transaction has a batch, even an empty one.
        assertThat(contents()).containsExactly("empty@0", "ABORT@1", "p=q@2", "p=r@3");
        MutableRecordBatch empty = batchAt(0);
        assertThat(empty.producerId()).isEqualTo(A);
        assertThat(empty.baseSequence()).isZero();
        // A restart without snapshots still finds A's sequence in the log.
        log.close();
        try (var files = java.nio.file.Files.list(root.resolve("txn-compacted-0"))) {
            for (Path p : files.filter(p -> p.toString().endsWith(".snapshot")).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
        log = PartitionLog.open(root.resolve("txn-compacted-0"), TP, config, time, true, PartitionCheckpoint.NONE);
        assertThat(log.producerState(A).orElseThrow().lastSequence()).isZero();
    }

    private MutableRecordBatch batchAt(long offset) {
        return TestRecords.batches(log.read(offset, Integer.MAX_VALUE, offset + 1, true).slice()).get(0);
    }

    @Test
    void cleanedSegmentsOfAFollowerReplicate() throws Exception {
        txn(A, "k", "aborted");
        end(A, ABORT);
        log.roll();
        plain("z", "z");
        replicated();
        cleaner.clean(log);
        try (PartitionLog follower = PartitionLog.open(root.resolve("follower-0"), TP, config, time, false,
            PartitionCheckpoint.NONE)) {
            follower.appendAsFollower(org.apache.kafka.common.record.internal.MemoryRecords.readableRecords(
                TestRecords.readSlice(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).slice())));
            assertThat(follower.logEndOffset()).isEqualTo(2); // one read: the cleaned first segment
            assertThat(follower.abortedTransactions(0, 10)).isEqualTo(log.abortedTransactions(0, 10));
        }
    }
}
