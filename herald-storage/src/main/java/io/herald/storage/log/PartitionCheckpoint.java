package io.herald.storage.log;

/**
 * The per-partition values the log dir's checkpoint files hold, handed to
 * {@link PartitionLog#open(java.nio.file.Path, org.apache.kafka.common.TopicPartition, LogConfig,
 * io.herald.common.time.Time, boolean, PartitionCheckpoint)}. All are hints: recovery
 * re-validates from {@code recoveryPoint}, and every value is clamped to the log actually found.
 */
public record PartitionCheckpoint(long recoveryPoint, long logStartOffset, long highWatermark) {
    /** No checkpoint: recover from the start, log start at the first segment. */
    public static final PartitionCheckpoint NONE = new PartitionCheckpoint(0, 0, 0);
}
