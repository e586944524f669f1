package io.herald.broker.share;

/** Records a fetch acquired for its member: offsets {@code [firstOffset, lastOffset]}, delivered for the
 *  {@code deliveryCount}-th time (ShareFetch's AcquiredRecords). */
public record AcquiredRange(long firstOffset, long lastOffset, int deliveryCount) {
    public AcquiredRange {
        if (lastOffset < firstOffset) {
            throw new IllegalArgumentException("range [" + firstOffset + ", " + lastOffset
                    + "] (expected: firstOffset <= lastOffset)");
        }
    }

    public long count() {
        return lastOffset - firstOffset + 1;
    }
}
