package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.producer.ProducerStateEntry;
import io.herald.storage.testutil.TestDirs;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;
import io.herald.storage.txn.AbortedTransaction;
import io.herald.storage.txn.TransactionMarker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.ControlRecordType;

/**
 * PartitionLog's transactional state against an in-memory model: random transactional and non-transactional
 * appends of several producers, commit and abort markers (transaction versions 0 and 2), refused appends, high
 * watermark moves, rolls, truncations, DeleteRecords, retention, clean restarts and crashes (a copy of the
 * directory, opened without a clean shutdown). After every step the first unstable offset, the aborted
 * transactions of random fetch ranges and the producer entries must match the model.
 *
 * <p>The model is a list of batches. Producer state is a fold over it (what Kafka's replay computes); the aborted
 * transactions and the unreplicated ones (marker at or above the high watermark) are kept as they complete,
 * because an index entry keeps its transaction's first offset even after retention removed it.
 *
 * <p>Where Kafka's semantics leave the outcome to implementation details, the test steers clear instead of
 * modelling them: the log start offset never falls inside a transaction (a reload could not know where it began,
 * and Kafka would then index the transaction from its first batch left, as Herald does), producer entries are compared only while the log start offset is still 0 (a
 * reload after it moved may lose what only lay below it, as in Kafka), and after a truncation or restart the high
 * watermark is moved to the log end before checking (what a replica learns from its leader next; which completed
 * transactions a reload still counts as unreplicated depends on where its snapshot was).
 */
class TransactionalLogModelPropertyTest {
    private static final TopicPartition TP = new TopicPartition("txn-model", 0);
    private static final long[] PIDS = {11L, 22L, 33L, 44L};

    /** One batch as the model knows it; pid -1 for a batch without producer. */
    record MBatch(long base, long last, long pid, short epoch, int lastSeq, boolean transactional,
                  Optional<ControlRecordType> marker, int coordinatorEpoch, long timestamp) {}

    /** A producer as a fold over the batches sees it. */
    record MProducer(short epoch, int coordinatorEpoch, int lastSeq, long lastTimestamp, long ongoingFirst,
                     boolean hasBatches) {
        static final MProducer EMPTY = new MProducer((short) -1, -1, -1, -1, -1, false);
    }

    /** A completed transaction. */
    record MTxn(long pid, long first, long last) {}

    static final class Model {
        final List<MBatch> batches = new ArrayList<>();
        final List<MTxn> aborted = new ArrayList<>();
        final List<MTxn> unreplicated = new ArrayList<>();
        final List<MTxn> completed = new ArrayList<>();
        long logStart;
        long logEnd;
        long hw;
        boolean logStartMoved;
        /** The epoch each producer writes with. */
        final Map<Long, Short> epochs = new HashMap<>();

        Map<Long, MProducer> producers() {
            Map<Long, MProducer> out = new TreeMap<>();
            for (MBatch b : batches) {
                if (b.pid() < 0) {
                    continue;
                }
                MProducer p = out.getOrDefault(b.pid(), MProducer.EMPTY);
                boolean newEpoch = b.epoch() != p.epoch();
                if (b.marker().isPresent()) {
                    out.put(b.pid(), new MProducer(b.epoch(), b.coordinatorEpoch(), newEpoch ? -1 : p.lastSeq(),
                        b.timestamp(), -1, !newEpoch && p.hasBatches()));
                } else {
                    long ongoing = p.ongoingFirst() >= 0 ? p.ongoingFirst() : b.transactional() ? b.base() : -1;
                    out.put(b.pid(), new MProducer(b.epoch(), p.coordinatorEpoch(), b.lastSeq(), b.timestamp(), ongoing,
                        true));
                }
            }
            return out;
        }

        MProducer producer(long pid) {
            return producers().getOrDefault(pid, MProducer.EMPTY);
        }

        OptionalLong firstUnstableOffset() {
            long first = Long.MAX_VALUE;
            for (MProducer p : producers().values()) {
                if (p.ongoingFirst() >= 0) {
                    first = Math.min(first, p.ongoingFirst());
                }
            }
            for (MTxn t : unreplicated) {
                first = Math.min(first, t.first());
            }
            return first == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(Math.max(first, logStart));
        }

        long firstOngoing() {
            return producers().values().stream().filter(p -> p.ongoingFirst() >= 0).mapToLong(MProducer::ongoingFirst)
                .min().orElse(Long.MAX_VALUE);
        }

        void setHighWatermark(long newHw) {
            hw = newHw;
            unreplicated.removeIf(t -> t.last() < hw);
        }

