package io.herald.broker.ttl;

import io.herald.storage.log.BatchHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.OptionalLong;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecord;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.ByteUtils;
import org.apache.kafka.common.utils.CloseableIterator;

/**
 * Finds the expired records of a batch, record by record: a batch whose newest timestamp is past the topic's TTL is
 * expired whole from its header; any other is decoded (decompressed if need be), since a record's own
 * {@value MessageTtl#HEADER} may be shorter. Control batches never expire. Stateless.
 */
public final class ExpiredRecords {
    private static final int COMPRESSION_MASK = 0x07;
    private static final int LOG_APPEND_TIME_FLAG = 0x08;
    /** Where a v2 batch's base timestamp is. */
    private static final int BASE_TIMESTAMP_OFFSET = 27;
    /** The bytes of one whole batch. */
    @FunctionalInterface
    public interface BatchBytes {
        ByteBuffer read() throws IOException;
    }

    private ExpiredRecords() {
    }

    /**
     * Whether every record of a batch has expired at {@code nowMs}, for a log consumer's fetch. A batch past the
     * topic's TTL by its newest timestamp is, from its header (a control batch is judged by that alone); any other
     * is looked into only until its first live record, which in a fresh batch is the first: an uncompressed batch
     * is read from {@code prefix} (its first bytes, read with the header) as far as that goes, the whole batch
     * otherwise.
     *
     * @param prefix the batch's first bytes, from its start at position 0 to the limit
     * @throws IOException reading the whole batch failed
     */
    public static boolean allExpired(BatchHeader header, long topicTtlMs, long nowMs, ByteBuffer prefix,
                                     BatchBytes whole) throws IOException {
        if (MessageTtl.expired(header.maxTimestamp(), topicTtlMs, nowMs)) {
            return true;
        }
        if (header.isControl()) {
            return false;
        }
        if ((header.attributes() & COMPRESSION_MASK) == 0) {
            Boolean fromPrefix = allExpiredIn(prefix, header, topicTtlMs, nowMs);
            if (fromPrefix != null) {
                return fromPrefix;
            }
        }
        for (MutableRecordBatch batch : MemoryRecords.readableRecords(whole.read()).batches()) {
            try (CloseableIterator<Record> records = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
                while (records.hasNext()) {
                    if (!expired(records.next(), topicTtlMs, nowMs)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** The verdict from an uncompressed batch's first bytes, or null when they end before it is known. */
    private static Boolean allExpiredIn(ByteBuffer prefix, BatchHeader header, long topicTtlMs, long nowMs) {
        long baseTimestamp = prefix.getLong(BASE_TIMESTAMP_OFFSET);
        Long logAppendTime = (header.attributes() & LOG_APPEND_TIME_FLAG) != 0 ? header.maxTimestamp() : null;
        ByteBuffer records = prefix.duplicate().position(BatchHeader.SIZE);
        for (int i = 0; i < header.recordCount(); i++) {
            ByteBuffer peek = records.duplicate();
            if (peek.remaining() < 5 && peek.remaining() < header.sizeInBytes() - records.position()) {
                return null; // the size varint may be cut
            }
            int bodySize = ByteUtils.readVarint(peek);
            if (peek.remaining() < bodySize) {
                return null;
            }
            Record r = DefaultRecord.readFrom(records, header.baseOffset(), baseTimestamp, header.baseSequence(),
                    logAppendTime);
            if (!expired(r, topicTtlMs, nowMs)) {
                return false;
            }
        }
        return true;
    }

    private static boolean expired(Record r, long topicTtlMs, long nowMs) {
        return MessageTtl.expired(r.timestamp(), MessageTtl.effective(topicTtlMs, MessageTtl.headerTtl(r.headers())),
                nowMs);
    }

    /**
     * Adds to {@code out} the offsets of the batch {@code [baseOffset, lastOffset]} that have expired at
     * {@code nowMs} under the topic TTL {@code topicTtlMs} (>= 0) and the records' headers.
     *
     * @throws IOException reading the batch failed
     */
    public static void add(ExpiredOffsets.Builder out, long baseOffset, long lastOffset, long maxTimestamp,
                           boolean control, long topicTtlMs, long nowMs, BatchBytes bytes) throws IOException {
        if (control) {
            return;
        }
        if (MessageTtl.expired(maxTimestamp, topicTtlMs, nowMs)) {
            out.add(baseOffset, lastOffset);
            return;
        }
        for (MutableRecordBatch batch : MemoryRecords.readableRecords(bytes.read()).batches()) {
            boolean logAppendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME;
            for (Record r : batch) {
                long timestamp = logAppendTime ? batch.maxTimestamp() : r.timestamp();
                OptionalLong own = MessageTtl.headerTtl(r.headers());
                if (MessageTtl.expired(timestamp, MessageTtl.effective(topicTtlMs, own), nowMs)) {
                    out.add(r.offset(), r.offset());
                }
            }
        }
    }
}
