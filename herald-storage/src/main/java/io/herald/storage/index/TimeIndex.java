package io.herald.storage.index;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Sparse map from timestamp to offset for one segment ({@code .timeindex}).
 *
 * <p>On disk: 12-byte entries {@code long timestamp, int relativeOffset}, big-endian. An entry
 * {@code (t, o)} says: {@code t} is the largest timestamp of any record at or before offset
 * {@code o} in this segment. Timestamps are strictly increasing and offsets non-decreasing
 * across entries, so a search for the first record with timestamp {@code >= T} may start at the
 * offset of the last entry with timestamp {@code < T}.
 *
 * <p>Thread-safety: see {@link MappedIndex}.
 */
public final class TimeIndex extends MappedIndex {
    public static final int ENTRY_SIZE = 12;

    public TimeIndex(Path file, long baseOffset, int maxIndexSize, boolean writable) throws IOException {
        super(file, baseOffset, maxIndexSize, ENTRY_SIZE, writable);
    }

    @Override
    protected int validPrefix(int candidate) {
        long prevTs = Long.MIN_VALUE;
        int prevRel = -1;
        for (int i = 0; i < candidate; i++) {
            long ts = mmap.getLong(i * ENTRY_SIZE);
            int rel = mmap.getInt(i * ENTRY_SIZE + 8);
            // An all-zero slot is preallocated space; dropping a real (0, base) entry only costs a longer scan.
            if (ts <= prevTs || rel < prevRel || rel < 0 || (ts == 0 && rel == 0)) {
                return i;
            }
            prevTs = ts;
            prevRel = rel;
        }
        return candidate;
    }

    @Override
    protected long keyAt(int slot) {
        return mmap.getLong(slot * ENTRY_SIZE);
    }

    /** Appends {@code (timestamp, offset)} if the timestamp is larger than the last entry's; returns whether it did. */
    public synchronized boolean maybeAppend(long timestamp, long offset) {
        if (entries > 0 && timestamp <= keyAt(entries - 1)) {
            return false;
        }
        long rel = offset - baseOffset;
        if (rel < 0 || rel > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " out of range for index with base " + baseOffset);
        }
        if (entries > 0 && offset < entryAt(entries - 1).offset()) {
            throw new IllegalArgumentException("offset " + offset + " (expected: >= last indexed offset)");
        }
        if (isFull()) {
            throw new IllegalStateException("time index " + file() + " is full");
        }
        mmap.putLong(timestamp);
        mmap.putInt((int) rel);
        entries++;
        checkAfterWrite();
        return true;
    }

    /** Last entry with timestamp strictly below {@code target}, or {@code (-1, baseOffset)} if none. */
    public synchronized TimestampOffset lookupBefore(long target) {
        int slot = largestLowerBound(target, true);
        return slot < 0 ? new TimestampOffset(-1, baseOffset) : entryAt(slot);
    }

    /** Last entry with timestamp {@code <= target}, or {@code (-1, baseOffset)} if none. */
    public synchronized TimestampOffset lookup(long target) {
        int slot = largestLowerBound(target, false);
        return slot < 0 ? new TimestampOffset(-1, baseOffset) : entryAt(slot);
    }

    public synchronized TimestampOffset entryAt(int slot) {
        if (slot < 0 || slot >= entries) {
            throw new IndexOutOfBoundsException("slot " + slot + " (expected: 0.." + (entries - 1) + ")");
        }
        return new TimestampOffset(mmap.getLong(slot * ENTRY_SIZE), baseOffset + mmap.getInt(slot * ENTRY_SIZE + 8));
    }

    public synchronized TimestampOffset lastEntry() {
        return entries == 0 ? new TimestampOffset(-1, baseOffset) : entryAt(entries - 1);
    }

    /** Removes every entry with offset {@code >= offset}. */
    public synchronized void truncateTo(long offset) {
        int keep = entries;
        while (keep > 0 && entryAt(keep - 1).offset() >= offset) {
            keep--;
        }
        truncateToEntries(keep);
    }
}