        void moveLogStart(long start) {
            if (start > logStart) {
                logStart = start;
                logStartMoved = true;
                batches.removeIf(b -> b.last() < start);
                unreplicated.removeIf(t -> t.last() < start);
            }
        }

        /** Whether a log start offset at {@code offset} would cut a transaction in two. */
        boolean splitsATransaction(long offset) {
            if (firstOngoing() < offset) {
                return true;
            }
            return completed.stream().anyMatch(t -> t.first() < offset && t.last() >= offset);
        }

        void truncate(long offset) {
            batches.removeIf(b -> b.base() >= offset);
            aborted.removeIf(t -> t.last() >= offset);
            completed.removeIf(t -> t.last() >= offset);
            unreplicated.clear();
            logEnd = offset;
            hw = Math.min(hw, offset);
        }
    }

    private final class Run {
        final Random random;
        final ManualTime time = new ManualTime(1_000_000L);
        final Path root = TestDirs.create("txn-model");
        final LogConfig config;
        final Model model = new Model();
        final StringBuilder trace = new StringBuilder();
        Path dir;
        PartitionLog log;
        int generation;

        Run(long seed) throws Exception {
            random = new Random(seed);
            config = LogConfig.from(Map.of("internal.segment.bytes", 500 + random.nextInt(2000),
                "index.interval.bytes", random.nextInt(300), "segment.index.bytes", 4096, "retention.ms", -1,
                "retention.bytes", -1, "file.delete.delay.ms", 0));
            dir = root.resolve("gen0").resolve("txn-model-0");
            log = PartitionLog.open(dir, TP, config, time, false, PartitionCheckpoint.NONE);
            for (long pid : PIDS) {
                model.epochs.put(pid, (short) 0);
            }
        }

        String at() {
            return "ops " + trace;
        }

        // ---- appends ----

        /** The next sequence of {@code pid} in {@code epoch}: from the model, or the log once the model lost track. */
        int nextSequence(long pid, short epoch) {
            if (!model.logStartMoved) {
                MProducer p = model.producer(pid);
                return p.epoch() == epoch && p.hasBatches() ? p.lastSeq() + 1 : 0;
            }
            Optional<ProducerStateEntry> e = log.producerState(pid);
            return e.isPresent() && e.get().producerEpoch() == epoch && !e.get().batches().isEmpty()
                ? e.get().lastSequence() + 1 : 0;
        }

        void appendData(long pid, boolean transactional) {
            short epoch = model.epochs.get(pid);
            int seq = nextSequence(pid, epoch);
            int n = 1 + random.nextInt(3);
            List<KV> kvs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                kvs.add(new KV("k" + random.nextInt(10), "v".repeat(random.nextInt(40)), time.milliseconds()));
            }
            var records = transactional ? TestRecords.transactionalBatch(pid, epoch, seq, kvs)
                : TestRecords.idempotentBatch(Compression.NONE, pid, epoch, seq, kvs);
            boolean refused = !transactional && model.producer(pid).ongoingFirst() >= 0;
            if (refused && !model.logStartMoved) {
                trace.append("(refused ").append(pid).append(") ");
                assertThatThrownBy(() -> log.appendAsLeader(records, 0)).as(at())
                    .isInstanceOf(InvalidTxnStateException.class);
                return;
            }
            if (refused) {
                return;
            }
            LogAppendInfo info = log.appendAsLeader(records, 0);
            assertThat(info.firstOffset()).as(at()).isEqualTo(model.logEnd);
            model.batches.add(new MBatch(model.logEnd, model.logEnd + n - 1, pid, epoch, seq + n - 1, transactional,
                Optional.empty(), -1, time.milliseconds()));
            model.logEnd += n;
        }

        void appendPlain() {
            log.appendAsLeader(TestRecords.batch(List.of(new KV("p", "plain", time.milliseconds()))), 0);
            model.batches.add(new MBatch(model.logEnd, model.logEnd, -1, (short) -1, -1, false, Optional.empty(), -1,
                time.milliseconds()));
            model.logEnd++;
        }

