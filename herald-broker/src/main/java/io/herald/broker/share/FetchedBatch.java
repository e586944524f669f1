package io.herald.broker.share;

/**
 * The header facts of one record batch a share fetch read: its offsets, where it lies in the bytes read
 * ({@code position} from the start of the read), the transaction facts read_committed needs, and its newest
 * timestamp, by which a whole batch expires ({@code herald.message.ttl.ms}).
 */
public record FetchedBatch(long baseOffset, long lastOffset, int position, int sizeInBytes, long producerId,
                           boolean transactional, boolean control, long maxTimestamp) {
    public FetchedBatch {
        if (lastOffset < baseOffset) {
            throw new IllegalArgumentException("batch [" + baseOffset + ", " + lastOffset
                    + "] (expected: baseOffset <= lastOffset)");
        }
    }

    /** A non-transactional data batch (tests). */
    public static FetchedBatch data(long baseOffset, long lastOffset, int position, int sizeInBytes) {
        return new FetchedBatch(baseOffset, lastOffset, position, sizeInBytes, -1, false, false, -1);
    }
}
