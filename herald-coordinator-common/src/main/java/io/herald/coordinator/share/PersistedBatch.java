package io.herald.coordinator.share;

/**
 * A run of in-flight records with one state, as the share coordinator stores it: offsets
 * {@code [firstOffset, lastOffset]}, the delivery state (Kafka's codes: 0 Available, 2 Acknowledged, 4 Archived;
 * Acquired is never persisted, an acquired record is stored as Available) and how many times they were delivered.
 */
public record PersistedBatch(long firstOffset, long lastOffset, byte deliveryState, short deliveryCount) {
    public static final byte AVAILABLE = 0;
    public static final byte ACKNOWLEDGED = 2;
    public static final byte ARCHIVED = 4;

    public PersistedBatch {
        if (lastOffset < firstOffset) {
            throw new IllegalArgumentException("batch [" + firstOffset + ", " + lastOffset
                    + "] (expected: firstOffset <= lastOffset)");
        }
    }
}
