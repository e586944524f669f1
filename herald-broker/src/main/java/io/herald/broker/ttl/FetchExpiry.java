package io.herald.broker.ttl;

import io.herald.storage.log.BatchHeader;
import io.herald.storage.log.FileSlice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.LongUnaryOperator;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What a log consumer's fetch of a topic with {@code herald.message.ttl.ms} hands out, whole batches: a batch is
 * expired when every record in it is, by the topic's TTL and each record's own {@value MessageTtl#HEADER} (the
 * smaller wins). The batches are looked at, not copied: the records still go from disk to socket untouched. Each
 * batch's header is read with its first {@value #PREFIX_BYTES} bytes in one read, and the records only until the
 * first live one ({@link ExpiredRecords#allExpired}): a batch past the topic's TTL by its header needs no more, a
 * fresh one usually only its first record.
 *
 * <ul>
 *   <li>A read that starts with live batches is cut before its first expired one: the next fetch starts there.
 *   <li>A read that starts with expired batches answers with one empty batch (no records, as compaction leaves
 *       them) from the first of them to the last expired offset, which every client steps over: the consumer's
 *       position moves past the expired records without receiving them. When the whole read is expired, the time
 *       index finds how far the expired records go, so a long expired backlog is skipped in one round trip.
 * </ul>
 *
 * <p>Stateless.
 */
public final class FetchExpiry {
    /** Bytes of each batch read with its header: the header and, for small records, the first ones. */
    static final int PREFIX_BYTES = 2048;
    /** What to answer. */
    public sealed interface Outcome {
        /** Send these batches (the read, or its live head). */
        record Send(FileSlice slice) implements Outcome {}

        /** Send only {@code emptyBatch}, which ends at {@code nextOffset - 1}. */
        record Skip(MemoryRecords emptyBatch, long nextOffset) implements Outcome {}
    }

    private FetchExpiry() {
    }

    /**
     * @param slice          what the read returned, whole batches
     * @param expiredUntil   given the offset after the expired batches the read holds, the first offset that may be
     *                       live, at least that offset and at most the fetch's upper bound (high watermark or last
     *                       stable offset)
     * @throws IOException reading a batch header failed
     */
    public static Outcome apply(FileSlice slice, long ttlMs, long nowMs, LongUnaryOperator expiredUntil)
            throws IOException {
        ByteBuffer scratch = ByteBuffer.allocate(PREFIX_BYTES);
        BatchHeader first = slice.batchPrefix(0, scratch);
        if (first == null) {
            return new Outcome.Send(slice);
        }
        int position = 0;
        BatchHeader h = first;
        if (!expired(slice, position, h, scratch, ttlMs, nowMs)) {
            while (h != null && !expired(slice, position, h, scratch, ttlMs, nowMs)) {
                position += h.sizeInBytes();
                h = slice.batchPrefix(position, scratch);
            }
            return new Outcome.Send(h == null ? slice : slice.head(position));
        }
        BatchHeader last = first;
        while (h != null && expired(slice, position, h, scratch, ttlMs, nowMs)) {
            last = h;
            position += h.sizeInBytes();
            h = slice.batchPrefix(position, scratch);
        }
        long next = h != null ? h.baseOffset() : expiredUntil.applyAsLong(last.nextOffset());
        return new Outcome.Skip(emptyBatch(first, last, next - 1), next);
    }

    /**
     * The first timestamp that is not expired at {@code nowMs}, for a time-index lookup; empty (-1) when no
     * non-negative timestamp is expired yet.
     */
    public static long firstLiveTimestamp(long ttlMs, long nowMs) {
        return nowMs - ttlMs < 0 ? -1 : nowMs - ttlMs + 1;
    }

    private static boolean expired(FileSlice slice, int position, BatchHeader h, ByteBuffer prefix, long ttlMs,
                                   long nowMs) throws IOException {
        return ExpiredRecords.allExpired(h, ttlMs, nowMs, prefix, () -> slice.read(position, h.sizeInBytes()));
    }

    private static MemoryRecords emptyBatch(BatchHeader first, BatchHeader last, long lastOffset) {
        ByteBuffer buffer = ByteBuffer.allocate(DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
        TimestampType type = (first.attributes() & 0x08) != 0 ? TimestampType.LOG_APPEND_TIME
                : TimestampType.CREATE_TIME;
        DefaultRecordBatch.writeEmptyHeader(buffer, RecordBatch.MAGIC_VALUE_V2, RecordBatch.NO_PRODUCER_ID,
                RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, first.baseOffset(), lastOffset,
                last.partitionLeaderEpoch(), type, last.maxTimestamp(), false, false);
        buffer.flip();
        return MemoryRecords.readableRecords(buffer);
    }
}
