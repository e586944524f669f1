package io.herald.storage.cleaner;

import io.herald.common.time.Time;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.LogSegment;
import io.herald.storage.log.PartitionLog;
import io.herald.storage.producer.ProducerStateEntry;
import io.herald.storage.txn.AbortedTxn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;

/**
 * Compaction ({@code cleanup.policy=compact}): rewrites the cleanable segments of a log keeping only the
 * newest record of each key, with its original offset.
 *
 * <p>When and how much: {@link CleaningPlanner} decides from {@code min.cleanable.dirty.ratio},
 * {@code min.compaction.lag.ms}, {@code max.compaction.lag.ms}, the last stable offset (Kafka never cleans above it,
 * so no batch of an ongoing transaction is touched) and how far the previous cleaning got (the first dirty offset). That progress is kept in memory, so after a restart every log
 * counts as wholly dirty and is cleaned once; that costs a pass, never a missed cleaning.
 *
 * <p>One pass: (1) build a key → newest offset map over the cleanable segments (the active segment is never
 * cleaned and does not contribute, as in Kafka), skipping the data of aborted transactions; (2) for each of them,
 * filter its batches with {@link MemoryRecords#filterTo}, which rebuilds partly retained batches (decompressing
 * them: the cleaner is off the hot path) and drops empty ones; (3) write the result to {@code <base>.log.cleaned},
 * fsync, and hand it with the segment's new transaction index to {@link PartitionLog#replaceSegment}, which swaps
 * them in via {@code .swap} renames.
 *
 * <p>Transactions follow Kafka ({@link CleanedTransactions}): the aborted transactions known from the transaction
 * indexes lose their data; an end marker stays while any batch of its transaction does, and goes
 * {@code delete.retention.ms} after the first pass that found its transaction empty; an aborted transaction's
 * index entry stays exactly as long as a pass still finds its data. The batch holding a producer's last data
 * offset (or, without one, its last marker) is kept, emptied if need be, so that rebuilding producer state from
 * the log still finds its last sequence and epoch.
 *
 * <p>Tombstones (null value) follow KIP-534: the first cleaning that retains one stamps its batch
 * with {@code deleteHorizonMs = now + delete.retention.ms}; a later cleaning after that horizon
 * drops it, and the earliest pending horizon makes a log due for that cleaning. Consumers therefore have at
 * least {@code delete.retention.ms} after the tombstone was first cleaned to see it.
 *
 * <p>Limitations: the offset map is an in-memory {@link HashMap} of every key (no memory bound).
 *
 * <p>Thread-safety: one pass per log at a time (the log manager's single scheduler thread guarantees it); the
 * progress map is concurrent.
 */
public final class LogCleaner {
    private final Time time;
    private final Map<TopicPartition, Progress> progress = new ConcurrentHashMap<>();

    public LogCleaner(Time time) {
        this.time = time;
    }

    /** What one pass did. */
    public record CleanResult(int segmentsRewritten, long bytesBefore, long bytesAfter) {}

    /** How far cleaning got on a log object (a re-created log starts over), and its earliest tombstone horizon. */
    private record Progress(PartitionLog log, long firstDirtyOffset, long pendingDeleteHorizon) {}

    /** Cleans {@code log} if {@link CleaningPlanner} finds it due; empty when it was not. */
    public Optional<CleanResult> maybeClean(PartitionLog log) {
        CleaningPlanner.Plan plan = plan(log);
        return plan.due() ? Optional.of(clean(log, plan)) : Optional.empty();
    }

    /** Cleans whatever of {@code log} is cleanable now, due or not. */
    public CleanResult clean(PartitionLog log) {
        return clean(log, plan(log));
    }

    /** Drops what is known about a log that was deleted. */
    public void forget(TopicPartition tp) {
        progress.remove(tp);
    }

    private CleaningPlanner.Plan plan(PartitionLog log) {
        List<LogSegment> all = log.segments();
        List<CleaningPlanner.SegmentInfo> inactive = new ArrayList<>(all.size() - 1);
        try {
            for (int i = 0; i + 1 < all.size(); i++) {
                LogSegment s = all.get(i);
                inactive.add(new CleaningPlanner.SegmentInfo(s.baseOffset(), all.get(i + 1).baseOffset(),
                    s.sizeInBytes(), s.largestTimestampOrMtime(), s.firstBatchTimestamp()));
            }
        } catch (IOException e) {
            throw new KafkaStorageException(log.topicPartition() + ": cannot read segment times", e);
        }
        Progress known = progress(log);
        LogConfig cfg = log.config();
        return CleaningPlanner.plan(inactive, log.lastStableOffset(), known.firstDirtyOffset(),
            new CleaningPlanner.Rules(cfg.minCompactionLagMs(), cfg.maxCompactionLagMs(), cfg.minCleanableDirtyRatio()),
            known.pendingDeleteHorizon(), time.milliseconds());
    }

