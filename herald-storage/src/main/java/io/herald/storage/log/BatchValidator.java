package io.herald.storage.log;

import io.herald.storage.config.LogConfig;
import io.herald.storage.producer.AppendOrigin;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;

/**
 * Checks the record batches of one append before anything is written, recompresses a leader's batches when the
 * topic asks for another codec, and stamps them.
 *
 * <p>Checks, per batch: magic 2, size bounds, CRC, a record count that matches the last offset delta and is
 * not zero. A leader refuses control batches (only the coordinator writes end markers, through
 * {@link PartitionLog#appendTransactionMarker}) and, from a producer, a producer id without a base sequence
 * (Kafka's INVALID_RECORD for both). It also enforces what the producer is responsible for, as Kafka does:
 * {@code max.message.bytes}
 * (before and, when recompressed, after), a key on every record of a compacted topic, and on CreateTime topics
 * record timestamps within {@code [now - message.timestamp.before.max.ms, now + message.timestamp.after.max.ms]}
 * (INVALID_TIMESTAMP otherwise; a record without timestamp passes). A follower skips those: its leader already
 * applied them. The whole append must fit in one segment. Any failure rejects the whole append.
 *
 * <p>Per-record rules (the key, the timestamp bounds) are checked on every record of a batch before failing, so
 * that the failure names each refused record by its index in the batch ({@link RecordValidationFailure},
 * KIP-467); the first batch with refused records fails the append, and nothing of the append is written.
 *
 * <p>Looking inside records costs a decompression for compressed batches, so it happens only where a topic
 * asks for it: keys on compacted topics, timestamps when {@code message.timestamp.before.max.ms} is set (with
 * only the default forward bound, the header's max timestamp decides), and recompression.
 *
 * <p>Recompression (Kafka's rule): with {@code compression.type} other than {@code producer}, a batch whose
 * codec differs is rebuilt with the topic's codec and level, keeping its records (key, value, headers,
 * timestamps, in order, with consecutive offset deltas), producer id, epoch, base sequence and transactional
 * flag. A batch already in the topic's codec, and every control batch, is kept as is.
 *
 * <p>Stamping, for a leader: base offset (from the log end offset) and partition leader epoch are written
 * into each batch header in place, and on {@code LogAppendTime} topics the max timestamp, which makes the
 * batch recompute its CRC.
 *
 * <p>Thread-safety: stateless; validation reads only the caller's buffer and runs outside the partition lock,
 * {@link #stamp} needs the log end offset and runs under it.
 */
final class BatchValidator {
    private final TopicPartition tp;

    BatchValidator(TopicPartition tp) {
        this.tp = tp;
    }

    /** A leader append after validation: the records to write (rebuilt when recompressed) and their batches. */
    record Validated(MemoryRecords records, List<MutableRecordBatch> batches) {}

    /** Validates a producer's (or coordinator's) batches for a leader append at broker time {@code nowMs}. */
    Validated validateForLeader(MemoryRecords records, AppendOrigin origin, LogConfig cfg, long nowMs) {
        return validateForLeader(records, origin, cfg, nowMs, false);
    }

