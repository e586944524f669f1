package io.herald.storage.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Checks the record batches of one append before anything is written, and stamps a leader's batches.
 *
 * <p>Checks, per batch: magic 2, size bounds, CRC, a record count that matches the last offset delta and is
 * not zero. A leader also enforces {@code max.message.bytes} and, on compacted topics, a key on every record;
 * a follower skips those, because its leader already applied them to the producer's request (as in Kafka).
 * The whole append must fit in one segment. Any failure rejects the whole append.
 *
 * <p>Stamping, for a leader: base offset (from the log end offset) and partition leader epoch are written
 * into each batch header in place, and on {@code LogAppendTime} topics the max timestamp, which makes the
 * batch recompute its CRC. The records themselves are not touched.
 *
 * <p>Thread-safety: stateless; {@link #validate} reads only the caller's buffer and runs outside the
 * partition lock, {@link #stamp} needs the log end offset and runs under it.
 */
final class BatchValidator {
    private final TopicPartition tp;

    BatchValidator(TopicPartition tp) {
        this.tp = tp;
    }

    /** Validates a producer's batches for a leader append. */
    List<MutableRecordBatch> validateForLeader(MemoryRecords records, LogConfig cfg) {
        return validate(records, cfg, true);
    }

    /** Validates batches replicated from the leader: structure and CRC only. */
    List<MutableRecordBatch> validateForFollower(MemoryRecords records, LogConfig cfg) {
        return validate(records, cfg, false);
    }

    private List<MutableRecordBatch> validate(MemoryRecords records, LogConfig cfg, boolean producerRules) {
        ByteBuffer buffer = records.buffer();
        int position = buffer.position();
        int limit = buffer.limit();
        if (limit - position > cfg.segmentBytes()) {
            throw new RecordBatchTooLargeException("append of " + (limit - position) + " bytes exceeds segment.bytes "
                + cfg.segmentBytes() + " of " + tp);
        }
        List<MutableRecordBatch> out = new ArrayList<>();
        while (position < limit) {
            int size = checkFraming(buffer, position, limit - position);
            if (producerRules && size > cfg.maxMessageBytes()) {
                throw new RecordTooLargeException(tp + ": batch of " + size + " bytes exceeds max.message.bytes "
                    + cfg.maxMessageBytes());
            }
            ByteBuffer slice = buffer.duplicate().position(position).limit(position + size).slice();
            MutableRecordBatch batch = MemoryRecords.readableRecords(slice).batches().iterator().next();
            checkContents(batch, BatchHeader.parse(buffer, position), position);
            if (producerRules && cfg.compact() && !batch.isControlBatch()) {
                requireKeys(batch);
            }
            out.add(batch);
            position += size;
        }
        return out;
    }

    /** Magic and length of the batch at {@code position}; returns its whole size. */
    private int checkFraming(ByteBuffer buffer, int position, int remaining) {
        // Every message format (v0..v2) has its magic byte at offset 16, so check it first.
        if (remaining <= BatchHeader.MAGIC_OFFSET) {
            throw new CorruptRecordException(tp + ": " + remaining + " trailing bytes are not a record batch");
        }
        byte magic = buffer.get(position + BatchHeader.MAGIC_OFFSET);
        if (magic != RecordBatch.MAGIC_VALUE_V2) {
            throw new UnsupportedForMessageFormatException(tp + ": batch magic " + magic + " (expected: 2)");
        }
        int length = buffer.getInt(position + 8);
        if (remaining < BatchHeader.SIZE || length < BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD) {
            throw new CorruptRecordException(tp + ": batch length " + length + " with " + remaining
                + " bytes remaining (expected: >= " + (BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD) + ")");
        }
        int size = length + BatchHeader.LOG_OVERHEAD;
        if (size > remaining) {
            throw new CorruptRecordException(tp + ": batch of " + size + " bytes but only " + remaining + " remain");
        }
        return size;
    }

    private void checkContents(MutableRecordBatch batch, BatchHeader h, int position) {
        if (!batch.isValid()) {
            throw new CorruptRecordException(tp + ": batch at byte " + position + " fails its CRC check");
        }
        if (h.recordCount() == 0) {
            throw new InvalidRecordException(tp + ": batch at byte " + position + " has no records");
        }
        if (h.recordCount() < 0 || h.lastOffsetDelta() != h.recordCount() - 1) {
            throw new CorruptRecordException(tp + ": batch record count " + h.recordCount()
                + " inconsistent with last offset delta " + h.lastOffsetDelta());
        }
    }

    private void requireKeys(MutableRecordBatch batch) {
        // Decompresses a compressed batch: the one check of the append path that must look at records.
        for (Record r : batch) {
            if (!r.hasKey()) {
                throw new InvalidRecordException(tp + ": compacted topic requires a key on every record");
            }
        }
    }

    /** The headers of stamped batches and the offset after the last one. */
    record Stamped(List<BatchHeader> headers, long nextOffset) {}

    /**
     * Stamps offsets from {@code firstOffset}, the leader epoch and, on LogAppendTime topics, {@code nowMs}
     * into the batches, in place. {@code buffer} is the one the batches were validated from.
     */
    Stamped stamp(ByteBuffer buffer, List<MutableRecordBatch> batches, long firstOffset, int leaderEpoch,
                  LogConfig cfg, long nowMs) {
        long next = firstOffset;
        List<BatchHeader> headers = new ArrayList<>(batches.size());
        int position = buffer.position();
        for (MutableRecordBatch b : batches) {
            BatchHeader before = BatchHeader.parse(buffer, position);
            b.setLastOffset(next + before.lastOffsetDelta());
            b.setPartitionLeaderEpoch(leaderEpoch);
            if (cfg.logAppendTime()) {
                b.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, nowMs);
            }
            BatchHeader h = BatchHeader.parse(buffer, position);
            headers.add(h);
            next = h.nextOffset();
            position += h.sizeInBytes();
        }
        return new Stamped(headers, next);
    }

    /**
     * The headers of replicated batches, checking that offsets increase strictly from {@code logEndOffset}.
     *
     * @throws IllegalArgumentException a batch does not follow the one before it
     */
    List<BatchHeader> followerHeaders(ByteBuffer buffer, int batchCount, long logEndOffset) {
        int position = buffer.position();
        List<BatchHeader> headers = new ArrayList<>(batchCount);
        long previousLast = logEndOffset - 1;
        for (int i = 0; i < batchCount; i++) {
            BatchHeader h = BatchHeader.parse(buffer, position);
            if (h.baseOffset() <= previousLast) {
                throw new IllegalArgumentException(tp + ": replicated batch at offset " + h.baseOffset()
                    + " does not follow offset " + previousLast + " (log end offset " + logEndOffset + ")");
            }
            headers.add(h);
            previousLast = h.lastOffset();
            position += h.sizeInBytes();
        }
        return headers;
    }
}
