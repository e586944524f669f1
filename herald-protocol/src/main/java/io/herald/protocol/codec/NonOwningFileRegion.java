package io.herald.protocol.codec;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * A {@link FileRegion} over a file channel that belongs to someone else.
 *
 * <p>Netty's {@code DefaultFileRegion} closes its {@code FileChannel} when released, but log
 * segment channels are owned by storage and shared by every fetch, so releasing this region
 * leaves the channel open. Transfers use {@link FileChannel#transferTo}, which the NIO
 * transport turns into sendfile: the bytes never enter the Java heap.
 *
 * <p>Not thread-safe: used by one channel's event loop, like any outbound message.
 */
public final class NonOwningFileRegion extends AbstractReferenceCounted implements FileRegion {

    private final FileChannel file;
    private final long position;
    private final long count;
    private long transferred;

    public NonOwningFileRegion(FileChannel file, long position, long count) {
        this.file = Objects.requireNonNull(file, "file");
        if (position < 0) {
            throw new IllegalArgumentException("position: " + position + " (expected: >= 0)");
        }
        if (count < 0) {
            throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
        }
        this.position = position;
        this.count = count;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    @Deprecated
    public long transfered() {
        return transferred;
    }

    @Override
    public long transferred() {
        return transferred;
    }

    @Override
    public long count() {
        return count;
    }

    /** Transfers from {@code position} (relative to the region's start) to {@code target}. */
    @Override
    public long transferTo(WritableByteChannel target, long position) throws IOException {
        long remaining = count - position;
        if (remaining < 0 || position < 0) {
            throw new IllegalArgumentException("position out of range: " + position + " (expected: 0 - " + (count - 1) + ')');
        }
        if (remaining == 0) {
            return 0L;
        }
        if (refCnt() == 0) {
            throw new IllegalStateException("region already released");
        }
        long written = file.transferTo(this.position + position, remaining, target);
        if (written > 0) {
            transferred += written;
        } else if (written == 0) {
            failIfTruncated(position);
        }
        return written;
    }

    /**
     * transferTo returns 0 both when the socket is full and when the file is shorter than the
     * region (a segment truncated under a fetch). Telling them apart avoids spinning forever
     * on OP_WRITE for bytes that will never come, as Netty's DefaultFileRegion does.
     */
    private void failIfTruncated(long relativePosition) throws IOException {
        long size = file.size();
        if (size < this.position + count) {
            throw new IOException("underlying file size " + size + " smaller than requested region end "
                + (this.position + count) + " (transferred " + relativePosition + " of " + count + ')');
        }
    }

    @Override
    protected void deallocate() {
        // The channel is owned by storage: nothing to release.
    }

    @Override
    public NonOwningFileRegion retain() {
        super.retain();
        return this;
    }

    @Override
    public NonOwningFileRegion retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public NonOwningFileRegion touch() {
        return this;
    }

    @Override
    public NonOwningFileRegion touch(Object hint) {
        return this;
    }
}