    /**
     * As {@link #validateForLeader(MemoryRecords, AppendOrigin, LogConfig, long)}; with {@code gapped}, a batch may
     * hold fewer records than its offset range, down to none (a producer's batch with records taken out by the
     * broker, which keeps its offset range and sequences, as a cleaned batch does).
     */
    Validated validateForLeader(MemoryRecords records, AppendOrigin origin, LogConfig cfg, long nowMs,
                                boolean gapped) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        ByteBuffer buffer = records.buffer();
        for (int position = buffer.position(); position < buffer.limit(); ) {
            MutableRecordBatch batch = checkBatch(buffer, position, gapped);
            checkProducerFields(batch, origin, position);
            if (batch.sizeInBytes() > cfg.maxMessageBytes()) {
                throw new RecordTooLargeException(tp + ": batch of " + batch.sizeInBytes()
                    + " bytes exceeds max.message.bytes " + cfg.maxMessageBytes());
            }
            checkTimestampType(batch, cfg, position);
            if (needsRecords(batch, cfg)) {
                checkRecords(batch, cfg, nowMs, position);
            } else if (!cfg.logAppendTime()) {
                checkMaxTimestamp(batch, cfg, nowMs, position);
            }
            batches.add(batch);
            position += batch.sizeInBytes();
        }
        Validated validated = cfg.compression().isPresent() ? recompress(records, batches, cfg) : null;
        if (validated == null) {
            validated = new Validated(records, batches);
        } else {
            for (MutableRecordBatch b : validated.batches()) {
                if (b.sizeInBytes() > cfg.maxMessageBytes()) {
                    throw new RecordTooLargeException(tp + ": batch of " + b.sizeInBytes() + " bytes after "
                        + "recompression exceeds max.message.bytes " + cfg.maxMessageBytes());
                }
            }
        }
        checkFitsSegment(validated.records(), cfg);
        return validated;
    }

    /** Validates batches replicated from the leader: structure and CRC only. */
    List<MutableRecordBatch> validateForFollower(MemoryRecords records, LogConfig cfg) {
        checkFitsSegment(records, cfg);
        List<MutableRecordBatch> batches = new ArrayList<>();
        ByteBuffer buffer = records.buffer();
        for (int position = buffer.position(); position < buffer.limit(); ) {
            MutableRecordBatch batch = checkBatch(buffer, position, true);
            batches.add(batch);
            position += batch.sizeInBytes();
        }
        return batches;
    }

    private void checkFitsSegment(MemoryRecords records, LogConfig cfg) {
        if (records.sizeInBytes() > cfg.segmentBytes()) {
            throw new RecordBatchTooLargeException("append of " + records.sizeInBytes()
                + " bytes exceeds segment.bytes " + cfg.segmentBytes() + " of " + tp);
        }
    }

    /**
     * Framing, CRC and record count of the batch at {@code position}. A {@code gapped} batch (replicated, or
     * split by the broker) may hold fewer records than its offset range, or none: the cleaner keeps a producer's
     * last batch without its records so that its sequence survives, and delayed delivery takes records out of a
     * batch at produce (Kafka checks the record count of client batches only).
     */
    private MutableRecordBatch checkBatch(ByteBuffer buffer, int position, boolean gapped) {
        int remaining = buffer.limit() - position;
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
        ByteBuffer slice = buffer.duplicate().position(position).limit(position + size).slice();
        MutableRecordBatch batch = MemoryRecords.readableRecords(slice).batches().iterator().next();
        if (!batch.isValid()) {
            throw new CorruptRecordException(tp + ": batch at byte " + position + " fails its CRC check");
        }
        BatchHeader h = BatchHeader.parse(buffer, position);
        if (gapped && h.recordCount() >= 0 && h.lastOffsetDelta() >= h.recordCount() - 1) {
            return batch;
        }
        if (h.recordCount() == 0) {
            throw new InvalidRecordException(tp + ": batch at byte " + position + " has no records");
        }
        if (h.recordCount() < 0 || h.lastOffsetDelta() != h.recordCount() - 1) {
            throw new CorruptRecordException(tp + ": batch record count " + h.recordCount()
                + " inconsistent with last offset delta " + h.lastOffsetDelta());
        }
        return batch;
    }

    private void checkProducerFields(MutableRecordBatch batch, AppendOrigin origin, int position) {
        if (batch.isControlBatch()) {
            throw new InvalidRecordException(tp + ": clients are not allowed to write control records (batch at byte "
                + position + ")");
        }
        if (origin == AppendOrigin.CLIENT && batch.hasProducerId() && batch.baseSequence() < 0) {
            throw new InvalidRecordException(tp + ": invalid sequence number " + batch.baseSequence() + " in the batch "
                + "of producer " + batch.producerId() + " at byte " + position);
        }
    }

    /**
     * A producer may not claim LogAppendTime, Kafka's rule: refused on a LogAppendTime topic, and on a
     * CreateTime topic unless the batch carries a timestamp (which is then range-checked like any other).
     */
    private void checkTimestampType(MutableRecordBatch batch, LogConfig cfg, int position) {
        if (batch.timestampType() == TimestampType.LOG_APPEND_TIME && !batch.isControlBatch()
            && (cfg.logAppendTime() || batch.maxTimestamp() == RecordBatch.NO_TIMESTAMP)) {
            throw new InvalidTimestampException(tp + ": the batch at byte " + position + " has timestamp type "
                + "LogAppendTime; producers must not set it");
        }
    }

    private static boolean needsRecords(MutableRecordBatch batch, LogConfig cfg) {
        boolean keys = cfg.compact() && !batch.isControlBatch();
        boolean oldTimestamps = !cfg.logAppendTime() && cfg.timestampBeforeMaxMs() != Long.MAX_VALUE;
        return keys || oldTimestamps;
    }

    /**
     * Per-record keys (compacted topics) and timestamps, decompressing a compressed batch. Every record is
     * checked, so that the producer learns all refused records of the batch at once (KIP-467); a keyless record
     * is reported for its key only, as Kafka does.
     *
     * @throws RecordValidationFailure (as INVALID_RECORD or INVALID_TIMESTAMP) when any record breaks a rule
     */
    private void checkRecords(MutableRecordBatch batch, LogConfig cfg, long nowMs, int position) {
        boolean keys = cfg.compact() && !batch.isControlBatch();
        boolean timestamps = !cfg.logAppendTime();
        List<RecordError> errors = new ArrayList<>();
        try (CloseableIterator<Record> records = keys ? batch.streamingIterator(BufferSupplier.NO_CACHING)
            : batch.skipKeyValueIterator(BufferSupplier.NO_CACHING)) {
            for (int index = 0; records.hasNext(); index++) {
                Record r = records.next();
                if (keys && !r.hasKey()) {
                    errors.add(new RecordError(index, RecordError.Rule.KEY_REQUIRED,
                        "Compacted topic cannot accept message without key in topic partition " + tp));
                } else if (timestamps && outOfRange(r.timestamp(), cfg, nowMs)) {
                    errors.add(timestampError(r, index, cfg, nowMs));
                }
            }
        } catch (KafkaException e) {
            throw new CorruptRecordException(tp + ": the records of the batch at byte " + position
                + " cannot be read: " + e.getMessage(), e);
        }
        if (!errors.isEmpty()) {
            throw RecordValidationFailure.of(errors);
        }
    }

    /**
     * Kafka's wording, bounds included; computed as Kafka computes them, so an unlimited bound prints as the
     * wrapped-around sum, exactly as a Kafka broker prints it.
     */
    private static RecordError timestampError(Record r, int index, LogConfig cfg, long nowMs) {
        return new RecordError(index, RecordError.Rule.TIMESTAMP_OUT_OF_RANGE, "Timestamp " + r.timestamp()
            + " of message with offset " + r.offset() + " is out of range. The timestamp should be within ["
            + (nowMs - cfg.timestampBeforeMaxMs()) + ", " + (nowMs + cfg.timestampAfterMaxMs()) + "]");
    }

    /**
     * With only the forward bound set, the batch's max timestamp decides for all its records; when it is out of
     * range the records are read to name the refused ones. A header whose max timestamp no record reaches is
     * refused for the batch as a whole.
     */
    private void checkMaxTimestamp(MutableRecordBatch batch, LogConfig cfg, long nowMs, int position) {
        if (!outOfRange(batch.maxTimestamp(), cfg, nowMs)) {
            return;
        }
        checkRecords(batch, cfg, nowMs, position);
        throw new InvalidTimestampException(tp + ": max timestamp " + batch.maxTimestamp() + " of the batch at byte "
            + position + " is more than message.timestamp.after.max.ms (" + cfg.timestampAfterMaxMs()
            + ") after the broker time " + nowMs + ", but none of its records is");
    }

    /** A record without timestamp is never out of range. */
    private static boolean outOfRange(long timestamp, LogConfig cfg, long nowMs) {
        if (timestamp == RecordBatch.NO_TIMESTAMP) {
            return false;
        }
        // Compared as differences, so that the Long.MAX_VALUE bounds (no limit) cannot overflow; an age too large
        // for a long (a timestamp far below zero) counts as Long.MAX_VALUE.
        long age = nowMs - timestamp < 0 && timestamp < 0 ? Long.MAX_VALUE : nowMs - timestamp;
        boolean tooOld = age > cfg.timestampBeforeMaxMs();
        boolean tooNew = timestamp > nowMs && timestamp - nowMs > cfg.timestampAfterMaxMs();
        return tooOld || tooNew;
    }

    /** The append with every batch in the topic's codec, or null when no batch needed rebuilding. */
    private Validated recompress(MemoryRecords records, List<MutableRecordBatch> batches, LogConfig cfg) {
        var target = cfg.compression().orElseThrow();
        List<ByteBuffer> parts = new ArrayList<>(batches.size());
        boolean rebuilt = false;
        int position = records.buffer().position();
        for (MutableRecordBatch batch : batches) {
            if (batch.isControlBatch() || batch.compressionType() == target.type() || batch.countOrNull() == 0) {
                parts.add(records.buffer().duplicate().position(position).limit(position + batch.sizeInBytes()));
            } else {
                parts.add(BatchRecompressor.rebuild(tp, batch, target, position));
                rebuilt = true;
            }
            position += batch.sizeInBytes();
        }
        if (!rebuilt) {
            return null;
        }
        ByteBuffer out = ByteBuffer.allocate(parts.stream().mapToInt(ByteBuffer::remaining).sum());
        parts.forEach(out::put);
        MemoryRecords rebuiltRecords = MemoryRecords.readableRecords(out.flip());
        List<MutableRecordBatch> rebuiltBatches = new ArrayList<>(batches.size());
        rebuiltRecords.batches().forEach(rebuiltBatches::add);
        return new Validated(rebuiltRecords, rebuiltBatches);
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
