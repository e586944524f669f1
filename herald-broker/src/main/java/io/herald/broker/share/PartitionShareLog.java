package io.herald.broker.share;

import io.herald.broker.replica.Partition;
import io.herald.protocol.FileRegionRecords;
import io.herald.storage.log.BatchHeader;
import io.herald.storage.log.FileSlice;
import io.herald.storage.log.TimestampAndOffset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.KafkaStorageException;
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
        FileChannel channel = slice.channel();
        long base = slice.position();
        return new Chunk(batches, read.abortedTransactions(),
                (position, size) -> size == 0 ? MemoryRecords.EMPTY
                        : new FileRegionRecords(channel, base + position, size));
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
            while (position + BatchHeader.SIZE <= slice.size()) {
                buf.clear();
                long at = slice.position() + position;
                while (buf.hasRemaining()) {
                    if (slice.channel().read(buf, at + buf.position()) < 0) {
                        throw new KafkaStorageException(partition.topicPartition() + ": segment ended inside a batch"
                                + " header at " + at);
                    }
                }
                BatchHeader h = BatchHeader.parse(buf, 0);
                if (h.sizeInBytes() < BatchHeader.SIZE || position + h.sizeInBytes() > slice.size()) {
                    break; // the read hands out whole batches; a short tail is not one
                }
                out.add(new FetchedBatch(h.baseOffset(), h.lastOffset(), position, h.sizeInBytes(), h.producerId(),
                        h.isTransactional(), h.isControl()));
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
