package io.herald.storage.log;

import java.nio.ByteBuffer;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;

/**
 * Rebuilds one producer batch with another codec (topic {@code compression.type}), using kafka-clients' record
 * classes for both codecs. The new batch has base offset 0 and consecutive offset deltas, like a producer's,
 * so that stamping assigns its offsets as for any other batch (a gapped batch, with fewer records than offsets,
 * keeps its records' deltas and its offset range instead); it keeps the records' keys, values, headers and
 * timestamps, and the producer id, epoch, base sequence and transactional flag, so idempotence and
 * transactions see the same batch. Its timestamp type is CreateTime; a LogAppendTime topic stamps it later.
 *
 * <p>Thread-safety: stateless.
 */
final class BatchRecompressor {
    private BatchRecompressor() {
    }

    /**
     * @param position where the batch starts in its request, for error messages
     * @throws CorruptRecordException when the batch's records cannot be decompressed
     */
    static ByteBuffer rebuild(TopicPartition tp, MutableRecordBatch batch, Compression target, int position) {
        // The uncompressed size is unknown; the builder's stream grows its buffer as needed.
        ByteBuffer out = ByteBuffer.allocate(Math.max(batch.sizeInBytes(), BatchHeader.SIZE + 64));
        MemoryRecordsBuilder builder = MemoryRecords.builder(out, RecordBatch.MAGIC_VALUE_V2, target,
            TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, batch.producerId(), batch.producerEpoch(),
            batch.baseSequence(), batch.isTransactional(), RecordBatch.NO_PARTITION_LEADER_EPOCH);
        int lastOffsetDelta = (int) (batch.lastOffset() - batch.baseOffset());
        boolean gapped = batch.countOrNull() != lastOffsetDelta + 1;
        try (CloseableIterator<Record> records = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
            long delta = 0;
            while (records.hasNext()) {
                Record r = records.next();
                builder.appendWithOffset(gapped ? r.offset() - batch.baseOffset() : delta++, r);
            }
            if (gapped) {
                builder.overrideLastOffset(lastOffsetDelta);
            }
        } catch (KafkaException e) {
            throw new CorruptRecordException(tp + ": the records of the batch at byte " + position
                + " cannot be decompressed to be recompressed with " + target.type() + ": " + e.getMessage(), e);
        }
        return builder.build().buffer();
    }
}
