package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.producer.ProducerStateEntry;
import io.herald.storage.testutil.TestDirs;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;
import io.herald.storage.txn.AbortedTransaction;
import io.herald.storage.txn.AbortedTxn;
import io.herald.storage.txn.TransactionMarker;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transactional state after a crash and after a clean restart: a log with transactions of several producers across
 * segments is cut at every batch boundary of its last segments, and inside batches (markers included), then
 * recovered; its ongoing transactions, first unstable offset, producer entries and every segment's transaction
 * index must be exactly what the live log had with that prefix.
 */
class TransactionRecoveryTest {
    private static final TopicPartition TP = new TopicPartition("txn-crash", 0);
    private static final int STEPS = 70;

    /** What the live log looked like right after one batch was appended. */
    record State(long logEndOffset, int segmentBytes, long segmentBase, OptionalLong firstUnstableOffset,
                 Set<ProducerStateEntry> producers, Map<Long, List<AbortedTxn>> txnIndexes,
                 List<AbortedTransaction> aborted) {}

    private final ManualTime time = new ManualTime(10_000L);
    private Path root;
    private Path source;
    private LogConfig config;
    private final List<State> states = new ArrayList<>();

    @BeforeEach
    void writeLog() throws Exception {
        root = TestDirs.create("txn-crash");
        source = root.resolve("src").resolve("txn-crash-0");
        config = LogConfig.from(Map.of("internal.segment.bytes", 900, "index.interval.bytes", 120,
            "segment.index.bytes", 4096, "retention.ms", -1, "retention.bytes", -1));
        PartitionLog log = PartitionLog.open(source, TP, config, time, false, PartitionCheckpoint.NONE);
        Random random = new Random(20240607);
        Map<Long, Integer> sequences = new HashMap<>();
        Map<Long, Boolean> open = new HashMap<>();
        states.add(state(log));
        for (int step = 0; step < STEPS; step++) {
            time.advance(1 + random.nextInt(5));
            long pid = 1 + random.nextInt(3);
            int op = random.nextInt(10);
            if (op < 5) {
                int seq = sequences.getOrDefault(pid, 0);
                int n = 1 + random.nextInt(3);
                List<KV> kvs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    kvs.add(new KV("k" + random.nextInt(9), "v" + step + "-" + i, time.milliseconds()));
                }
                log.appendAsLeader(TestRecords.transactionalBatch(pid, (short) 0, seq, kvs), 1);
                sequences.put(pid, seq + n);
                open.put(pid, true);
            } else if (op < 8) {
                ControlRecordType type = random.nextBoolean() ? ControlRecordType.ABORT : ControlRecordType.COMMIT;
                log.appendTransactionMarker(new TransactionMarker(pid, (short) 0, 1, type), 1);
                open.put(pid, false);
            } else if (op == 8) {
                int seq = sequences.getOrDefault(10L, 0);
                log.appendAsLeader(TestRecords.idempotentBatch(Compression.NONE, 10L, (short) 0, seq,
                    List.of(new KV("i", "idempotent" + step, time.milliseconds()))), 1);
                sequences.put(10L, seq + 1);
            } else {
                log.appendAsLeader(TestRecords.batch(List.of(new KV("p", "plain" + step, time.milliseconds()))), 1);
            }
            states.add(state(log));
        }
        assertThat(log.numberOfSegments()).isGreaterThan(3);
        assertThat(states.get(STEPS).aborted()).hasSizeGreaterThan(3);
        log.flush();
        // Deliberately not closed: the directory looks like a crashed broker's (snapshots only from rolls).
    }

    private static State state(PartitionLog log) throws Exception {
        log.updateHighWatermark(log.logEndOffset());
        Map<Long, List<AbortedTxn>> indexes = new TreeMap<>();
        for (LogSegment s : log.segments()) {
            indexes.put(s.baseOffset(), s.abortedTxns());
        }
        LogSegment active = log.segments().get(log.numberOfSegments() - 1);
        return new State(log.logEndOffset(), active.sizeInBytes(), active.baseOffset(), log.firstUnstableOffset(),
            Set.copyOf(log.activeProducers()), indexes, log.abortedTransactions(0, Long.MAX_VALUE));
    }

    @AfterEach
    void cleanUp() {
        TestDirs.delete(root);
    }

    @Test
    void cleanRestartRestoresEverything() throws Exception {
        Path copy = root.resolve("clean").resolve("txn-crash-0");
        TestDirs.copy(source, copy);
        State expected = states.get(STEPS);
        try (PartitionLog log = PartitionLog.open(copy, TP, config, time, true, PartitionCheckpoint.NONE)) {
            assertThat(state(log)).isEqualTo(expected);
            log.close();
            try (PartitionLog reopened = PartitionLog.open(copy, TP, config, time, false,
                new PartitionCheckpoint(expected.logEndOffset(), 0, expected.logEndOffset()))) {
                assertThat(reopened.firstUnstableOffset()).isEqualTo(expected.firstUnstableOffset());
                assertThat(state(reopened)).isEqualTo(expected);
            }
        }
    }

    @Test
    void crashRecoveryRestoresThePrefixAtEveryBatchBoundary() throws Exception {
        long lastBase = states.get(STEPS).segmentBase();
        long previousBase = states.stream().map(State::segmentBase).filter(b -> b < lastBase).max(Long::compare)
            .orElseThrow();
        for (State cut : states) {
            if (cut.segmentBase() == lastBase && cut.segmentBytes() > 0) {
                // The recovery point at the previous segment: two segments re-validated, their indexes rebuilt.
                checkRecovery(cut, cut.segmentBytes(), previousBase, lastBase);
            }
        }
    }

    @Test
    void crashInsideABatchLosesExactlyThatBatch() throws Exception {
        long lastBase = states.get(STEPS).segmentBase();
        for (int i = 1; i < states.size(); i++) {
            State before = states.get(i - 1);
            State batch = states.get(i);
            boolean inLast = batch.segmentBase() == lastBase && before.segmentBase() == lastBase;
            if (inLast) {
                int middle = (before.segmentBytes() + batch.segmentBytes()) / 2;
                checkRecovery(before, middle, 0, lastBase);
            }
        }
    }

    /**
     * Copies the crashed log, cuts its last segment at byte {@code cutAt}, deletes the transaction indexes that
     * recovery must rebuild, recovers from {@code recoveryPoint}, and compares with {@code expected}.
     */
    private void checkRecovery(State expected, int cutAt, long recoveryPoint, long lastBase) throws Exception {
        Path copyRoot = root.resolve("copy-" + cutAt + "-" + recoveryPoint);
        Path copy = copyRoot.resolve("txn-crash-0");
        TestDirs.copy(source, copy);
        try (RandomAccessFile file = new RandomAccessFile(copy.resolve(LogSegment.fileName(lastBase,
            LogSegment.LOG_SUFFIX)).toFile(), "rw")) {
            file.setLength(cutAt);
        }
        for (long base : expected.txnIndexes().keySet()) {
            if (base >= recoveryPoint) {
                Files.deleteIfExists(copy.resolve(LogSegment.fileName(base, LogSegment.TXN_INDEX_SUFFIX)));
            }
        }
        try (PartitionLog log = PartitionLog.open(copy, TP, config, time, true,
            new PartitionCheckpoint(recoveryPoint, 0, 0))) {
            State recovered = state(log);
            String at = "cut at byte " + cutAt + " of segment " + lastBase + ", recovery point " + recoveryPoint;
            assertThat(recovered.logEndOffset()).as(at).isEqualTo(expected.logEndOffset());
            assertThat(recovered.firstUnstableOffset()).as("first unstable offset, " + at)
                .isEqualTo(expected.firstUnstableOffset());
            assertThat(recovered.producers()).as("producers, " + at).isEqualTo(expected.producers());
            assertThat(recovered.txnIndexes()).as("transaction indexes, " + at).isEqualTo(expected.txnIndexes());
            assertThat(recovered.aborted()).as(at).isEqualTo(expected.aborted());
        } finally {
            TestDirs.delete(copyRoot);
        }
    }

    @Test
    void everyStepWasCheckedAgainstADistinctState() {
        // Guards the test itself: the workload must cover markers after data and data after markers.
        assertThat(states.stream().map(State::firstUnstableOffset).collect(Collectors.toSet())).hasSizeGreaterThan(5);
    }
}
