package io.herald.broker.delay;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;

/**
 * Takes the records that ask to be delayed out of a produced batch.
 *
 * <p>The batch left for the partition keeps the producer's offset range, producer id, epoch and base sequence;
 * the delayed records leave holes in it (fewer records than offsets, or none at all, as a cleaned batch has). So
 * the partition's producer state sees the producer's batch as sent: a retry is still a duplicate, the next batch's
 * sequence still follows, and the delayed records' placeholder offsets are never used by another record. A
 * delayed record gets its real offset when it is released.
 *
 * <p>A transactional batch is split the same way: the kept batch stays transactional (so the partition joins the
 * transaction as the producer expects), and the delayed records are released only if that transaction commits
 * ({@link TimerRecord.ScheduleMeta#transactionOffset}). Control batches are never split.
 *
 * <p>Thread-safety: stateless.
 */
public final class DelaySplit {

    /** A record to hold back: its sequence in the producer's stream (-1 without idempotence) and its due time. */
    public record DelayedRecord(int sequence, long dueMs, long timestamp, ByteBuffer key, ByteBuffer value,
                                Header[] headers) {}

    /**
     * A split batch: {@code kept} for the partition, {@code delayed} for the timer log, and the delay headers that
     * did not parse (those records are kept).
     */
    public record Split(MemoryRecords kept, long producerId, short producerEpoch, boolean transactional,
                        List<DelayedRecord> delayed, List<String> badHeaders) {}

    private DelaySplit() {
    }

    /**
     * Splits the single batch of {@code records} if any record asks for a due time after {@code nowMs}; the kept
     * batch is written with {@code codec} (the topic's, or the producer's when the topic keeps it). Delay
     * headers that do not parse are added to {@code badHeaders}, whether or not the batch is split.
     *
     * @return empty when nothing is delayed: the batch is appended as received
     * @throws org.apache.kafka.common.errors.CorruptRecordException a batch that fails its CRC
     */
    public static Optional<Split> split(MemoryRecords records, long nowMs, Optional<Compression> codec,
                                        List<String> badHeaders) {
        MutableRecordBatch batch = records.batches().iterator().next();
        if (batch.isControlBatch()) {
            return Optional.empty();
        }
        batch.ensureValid();
        List<Record> kept = new ArrayList<>();
        List<DelayedRecord> delayed = new ArrayList<>();
        try (CloseableIterator<Record> it = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
            while (it.hasNext()) {
                Record r = it.next();
                switch (DelayHeaders.due(r.headers(), nowMs)) {
                    case DelayHeaders.Due.At at -> delayed.add(new DelayedRecord(
                            batch.baseSequence() < 0 ? -1
                                    : DefaultRecordBatch.incrementSequence(batch.baseSequence(),
                                    (int) (r.offset() - batch.baseOffset())),
                            at.dueMs(), r.timestamp(), copy(r.key()), copy(r.value()), r.headers()));
                    case DelayHeaders.Due.Bad bad -> {
                        badHeaders.add(bad.reason());
                        kept.add(r);
                    }
                    case DelayHeaders.Due.Now now -> kept.add(r);
                }
            }
        }
        if (delayed.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Split(keptBatch(batch, kept, codec.orElse(Compression.of(batch.compressionType())
                .build())), batch.producerId(), batch.producerEpoch(), batch.isTransactional(), delayed, badHeaders));
    }

    /** The producer's batch with only {@code kept}: same offset range, producer fields and timestamp type. */
    static MemoryRecords keptBatch(MutableRecordBatch batch, List<Record> kept, Compression codec) {
        long base = batch.baseOffset();
        if (kept.isEmpty()) {
            ByteBuffer buffer = ByteBuffer.allocate(DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
            DefaultRecordBatch.writeEmptyHeader(buffer, RecordBatch.MAGIC_VALUE_V2, batch.producerId(),
                    batch.producerEpoch(), batch.baseSequence(), base, batch.lastOffset(),
                    RecordBatch.NO_PARTITION_LEADER_EPOCH, batch.timestampType(), batch.maxTimestamp(),
                    batch.isTransactional(), false);
            buffer.flip();
            return MemoryRecords.readableRecords(buffer);
        }
        int size = kept.stream().mapToInt(Record::sizeInBytes).sum() + DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
        MemoryRecordsBuilder builder = new MemoryRecordsBuilder(ByteBuffer.allocate(size), RecordBatch.MAGIC_VALUE_V2,
                codec, batch.timestampType() == TimestampType.NO_TIMESTAMP_TYPE ? TimestampType.CREATE_TIME
                : batch.timestampType(), base, RecordBatch.NO_TIMESTAMP, batch.producerId(), batch.producerEpoch(),
                batch.baseSequence(), batch.isTransactional(), false, RecordBatch.NO_PARTITION_LEADER_EPOCH, size);
        for (Record r : kept) {
            builder.appendWithOffset(r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
        }
        builder.overrideLastOffset(batch.lastOffset());
        return builder.build();
    }

    private static ByteBuffer copy(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }
}
