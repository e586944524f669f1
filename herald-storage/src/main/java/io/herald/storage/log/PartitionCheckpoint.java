package io.herald.storage.log;

import io.herald.storage.checkpoint.OffsetCheckpointFile;
import io.herald.storage.config.LogConfig;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.kafka.common.TopicPartition;

/**
 * The per-partition values the log dir's checkpoint files hold, handed to
 * {@link PartitionLog#open(java.nio.file.Path, org.apache.kafka.common.TopicPartition, LogConfig,
 * io.herald.common.time.Time, boolean, PartitionCheckpoint)}. All are hints: recovery
 * re-validates from {@code recoveryPoint}, and every value is clamped to the log actually found.
 */
public record PartitionCheckpoint(long recoveryPoint, long logStartOffset, long highWatermark) {
    /** No checkpoint: recover from the start, log start at the first segment. */
    public static final PartitionCheckpoint NONE = new PartitionCheckpoint(0, 0, 0);

    /** The entries for {@code tp} in the checkpoint files of {@code logDir}; 0 where a file has none. */
    public static PartitionCheckpoint read(Path logDir, TopicPartition tp) throws IOException {
        return new PartitionCheckpoint(
            new OffsetCheckpointFile(logDir.resolve(OffsetCheckpointFile.RECOVERY_POINT)).read().getOrDefault(tp, 0L),
            new OffsetCheckpointFile(logDir.resolve(OffsetCheckpointFile.LOG_START_OFFSET)).read().getOrDefault(tp, 0L),
            new OffsetCheckpointFile(logDir.resolve(OffsetCheckpointFile.HIGH_WATERMARK)).read().getOrDefault(tp, 0L));
    }
}