        void appendMarker(long pid) {
            ControlRecordType type = random.nextBoolean() ? ControlRecordType.COMMIT : ControlRecordType.ABORT;
            MProducer p = model.producer(pid);
            int coordinatorEpoch = Math.max(0, currentCoordinatorEpoch(pid)) + random.nextInt(2);
            short epoch = model.epochs.get(pid);
            boolean v2 = random.nextInt(4) == 0;
            int fence = model.logStartMoved ? 9 : random.nextInt(10);
            if (fence == 0 && currentCoordinatorEpoch(pid) > 0) {
                trace.append("(fenced coordinator ").append(pid).append(") ");
                assertThatThrownBy(() -> log.appendTransactionMarker(new TransactionMarker(pid, epoch,
                    currentCoordinatorEpoch(pid) - 1, type), 0)).as(at())
                    .isInstanceOf(TransactionCoordinatorFencedException.class);
                return;
            }
            if (fence == 1 && (p.epoch() > 0 || p.ongoingFirst() >= 0)) {
                trace.append("(fenced epoch ").append(pid).append(") ");
                // An epoch older than the log knows, or (transaction version 2) that one while a transaction is open.
                TransactionMarker stale = p.epoch() > 0
                    ? new TransactionMarker(pid, (short) (p.epoch() - 1), coordinatorEpoch, type)
                    : new TransactionMarker(pid, p.epoch(), coordinatorEpoch, type, (short) 2);
                assertThatThrownBy(() -> log.appendTransactionMarker(stale, 0)).as(at())
                    .isInstanceOf(InvalidProducerEpochException.class);
                return;
            }
            short markerEpoch = v2 ? (short) (epoch + 1) : epoch;
            LogAppendInfo info = log.appendTransactionMarker(new TransactionMarker(pid, markerEpoch, coordinatorEpoch, type,
                (short) (v2 ? 2 : 0)), 0);
            assertThat(info.firstOffset()).as(at()).isEqualTo(model.logEnd);
            long offset = model.logEnd;
            long ongoing = p.ongoingFirst();
            if (ongoing < 0 && model.logStartMoved) {
                ongoing = log.producerState(pid).flatMap(e -> e.currentTxnFirstOffset().isPresent()
                    ? Optional.of(e.currentTxnFirstOffset().getAsLong()) : Optional.empty()).orElse(-1L);
            }
            if (ongoing >= 0) {
                MTxn txn = new MTxn(pid, ongoing, offset);
                model.unreplicated.add(txn);
                model.completed.add(txn);
                if (type == ControlRecordType.ABORT) {
                    model.aborted.add(txn);
                }
            }
            model.batches.add(new MBatch(offset, offset, pid, markerEpoch, -1, true, Optional.of(type), coordinatorEpoch,
                time.milliseconds()));
            model.epochs.put(pid, markerEpoch);
            model.logEnd++;
        }

        int currentCoordinatorEpoch(long pid) {
            return model.logStartMoved
                ? log.producerState(pid).map(ProducerStateEntry::coordinatorEpoch).orElse(-1)
                : model.producer(pid).coordinatorEpoch();
        }

        // ---- the other steps ----

        void truncate() {
            List<Long> candidates = new ArrayList<>();
            model.batches.stream().filter(b -> b.base() >= model.logStart).forEach(b -> candidates.add(b.base()));
            candidates.add(model.logEnd);
            long target = candidates.get(random.nextInt(candidates.size()));
            trace.append("(truncate ").append(target).append(") ");
            log.truncateTo(target);
            model.truncate(target);
            catchUp();
        }

        void deleteRecords() {
            if (model.hw <= model.logStart) {
                return;
            }
            long target = model.logStart + 1 + random.nextInt((int) (model.hw - model.logStart));
            if (model.splitsATransaction(target)) {
                return;
            }
            trace.append("(delete records ").append(target).append(") ");
            assertThat(log.deleteRecordsBefore(target)).as(at()).isEqualTo(target);
            model.moveLogStart(target);
        }

        void retention() throws Exception {
            // Retention picks the new log start itself, at a segment base: run it only where none splits a transaction.
            for (LogSegment segment : log.segments()) {
                if (model.splitsATransaction(segment.baseOffset())) {
                    return;
                }
            }
            if (model.splitsATransaction(model.logEnd)) {
                return;
            }
            Map<String, Object> sized = new HashMap<>(Map.of("internal.segment.bytes", config.segmentBytes(),
                "index.interval.bytes", config.indexIntervalBytes(), "segment.index.bytes", 4096, "retention.ms", -1,
                "retention.bytes", random.nextInt(3000), "file.delete.delay.ms", 0));
            log.updateConfig(LogConfig.from(sized));
            log.deleteOldSegments();
            log.updateConfig(config);
            trace.append("(retention -> ").append(log.logStartOffset()).append(") ");
            model.moveLogStart(log.logStartOffset());
        }

        void restart() throws Exception {
            PartitionCheckpoint cp = log.checkpoint();
            log.close();
            log = PartitionLog.open(dir, TP, config, time, false, cp);
            catchUp();
        }

