package io.herald.storage.index;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A fixed-width-entry index file of one segment, memory-mapped.
 *
 * <p>On disk: {@code entries * entrySize} bytes of entries, followed (while the segment is active)
 * by zero-filled preallocated space up to {@code maxIndexSize}. {@link #trimToValidSize()} cuts the
 * file to its entries, which is done on roll and on close, so that a non-active segment's entry
 * count is {@code fileSize / entrySize}.
 *
 * <p>Invariants: entry keys are strictly increasing (checked on append), so lookups are binary
 * searches; {@code entries * entrySize <= mmap.limit()}.
 *
 * <p>Thread-safety: all methods are {@code synchronized}. Appends come from the partition's writer
 * under its lock; lookups come from readers; resizes remap the buffer, so readers must not see a
 * buffer being swapped out from under them.
 */
public abstract sealed class MappedIndex implements AutoCloseable permits OffsetIndex, TimeIndex {
    protected final long baseOffset;
    private final int entrySize;
    private volatile Path file;
    private int maxIndexSize;
    protected MappedByteBuffer mmap;
    protected int entries;
    private boolean closed;

    /**
     * @param maxIndexSize the preallocated size when {@code writable}, rounded down to whole entries. Below one
     *                     entry the index holds none and is always full, so its segment rolls after every
     *                     append; Kafka accepts {@code segment.index.bytes} from 4 and behaves the same way.
     */
    MappedIndex(Path file, long baseOffset, int maxIndexSize, int entrySize, boolean writable) throws IOException {
        if (maxIndexSize < 0) {
            throw new IllegalArgumentException("maxIndexSize: " + maxIndexSize + " (expected: >= 0)");
        }
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        boolean existed = Files.exists(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long length = raf.length();
            int validBytes = (int) (length - length % entrySize);
            if (writable) {
                int size = Math.max(roundDown(maxIndexSize), validBytes);
                raf.setLength(size);
                this.maxIndexSize = size;
            } else {
                this.maxIndexSize = validBytes;
            }
            this.mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, this.maxIndexSize);
            this.entries = existed ? validBytes / entrySize : 0;
        }
        if (existed) {
            this.entries = validPrefix(this.entries);
        }
        mmap.position(entries * entrySize);
    }

    private int roundDown(int size) {
        return size - size % entrySize;
    }

    /** Number of leading entries that are well-formed; preallocated zeros after a crash are not. */
    protected abstract int validPrefix(int candidateEntries);

    public synchronized int entries() {
        return entries;
    }

    public synchronized int maxEntries() {
        return maxIndexSize / entrySize;
    }

    public synchronized boolean isFull() {
        return entries >= maxEntries();
    }

    public long baseOffset() {
        return baseOffset;
    }

    public Path file() {
        return file;
    }

    public int entrySize() {
        return entrySize;
    }

    /** Index of the last entry whose key is {@code <= target} (or {@code < target} when strict); -1 if none. */
    protected int largestLowerBound(long target, boolean strict) {
        int lo = 0;
        int hi = entries - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long key = keyAt(mid);
            if (key < target || (!strict && key == target)) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    protected abstract long keyAt(int slot);

    protected void checkAfterWrite() {
        if (entries * entrySize != mmap.position()) {
            throw new IllegalStateException("index " + file + " has " + entries + " entries but position " + mmap.position());
        }
    }

    /** Keeps only the first {@code n} entries. */
    protected void truncateToEntries(int n) {
        entries = Math.max(0, Math.min(n, entries));
        mmap.position(entries * entrySize);
    }

    public synchronized void truncate() {
        truncateToEntries(0);
    }

    /** Shrinks the file to exactly its entries; used on roll and close. */
    public synchronized void trimToValidSize() throws IOException {
        resize(entries * entrySize);
    }

    /** Remaps to {@code newSize} bytes (rounded down to whole entries, never below the current entries). */
    public synchronized void resize(int newSize) throws IOException {
        int size = Math.max(roundDown(newSize), entries * entrySize);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            unmap();
            raf.setLength(size);
            mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, size);
            maxIndexSize = size;
            mmap.position(entries * entrySize);
        }
    }

    public synchronized void flush() {
        if (!closed) {
            mmap.force();
        }
    }

    public synchronized void renameTo(Path target) throws IOException {
        if (Files.exists(file)) {
            Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
        file = target;
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            trimToValidSize();
            unmap();
            closed = true;
        }
    }

    /** Closes without trimming (the file is about to be deleted). */
    public synchronized void closeHandler() {
        unmap();
        closed = true;
    }

    public synchronized void deleteIfExists() throws IOException {
        closeHandler();
        Files.deleteIfExists(file);
    }

    private void unmap() {
        // The mapping is released by the GC; we only drop our reference. Forcing an unmap with
        // Unsafe is what Kafka does on Windows, where a mapped file cannot be deleted or resized.
        mmap = (MappedByteBuffer) mmap.duplicate().limit(0);
    }
}
