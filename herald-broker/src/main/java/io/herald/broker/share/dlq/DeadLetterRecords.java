package io.herald.broker.share.dlq;

import io.herald.broker.partition.HeapRecords;
import io.herald.broker.share.ArchivedRecords;
import io.herald.broker.share.DeadLetterBatch;
import io.herald.broker.share.ShareLog;
import io.herald.broker.share.dlq.DeadLetterHeaders.Origin;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Builds the dead-letter records of one share-partition batch as a single uncompressed record batch, so that its
 * append to the dead-letter topic is all or nothing. One record per source record in the batch's ranges (offsets
 * without a record and transaction markers have none), in offset order, stamped with the time it was built:
 * the {@link DeadLetterHeaders} context headers, and with {@code errors.deadletterqueue.copy.record.enable} the
 * original key, value and headers too (else a null key and value).
 *
 * <p>Source records are read from the share-partition's log, as a consumer reads them; records the log start
 * offset moved past meanwhile (retention) are gone and left out.
 *
 * <p>Stateless and thread-safe; reads block on the page cache or disk, so call it off event loops.
 */
final class DeadLetterRecords {
    /** Bytes read from the source log at a time. */
    static final int READ_BYTES = 1 << 20;

    private DeadLetterRecords() {
    }

    /**
     * The dead-letter record batch for {@code batch}; empty when none of its offsets holds a record.
     *
     * @throws KafkaStorageException the source log could not be read
     */
    static Optional<MemoryRecords> build(DeadLetterBatch batch, boolean copyRecord, long nowMs) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), Compression.NONE,
                TimestampType.CREATE_TIME, 0L);
        int count = 0;
        for (ArchivedRecords range : batch.ranges()) {
            for (Record r : sourceRecords(batch.log(), range.firstOffset(), range.lastOffset())) {
                Origin origin = new Origin(batch.groupId(), batch.source().topic(), batch.source().partition(),
                        r.offset());
                List<Header> headers = DeadLetterHeaders.context(origin, range.deliveryCount(), range.reason());
                if (copyRecord) {
                    headers.addAll(List.of(r.headers()));
                    builder.append(nowMs, r.key(), r.value(), headers.toArray(Header[]::new));
                } else {
                    builder.append(nowMs, (ByteBuffer) null, null, headers.toArray(Header[]::new));
                }
                count++;
            }
        }
        return count == 0 ? Optional.empty() : Optional.of(builder.build());
    }

    /** The data records of {@code [first, last]} the log still has. */
    static List<Record> sourceRecords(ShareLog log, long first, long last) {
        List<Record> out = new ArrayList<>();
        long offset = first;
        while (offset <= last) {
            ShareLog.Chunk chunk;
            try {
                chunk = log.read(offset, READ_BYTES, true, IsolationLevel.READ_UNCOMMITTED);
            } catch (OffsetOutOfRangeException e) {
                long start = log.logStartOffset();
                if (start <= offset) {
                    throw e;
                }
                offset = start; // retention removed the rest of the range's head
                continue;
            }
            if (chunk.batches().isEmpty()) {
                break;
            }
            MemoryRecords records = HeapRecords.toMemory(chunk.slicer().records(0, chunk.sizeInBytes()));
            long next = offset;
            for (RecordBatch b : records.batches()) {
                next = Math.max(next, b.lastOffset() + 1);
                if (b.isControlBatch()) {
                    continue;
                }
                for (Record r : b) {
                    if (r.offset() >= offset && r.offset() <= last) {
                        out.add(r);
                    }
                }
            }
            if (next <= offset) {
                break;
            }
            offset = next;
        }
        return out;
    }
}