    private Progress progress(PartitionLog log) {
        Progress known = progress.get(log.topicPartition());
        long activeBase = log.segments().get(log.numberOfSegments() - 1).baseOffset();
        if (known == null || known.log() != log || known.firstDirtyOffset() < log.logStartOffset()
            || known.firstDirtyOffset() > activeBase) {
            return new Progress(log, log.logStartOffset(), Long.MAX_VALUE);
        }
        return known;
    }

    private CleanResult clean(PartitionLog log, CleaningPlanner.Plan plan) {
        List<LogSegment> all = log.segments();
        List<LogSegment> segments = all.subList(0, plan.segments());
        if (segments.isEmpty()) {
            return new CleanResult(0, 0, 0);
        }
        try {
            List<AbortedTxn> aborted = abortedTxns(all, log.logStartOffset(), plan.cleanableEndOffset());
            Map<ByteBuffer, Long> newest = newestOffsets(segments, aborted);
            long now = time.milliseconds();
            // now + delete.retention.ms is the horizon stamped into batches: keep it from overflowing.
            long deleteRetentionMs = Math.min(log.config().deleteRetentionMs(), Long.MAX_VALUE - now);
            Map<Long, ProducerStateEntry> producers = new HashMap<>();
            log.activeProducers().forEach(e -> producers.put(e.producerId(), e));
            CompactionFilter filter = new CompactionFilter(now, deleteRetentionMs, newest, new CleanedTransactions(aborted),
                producers);
            int rewritten = 0;
            long before = 0;
            long after = 0;
            for (LogSegment s : segments) {
                ByteBuffer input = readAll(s);
                before += input.remaining();
                MemoryRecords.FilterResult result = MemoryRecords.readableRecords(input.duplicate()).filterTo(
                    filter, ByteBuffer.allocate(Math.max(input.remaining(), 64)), BufferSupplier.NO_CACHING);
                List<AbortedTxn> txnIndex = filter.transactions.drainRetainedIndexEntries();
                ByteBuffer output = result.outputBuffer();
                output.flip();
                after += output.remaining();
                if (output.equals(input) && txnIndex.equals(s.abortedTxns())) {
                    continue;
                }
                Path cleaned = s.logFile().resolveSibling(s.logFile().getFileName() + ".cleaned");
                try (FileChannel ch = FileChannel.open(cleaned, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                    while (output.hasRemaining()) {
                        ch.write(output);
                    }
                    ch.force(true);
                }
                if (log.replaceSegment(s, cleaned, txnIndex)) {
                    rewritten++;
                }
            }
            progress.put(log.topicPartition(), new Progress(log, plan.cleanableEndOffset(), filter.earliestHorizon));
            return new CleanResult(rewritten, before, after);
        } catch (IOException e) {
            throw new KafkaStorageException(log.topicPartition() + ": compaction failed", e);
        }
    }

    /**
     * The aborted transactions that may have data in {@code [logStartOffset, cleanableEnd)}: from the transaction
     * index of every segment, since a marker may lie beyond the cleanable range.
     */
    private static List<AbortedTxn> abortedTxns(List<LogSegment> all, long logStartOffset, long cleanableEnd)
        throws IOException {
        List<AbortedTxn> out = new ArrayList<>();
        for (LogSegment s : all) {
            for (AbortedTxn txn : s.abortedTxns()) {
                if (txn.lastOffset() >= logStartOffset && txn.firstOffset() < cleanableEnd) {
                    out.add(txn);
                }
            }
        }
        return out;
    }

    /** Key → newest offset over {@code segments}, leaving out control batches and aborted data (Kafka's rule). */
    private static Map<ByteBuffer, Long> newestOffsets(List<LogSegment> segments, List<AbortedTxn> aborted)
        throws IOException {
        CleanedTransactions transactions = new CleanedTransactions(aborted);
        Map<ByteBuffer, Long> newest = new HashMap<>();
        for (LogSegment s : segments) {
            for (MutableRecordBatch batch : MemoryRecords.readableRecords(readAll(s)).batches()) {
                if (batch.isControlBatch()) {
                    transactions.onControlBatch(batch);
                    continue;
                }
                if (transactions.onDataBatch(batch)) {
                    continue; // an aborted record must not make an older committed value of its key go
                }
                for (Record r : batch) {
                    if (r.hasKey()) {
                        newest.put(copy(r.key()), r.offset());
                    }
                }
            }
        }
        return newest;
    }

    private static ByteBuffer copy(ByteBuffer key) {
        ByteBuffer out = ByteBuffer.allocate(key.remaining());
        out.put(key.duplicate()).flip();
        return out;
    }

    private static ByteBuffer readAll(LogSegment s) throws IOException {
        int size = s.sizeInBytes();
        ByteBuffer buf = ByteBuffer.allocate(size);
        FileChannel ch = s.channel();
        long p = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, p);
            if (n < 0) {
                throw new IOException("unexpected end of " + s.logFile());
            }
            p += n;
        }
        return buf.flip();
    }

    /**
     * Keeps a keyed record only if it is the newest for its key, a tombstone only until its horizon, and
     * transactional batches and markers as {@link CleanedTransactions} says; notes the earliest horizon of the
     * tombstones and markers it keeps, so that the log becomes due again when they may go.
     */
    private static final class CompactionFilter extends MemoryRecords.RecordFilter {
        private final Map<ByteBuffer, Long> newest;
        private final CleanedTransactions transactions;
        private final Map<Long, ProducerStateEntry> producers;
        private boolean discardBatchRecords;
        private long earliestHorizon = Long.MAX_VALUE;

        CompactionFilter(long now, long deleteRetentionMs, Map<ByteBuffer, Long> newest, CleanedTransactions transactions,
                         Map<Long, ProducerStateEntry> producers) {
            super(now, deleteRetentionMs);
            this.newest = newest;
            this.transactions = transactions;
            this.producers = producers;
        }

        @Override
        protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
            boolean control = batch.isControlBatch();
            boolean canDiscard = control ? transactions.onControlBatch(batch) : transactions.onDataBatch(batch);
            // A marker whose transaction has no data left piggy-backs on the tombstone horizon: filterTo stamps
            // now + delete.retention.ms into its batch the first time, and a pass after that removes it.
            discardBatchRecords = control
                ? canDiscard && batch.deleteHorizonMs().isPresent() && batch.deleteHorizonMs().getAsLong() <= currentTime
                : canDiscard;
            if (control && canDiscard && !discardBatchRecords) {
                earliestHorizon = Math.min(earliestHorizon, batch.deleteHorizonMs().orElse(currentTime + deleteRetentionMs));
            }
            BatchRetention retention;
            if (batch.hasProducerId() && isLastOfProducer(batch)) {
                retention = BatchRetention.RETAIN_EMPTY;
            } else if (discardBatchRecords) {
                retention = BatchRetention.DELETE;
            } else {
                retention = BatchRetention.DELETE_EMPTY;
            }
            return new BatchRetentionResult(retention, canDiscard && control);
        }

        /**
         * Whether the batch carries what producer state needs of its producer (Kafka's rule): its last data batch,
         * or, when the producer has none cached, its last marker (it carries the epoch that fences zombies).
         */
        private boolean isLastOfProducer(RecordBatch batch) {
            ProducerStateEntry e = producers.get(batch.producerId());
            if (e == null) {
                return false;
            }
            return e.lastDataOffset() >= 0 ? batch.lastOffset() == e.lastDataOffset()
                : batch.isControlBatch() && batch.producerEpoch() == e.producerEpoch();
        }

        @Override
        protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
            if (discardBatchRecords) {
                return false;
            }
            if (batch.isControlBatch() || !record.hasKey()) {
                return true;
            }
            Long latest = newest.get(record.key());
            if (latest != null && latest > record.offset()) {
                return false;
            }
            if (!record.hasValue()) {
                if (batch.deleteHorizonMs().isPresent() && currentTime >= batch.deleteHorizonMs().getAsLong()) {
                    return false;
                }
                // A batch without a horizon gets now + delete.retention.ms from filterTo, as it keeps a tombstone.
                long horizon = batch.deleteHorizonMs().orElse(currentTime + deleteRetentionMs);
                earliestHorizon = Math.min(earliestHorizon, horizon);
            }
            return true;
        }
    }
}