        /** A crash: the directory as the dead process left it (no snapshot at the end, untrimmed files), recovered. */
        void crash() throws Exception {
            PartitionCheckpoint cp = log.checkpoint();
            PartitionCheckpoint checkpoint = new PartitionCheckpoint(random.nextBoolean() ? cp.recoveryPoint() : 0,
                cp.logStartOffset(), cp.highWatermark());
            Path copy = root.resolve("gen" + ++generation).resolve("txn-model-0");
            TestDirs.copy(dir, copy);
            log.close();
            TestDirs.delete(dir.getParent());
            dir = copy;
            log = PartitionLog.open(dir, TP, config, time, true, checkpoint);
            catchUp();
        }

        /** The high watermark reaches the log end, as it does once a reloaded or truncated replica fetches again. */
        void catchUp() {
            log.updateHighWatermark(model.logEnd);
            model.setHighWatermark(model.logEnd);
        }

        void moveHighWatermark() {
            long hw = model.hw + random.nextInt((int) (model.logEnd - model.hw + 1));
            log.updateHighWatermark(hw);
            model.setHighWatermark(hw);
        }

        // ---- checks ----

        void check(int step) {
            String at = "after step " + step + ", " + at();
            assertThat(log.logStartOffset()).as("log start " + at).isEqualTo(model.logStart);
            assertThat(log.logEndOffset()).as("log end " + at).isEqualTo(model.logEnd);
            assertThat(log.highWatermark()).as("high watermark " + at).isEqualTo(model.hw);
            assertThat(log.firstUnstableOffset()).as("first unstable offset " + at).isEqualTo(model.firstUnstableOffset());
            for (int i = 0; i < 4; i++) {
                long fetch = model.logStart + random.nextInt((int) (model.logEnd - model.logStart + 1));
                long upper = fetch + random.nextInt((int) (model.logEnd - fetch + 3));
                List<AbortedTransaction> expected = model.aborted.stream()
                    .filter(t -> t.last() >= fetch && t.first() < upper)
                    .map(t -> new AbortedTransaction(t.pid(), t.first(), t.last())).toList();
                assertThat(log.abortedTransactions(fetch, upper)).as("aborted in [%d, %d) %s", fetch, upper, at)
                    .isEqualTo(expected);
            }
            Map<Long, MProducer> producers = model.producers();
            for (long pid : PIDS) {
                MProducer p = producers.getOrDefault(pid, MProducer.EMPTY);
                Optional<ProducerStateEntry> e = log.producerState(pid);
                OptionalLong ongoing = p.ongoingFirst() < 0 ? OptionalLong.empty() : OptionalLong.of(p.ongoingFirst());
                assertThat(e.map(ProducerStateEntry::currentTxnFirstOffset).orElse(OptionalLong.empty()))
                    .as("ongoing transaction of %d %s", pid, at).isEqualTo(ongoing);
                if (model.logStartMoved) {
                    continue;
                }
                if (p == MProducer.EMPTY) {
                    assertThat(e).as("producer %d %s", pid, at).isEmpty();
                    continue;
                }
                assertThat(e).as("producer %d %s", pid, at).isPresent();
                assertThat(new MProducer(e.get().producerEpoch(), e.get().coordinatorEpoch(), e.get().lastSequence(),
                    e.get().lastTimestamp(), ongoing.orElse(-1), !e.get().batches().isEmpty()))
                    .as("producer %d %s", pid, at).isEqualTo(p);
            }
        }

        void close() {
            log.close();
            TestDirs.delete(root);
        }
    }

    @Property(tries = 100)
    void transactionalStateAgreesWithTheModel(@ForAll long seed, @ForAll @IntRange(min = 10, max = 90) int steps)
        throws Exception {
        Run run = new Run(seed);
        try {
            for (int step = 0; step < steps; step++) {
                run.time.advance(1 + run.random.nextInt(3));
                int op = run.random.nextInt(30);
                run.trace.append(op).append(' ');
                long pid = PIDS[run.random.nextInt(PIDS.length)];
                if (op < 9) {
                    run.appendData(pid, true);
                } else if (op < 11) {
                    run.appendData(pid, false);
                } else if (op < 13) {
                    run.appendPlain();
                } else if (op < 18) {
                    run.appendMarker(pid);
                } else if (op < 21) {
                    run.moveHighWatermark();
                } else if (op == 21) {
                    run.log.roll();
                } else if (op == 22 && run.model.producer(pid).ongoingFirst() < 0) {
                    // A new producer epoch (InitProducerId) between transactions: sequences start over.
                    run.model.epochs.merge(pid, (short) 1, (a, b) -> (short) (a + b));
                } else if (op < 25) {
                    run.truncate();
                } else if (op == 25 && step > steps / 2) {
                    run.deleteRecords();
                } else if (op == 26 && step > steps / 2) {
                    run.retention();
                } else if (op < 28) {
                    run.restart();
                } else {
                    run.crash();
                }
                run.check(step);
            }
        } finally {
            run.close();
        }
    }
}
