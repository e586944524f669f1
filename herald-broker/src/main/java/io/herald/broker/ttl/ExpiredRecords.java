package io.herald.broker.ttl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.OptionalLong;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

/**
 * Finds the expired records of a batch, record by record: a batch whose newest timestamp is past the topic's TTL is
 * expired whole from its header; any other is decoded (decompressed if need be), since a record's own
 * {@value MessageTtl#HEADER} may be shorter. Control batches never expire. Stateless.
 */
public final class ExpiredRecords {
    /** The bytes of one whole batch. */
    @FunctionalInterface
    public interface BatchBytes {
        ByteBuffer read() throws IOException;
    }

    private ExpiredRecords() {
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
