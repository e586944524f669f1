package io.herald.broker.share;

import io.herald.broker.replica.Partition;
import io.herald.broker.ttl.ExpiredOffsets;
import io.herald.broker.ttl.ExpiredRecords;
import io.herald.protocol.FileRegionRecords;
import io.herald.storage.log.BatchHeader;
import io.herald.storage.log.FileSlice;
import io.herald.storage.log.TimestampAndOffset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A {@link ShareLog} over a hosted {@link Partition}: consumer reads as the Fetch API does them (high watermark or
 * last stable offset, aborted transactions), with each batch's header read from the segment file (61 bytes per
 * batch, from the page cache) and the bytes handed on as a file region, so records go from disk to socket
 * without entering the heap. As Kafka's SharePartition, only batch headers are looked at, never records.
 *
 * <p>Thread-safety: thread-safe (the partition's reads are).
 */
public final class PartitionShareLog implements ShareLog {
    private final Partition partition;

    public PartitionShareLog(Partition partition) {
        this.partition = partition;
    }

    public Partition partition() {
        return partition;
    }

    @Override
    public long logStartOffset() {
        return partition.log().logStartOffset();
    }

    @Override
    public long highWatermark() {
        return partition.highWatermark();
    }

    @Override
    public long lastStableOffset() {
        return partition.log().lastStableOffset();
    }

    @Override
    public OptionalLong offsetForTimestamp(long timestamp) {
        Optional<TimestampAndOffset> found = partition.log().offsetForTimestamp(timestamp);
        // Kafka's lookup for a share-partition is read_uncommitted: nothing at or past the high watermark.
        return found.isPresent() && found.get().offset() < partition.highWatermark()
                ? OptionalLong.of(found.get().offset()) : OptionalLong.empty();
    }

    @Override
    public Chunk read(long offset, int maxBytes, boolean minOneMessage, IsolationLevel isolation) {
        return read(offset, maxBytes, minOneMessage, isolation, Long.MAX_VALUE);
    }

    /** Reads batch headers only up to the first batch reaching {@code lastOffsetWanted}: one read per header. */
    @Override
    public Chunk read(long offset, int maxBytes, boolean minOneMessage, IsolationLevel isolation,
                      long lastOffsetWanted) {
        Partition.ConsumerRead read = partition.read(offset, maxBytes, minOneMessage, isolation);
        FileSlice slice = read.read().slice();
        if (slice.size() == 0) {
            return Chunk.EMPTY;
        }
        List<FetchedBatch> batches = headers(slice, lastOffsetWanted);
        return new Chunk(batches, read.abortedTransactions(), new FileSlicer(slice));
    }

    /** Hands runs of the read out as file regions, and reads them into the heap for the TTL headers. */
    private record FileSlicer(FileSlice slice) implements Slicer {
        @Override
        public BaseRecords records(int position, int size) {
            return size == 0 ? MemoryRecords.EMPTY
                    : new FileRegionRecords(slice.channel(), slice.position() + position, size);
        }
    }

    /**
     * Batches past the topic's TTL by their newest timestamp are expired whole from their headers; the others are
     * read and decoded, record by record (a record's own {@code herald.ttl.ms} may be shorter).
     */
    @Override
    public ExpiredOffsets expired(Chunk chunk, long nowMs) {
        long ttl = partition.log().config().messageTtlMs();
        if (ttl < 0 || !(chunk.slicer() instanceof FileSlicer files)) {
            return ExpiredOffsets.NONE;
        }
        ExpiredOffsets.Builder out = new ExpiredOffsets.Builder();
        try {
            for (FetchedBatch b : chunk.batches()) {
                ExpiredRecords.add(out, b.baseOffset(), b.lastOffset(), b.maxTimestamp(), b.control(), ttl, nowMs,
                        () -> files.slice().read(b.position(), b.sizeInBytes()));
            }
        } catch (IOException e) {
            throw new KafkaStorageException(partition.topicPartition() + ": reading records for their TTL failed", e);
        }
        return out.build();
    }

    @Override
    public int bytesAvailable(long offset, int maxBytes, IsolationLevel isolation) {
        return partition.read(offset, maxBytes, false, isolation).read().slice().size();
    }

    private List<FetchedBatch> headers(FileSlice slice, long lastOffsetWanted) {
        List<FetchedBatch> out = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocate(BatchHeader.SIZE);
        int position = 0;
        try {
            BatchHeader h;
            // The read hands out whole batches; a short tail is not one.
            while ((h = slice.batchHeader(position, buf)) != null) {
                out.add(new FetchedBatch(h.baseOffset(), h.lastOffset(), position, h.sizeInBytes(), h.producerId(),
                        h.isTransactional(), h.isControl(), h.maxTimestamp()));
                position += h.sizeInBytes();
                if (h.lastOffset() >= lastOffsetWanted) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new KafkaStorageException(partition.topicPartition() + ": reading batch headers failed", e);
        }
        return out;
    }
}
