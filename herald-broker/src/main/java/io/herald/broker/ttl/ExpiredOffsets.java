package io.herald.broker.ttl;

import java.util.ArrayList;
import java.util.List;

/**
 * A set of offsets, as sorted disjoint ranges: the expired records of one read. Immutable once built.
 */
public final class ExpiredOffsets {
    public static final ExpiredOffsets NONE = new ExpiredOffsets(new long[0], new long[0]);

    private final long[] firsts;
    private final long[] lasts;

    private ExpiredOffsets(long[] firsts, long[] lasts) {
        this.firsts = firsts;
        this.lasts = lasts;
    }

    public boolean isEmpty() {
        return firsts.length == 0;
    }

    public boolean contains(long offset) {
        int lo = 0;
        int hi = firsts.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (lasts[mid] < offset) {
                lo = mid + 1;
            } else if (firsts[mid] > offset) {
                hi = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ExpiredOffsets[");
        for (int i = 0; i < firsts.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(firsts[i]).append('-').append(lasts[i]);
        }
        return sb.append(']').toString();
    }

    /** Collects ranges in ascending offset order; adjacent ranges merge. Not thread-safe. */
    public static final class Builder {
        private final List<long[]> ranges = new ArrayList<>();

        /** Adds {@code [first, last]}, which starts after every range added before. */
        public Builder add(long first, long last) {
            if (last < first) {
                throw new IllegalArgumentException("range [" + first + ", " + last + "]");
            }
            if (!ranges.isEmpty()) {
                long[] prev = ranges.get(ranges.size() - 1);
                if (first <= prev[1]) {
                    throw new IllegalArgumentException("range [" + first + ", " + last + "] not after " + prev[1]);
                }
                if (first == prev[1] + 1) {
                    prev[1] = last;
                    return this;
                }
            }
            ranges.add(new long[] {first, last});
            return this;
        }

        public ExpiredOffsets build() {
            if (ranges.isEmpty()) {
                return NONE;
            }
            long[] f = new long[ranges.size()];
            long[] l = new long[ranges.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = ranges.get(i)[0];
                l[i] = ranges.get(i)[1];
            }
            return new ExpiredOffsets(f, l);
        }
    }
}
