package io.herald.storage.log;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A range of whole record batches in a segment file, for zero-copy transfer
 * ({@code FileChannel.transferTo} / Netty {@code DefaultFileRegion}).
 *
 * <p>The channel stays open at least {@code fileDeleteDelayMs} after its segment is deleted, so a
 * slice handed to the network layer remains readable while the response is sent. Callers must not
 * close the channel.
 *
 * @param endOffset the offset after the slice's last batch (its last offset + 1), as the read that made it saw
 *                  it; {@link #UNKNOWN_END} when not known (an empty slice, one cut by {@link #head})
 */
public record FileSlice(FileChannel channel, long position, int size, long endOffset) {
    /** The {@link #endOffset} of a slice whose end is not known. */
    public static final long UNKNOWN_END = -1;

    public FileSlice {
        if (position < 0 || size < 0) {
            throw new IllegalArgumentException("position " + position + ", size " + size + " (expected: >= 0)");
        }
    }

    /** A slice whose end offset is not known. */
    public FileSlice(FileChannel channel, long position, int size) {
        this(channel, position, size, UNKNOWN_END);
    }

    /**
     * The header of the batch starting {@code at} bytes into the slice, read from the file (61 bytes, usually from
     * the page cache) into {@code scratch} (at least {@link BatchHeader#SIZE} bytes).
     *
     * @return null when no whole batch starts there: the slice ends before its header or its last byte
     * @throws IOException the read failed, or the file ended inside the header
     */
    public BatchHeader batchHeader(int at, ByteBuffer scratch) throws IOException {
        if (at + BatchHeader.SIZE > size) {
            return null;
        }
        scratch.clear().limit(BatchHeader.SIZE);
        long from = position + at;
        while (scratch.hasRemaining()) {
            if (channel.read(scratch, from + scratch.position()) < 0) {
                throw new EOFException("segment ended inside a batch header at " + from);
            }
        }
        BatchHeader h = BatchHeader.parse(scratch, 0);
        return h.sizeInBytes() < BatchHeader.SIZE || at + h.sizeInBytes() > size ? null : h;
    }

    /**
     * Like {@link #batchHeader}, but reads as much of the batch as {@code scratch} holds (bounded by the slice) in
     * the same read, so that its first records come with the header: {@code scratch} then holds the bytes from
     * the batch's start, position 0 to its limit.
     */
    public BatchHeader batchPrefix(int at, ByteBuffer scratch) throws IOException {
        if (at + BatchHeader.SIZE > size) {
            return null;
        }
        scratch.clear().limit(Math.min(scratch.capacity(), size - at));
        long from = position + at;
        while (scratch.position() < BatchHeader.SIZE) {
            int n = channel.read(scratch, from + scratch.position());
            if (n < 0) {
                throw new EOFException("segment ended inside a batch header at " + from);
            }
            if (n == 0 && !scratch.hasRemaining()) {
                break;
            }
        }
        scratch.flip();
        BatchHeader h = BatchHeader.parse(scratch, 0);
        return h.sizeInBytes() < BatchHeader.SIZE || at + h.sizeInBytes() > size ? null : h;
    }

    /** The bytes {@code [at, at + length)} of the slice, read from the file into a new heap buffer. */
    public ByteBuffer read(int at, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        long from = position + at;
        while (buf.hasRemaining()) {
            if (channel.read(buf, from + buf.position()) < 0) {
                throw new EOFException("segment ended at " + (from + buf.position()) + " inside a slice");
            }
        }
        return buf.flip();
    }

    /** The first {@code length} bytes of this slice. */
    public FileSlice head(int length) {
        return length == size ? this : new FileSlice(channel, position, length);
    }

    /** An empty slice (no channel needed). */
    public static FileSlice empty() {
        return new FileSlice(null, 0, 0);
    }
}
