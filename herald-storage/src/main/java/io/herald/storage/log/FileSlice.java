package io.herald.storage.log;

import java.nio.channels.FileChannel;

/**
 * A range of whole record batches in a segment file, for zero-copy transfer
 * ({@code FileChannel.transferTo} / Netty {@code DefaultFileRegion}).
 *
 * <p>The channel stays open at least {@code fileDeleteDelayMs} after its segment is deleted, so a
 * slice handed to the network layer remains readable while the response is sent. Callers must not
 * close the channel.
 */
public record FileSlice(FileChannel channel, long position, int size) {
    public FileSlice {
        if (position < 0 || size < 0) {
            throw new IllegalArgumentException("position " + position + ", size " + size + " (expected: >= 0)");
        }
    }

    /** An empty slice (no channel needed). */
    public static FileSlice empty() {
        return new FileSlice(null, 0, 0);
    }
}
