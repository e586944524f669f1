package io.herald.storage.epoch;

/** OffsetForLeaderEpoch answer; {@code (-1, -1)} when the epoch is unknown. */
public record EpochEndOffset(int epoch, long endOffset) {
    public static final EpochEndOffset UNDEFINED = new EpochEndOffset(-1, -1L);
}
