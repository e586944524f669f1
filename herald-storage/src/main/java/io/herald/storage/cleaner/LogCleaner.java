package io.herald.storage.cleaner;

import io.herald.common.time.Time;
import io.herald.storage.log.LogSegment;
import io.herald.storage.log.PartitionLog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;

/**
 * Compaction ({@code cleanup.policy=compact}): rewrites the inactive segments of a log keeping only
 * the newest record of each key, with its original offset.
 *
 * <p>One pass: (1) build a key → newest offset map over all inactive segments (the active segment
 * is never cleaned and does not contribute, as in Kafka); (2) for each inactive segment, filter its
 * batches with {@link MemoryRecords#filterTo}, which rebuilds partly retained batches (decompressing
 * them: the cleaner is off the hot path) and drops empty ones; (3) write the result to
 * {@code <base>.log.cleaned}, fsync, and hand it to {@link PartitionLog#replaceSegment}, which swaps
 * it in via a {@code .swap} rename.
 *
 * <p>Tombstones (null value) follow KIP-534: the first cleaning that retains one stamps its batch
 * with {@code deleteHorizonMs = now + delete.retention.ms}; a later cleaning after that horizon
 * drops it. Consumers therefore have at least {@code delete.retention.ms} after the tombstone was
 * first cleaned to see it.
 *
 * <p>Limitations: the offset map is an in-memory {@link HashMap} of every key (no memory bound);
 * transaction markers are kept and aborted transactional data is not removed.
 *
 * <p>Thread-safety: stateless apart from the clock; one pass per log at a time (the log manager's
 * single scheduler thread guarantees it).
 */
public final class LogCleaner {
    private final Time time;

    public LogCleaner(Time time) {
        this.time = time;
    }

    /** What one pass did. */
    public record CleanResult(int segmentsRewritten, long bytesBefore, long bytesAfter) {}

    public CleanResult clean(PartitionLog log) {
        List<LogSegment> segments = log.inactiveSegments();
        if (segments.isEmpty()) {
            return new CleanResult(0, 0, 0);
        }
        try {
            Map<ByteBuffer, Long> newest = new HashMap<>();
            for (LogSegment s : segments) {
                for (MutableRecordBatch batch : MemoryRecords.readableRecords(readAll(s)).batches()) {
                    if (batch.isControlBatch()) {
                        continue;
                    }
                    for (Record r : batch) {
                        if (r.hasKey()) {
                            newest.put(copy(r.key()), r.offset());
                        }
                    }
                }
            }
            long now = time.milliseconds();
            long deleteRetentionMs = log.config().deleteRetentionMs();
            int rewritten = 0;
            long before = 0;
            long after = 0;
            for (LogSegment s : segments) {
                ByteBuffer input = readAll(s);
                before += input.remaining();
                MemoryRecords.FilterResult result = MemoryRecords.readableRecords(input.duplicate()).filterTo(
                    new CompactionFilter(now, deleteRetentionMs, newest), ByteBuffer.allocate(Math.max(input.remaining(), 64)),
                    BufferSupplier.NO_CACHING);
                ByteBuffer output = result.outputBuffer();
                output.flip();
                after += output.remaining();
                if (output.equals(input)) {
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
                if (log.replaceSegment(s, cleaned)) {
                    rewritten++;
                }
            }
            return new CleanResult(rewritten, before, after);
        } catch (IOException e) {
            throw new KafkaStorageException(log.topicPartition() + ": compaction failed", e);
        }
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

    /** Keeps a keyed record only if it is the newest for its key, and a tombstone only until its horizon. */
    private static final class CompactionFilter extends MemoryRecords.RecordFilter {
        private final Map<ByteBuffer, Long> newest;

        CompactionFilter(long now, long deleteRetentionMs, Map<ByteBuffer, Long> newest) {
            super(now, deleteRetentionMs);
            this.newest = newest;
        }

        @Override
        protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
            return new BatchRetentionResult(batch.isControlBatch() ? BatchRetention.RETAIN_EMPTY : BatchRetention.DELETE_EMPTY, false);
        }

        @Override
        protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
            if (!record.hasKey()) {
                return true;
            }
            Long latest = newest.get(record.key());
            if (latest != null && latest > record.offset()) {
                return false;
            }
            if (!record.hasValue()) {
                return batch.deleteHorizonMs().isEmpty() || currentTime < batch.deleteHorizonMs().getAsLong();
            }
            return true;
        }
    }
}
