package io.herald.storage.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Sparse map from offset to file position for one segment ({@code .index}).
 *
 * <p>On disk: 8-byte entries {@code int relativeOffset, int position}, big-endian, where
 * {@code relativeOffset = offset - baseOffset}. Entries are strictly increasing in both fields.
 * An entry {@code (o, p)} says: the batch starting at byte {@code p} contains offset {@code o}
 * (Herald indexes the last offset of a batch), so every offset {@code >= o} starts at or after {@code p}.
 *
 * <p>Thread-safety: see {@link MappedIndex}.
 */
public final class OffsetIndex extends MappedIndex {
    public static final int ENTRY_SIZE = 8;

    public OffsetIndex(Path file, long baseOffset, int maxIndexSize, boolean writable) throws IOException {
        super(file, baseOffset, maxIndexSize, ENTRY_SIZE, writable);
    }

    @Override
    protected int validPrefix(int candidate) {
        int prevRel = -1;
        // Herald never indexes position 0 (the segment start is the lookup fallback), so a zero
        // position marks preallocated space left behind by a crash.
        int prevPos = 0;
        for (int i = 0; i < candidate; i++) {
            int rel = mmap.getInt(i * ENTRY_SIZE);
            int pos = mmap.getInt(i * ENTRY_SIZE + 4);
            if (rel <= prevRel || pos <= prevPos || rel < 0) {
                return i;
            }
            prevRel = rel;
            prevPos = pos;
        }
        return candidate;
    }

    @Override
    protected long keyAt(int slot) {
        return baseOffset + mmap.getInt(slot * ENTRY_SIZE);
    }

    /** Appends {@code (offset, position)}; offset must exceed the last entry's offset. */
    public synchronized void append(long offset, int position) {
        long rel = offset - baseOffset;
        if (rel < 0 || rel > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " out of range for index with base " + baseOffset);
        }
        if (isFull()) {
            throw new IllegalStateException("offset index " + file() + " is full");
        }
        if (entries > 0 && offset <= keyAt(entries - 1)) {
            throw new IllegalArgumentException("offset " + offset + " (expected: > last indexed offset " + keyAt(entries - 1) + ")");
        }
        mmap.putInt((int) rel);
        mmap.putInt(position);
        entries++;
        checkAfterWrite();
    }

    /** Largest entry with offset {@code <= target}, or {@code (baseOffset, 0)} if none. */
    public synchronized OffsetPosition lookup(long target) {
        int slot = largestLowerBound(target, false);
        return slot < 0 ? new OffsetPosition(baseOffset, 0) : entryAt(slot);
    }

    /**
     * The last entry with offset {@code <= maxOffset} and position {@code <= maxPosition}, if any. Both fields
     * increase from entry to entry, so this is the earlier of the two floors. The fetch path uses it to jump to
     * a batch boundary near the end of its byte budget instead of reading every batch header on the way.
     */
    public synchronized Optional<OffsetPosition> floor(long maxOffset, int maxPosition) {
        int slot = Math.min(largestLowerBound(maxOffset, false), largestPositionAtMost(maxPosition));
        return slot < 0 ? Optional.empty() : Optional.of(entryAt(slot));
    }

    /** Slot of the last entry whose position is {@code <= maxPosition}; -1 if none. */
    private int largestPositionAtMost(int maxPosition) {
        int lo = 0;
        int hi = entries - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (mmap.getInt(mid * ENTRY_SIZE + 4) <= maxPosition) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    public synchronized OffsetPosition entryAt(int slot) {
        if (slot < 0 || slot >= entries) {
            throw new IndexOutOfBoundsException("slot " + slot + " (expected: 0.." + (entries - 1) + ")");
        }
        return new OffsetPosition(baseOffset + mmap.getInt(slot * ENTRY_SIZE), mmap.getInt(slot * ENTRY_SIZE + 4));
    }

    public synchronized long lastOffset() {
        return entries == 0 ? baseOffset : keyAt(entries - 1);
    }

    /** Removes every entry with offset {@code >= offset}. */
    public synchronized void truncateTo(long offset) {
        truncateToEntries(largestLowerBound(offset, true) + 1);
    }
}
