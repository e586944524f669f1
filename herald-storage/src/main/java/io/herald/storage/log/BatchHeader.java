package io.herald.storage.log;

import java.nio.ByteBuffer;

import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The fixed 61-byte header of a magic v2 record batch, parsed without touching the records.
 *
 * <pre>
 * baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
 * attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
 * producerId int64 | producerEpoch int16 | baseSequence int32 | recordsCount int32
 * </pre>
 *
 * @param sizeInBytes whole batch size: {@code batchLength + 12}
 */
public record BatchHeader(long baseOffset, int sizeInBytes, int partitionLeaderEpoch, byte magic, short attributes,
                          int lastOffsetDelta, long maxTimestamp, long producerId, short producerEpoch,
                          int baseSequence, int recordCount) {
    public static final int SIZE = DefaultRecordBatch.RECORD_BATCH_OVERHEAD; // 61
    /** Bytes before the length field's value starts counting: baseOffset + batchLength. */
    public static final int LOG_OVERHEAD = 12;
    static final int MAGIC_OFFSET = 16;

    /** Parses the header at {@code buf}'s absolute {@code position}; the caller checked 61 bytes are there. */
    public static BatchHeader parse(ByteBuffer buf, int position) {
        return new BatchHeader(
            buf.getLong(position),
            buf.getInt(position + 8) + LOG_OVERHEAD,
            buf.getInt(position + 12),
            buf.get(position + 16),
            buf.getShort(position + 21),
            buf.getInt(position + 23),
            buf.getLong(position + 35),
            buf.getLong(position + 43),
            buf.getShort(position + 51),
            buf.getInt(position + 53),
            buf.getInt(position + 57));
    }

    public long lastOffset() {
        return baseOffset + lastOffsetDelta;
    }

    public long nextOffset() {
        return lastOffset() + 1;
    }

    public int lastSequence() {
        return baseSequence < 0 ? RecordBatch.NO_SEQUENCE : DefaultRecordBatch.incrementSequence(baseSequence, lastOffsetDelta);
    }

    public boolean hasProducerId() {
        return producerId >= 0;
    }

    public boolean isTransactional() {
        return (attributes & 0x10) != 0;
    }

    public boolean isControl() {
        return (attributes & 0x20) != 0;
    }
}
