package io.herald.protocol;

import io.herald.protocol.codec.NonOwningFileRegion;
import io.netty.channel.FileRegion;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Objects;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * Records that the fetch path hands back: {@code size} bytes of a log segment at {@code position},
 * sent with zero copy. The response encoder turns them into a Netty {@link FileRegion}
 * ({@link #toFileRegion()}), so the log bytes go from page cache to socket without entering the
 * Java heap.
 *
 * <p>The channel belongs to storage and is never closed here. The region must stay readable until
 * the response has been written (storage must not delete or truncate the segment under it; a
 * truncated file fails the write and closes the connection instead of sending short data).
 *
 * <p>Immutable and thread-safe.
 */
public final class FileRegionRecords implements BaseRecords {

    private final FileChannel channel;
    private final long position;
    private final int size;

    public FileRegionRecords(FileChannel channel, long position, int size) {
        this.channel = Objects.requireNonNull(channel, "channel");
        if (position < 0) {
            throw new IllegalArgumentException("position: " + position + " (expected: >= 0)");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size: " + size + " (expected: >= 0)");
        }
        this.position = position;
        this.size = size;
    }

    public FileChannel channel() {
        return channel;
    }

    public long position() {
        return position;
    }

    @Override
    public int sizeInBytes() {
        return size;
    }

    /** A new Netty region over these bytes (reference count 1; releasing it leaves the channel open). */
    public FileRegion toFileRegion() {
        return new NonOwningFileRegion(channel, position, size);
    }

    /** For completeness with kafka-clients' network layer: sends the region with transferTo. */
    @Override
    public RecordsSend<FileRegionRecords> toSend() {
        return new FileRegionSend(this);
    }

    @Override
    public String toString() {
        return "FileRegionRecords(position=" + position + ", size=" + size + ')';
    }

    private static final class FileRegionSend extends RecordsSend<FileRegionRecords> {
        FileRegionSend(FileRegionRecords records) {
            super(records, records.sizeInBytes());
        }

        @Override
        protected int writeTo(TransferableChannel channel, int previouslyWritten, int remaining) throws IOException {
            FileRegionRecords records = records();
            return (int) channel.transferFrom(records.channel, records.position + previouslyWritten, remaining);
        }
    }
}
