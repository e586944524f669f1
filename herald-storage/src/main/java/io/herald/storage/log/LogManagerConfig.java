package io.herald.storage.log;

/**
 * Background-task intervals of {@link LogManager}; {@link Long#MAX_VALUE} disables a task.
 *
 * @param retentionCheckIntervalMs  {@code log.retention.check.interval.ms}
 * @param flushSchedulerIntervalMs  {@code log.flush.scheduler.interval.ms}: how often logs are checked against {@code flush.ms}
 * @param flushCheckpointIntervalMs {@code log.flush.offset.checkpoint.interval.ms}: checkpoint files
 * @param cleanerBackoffMs          {@code log.cleaner.backoff.ms}: pause between compaction passes
 */
public record LogManagerConfig(long retentionCheckIntervalMs, long flushSchedulerIntervalMs,
                               long flushCheckpointIntervalMs, long cleanerBackoffMs) {
    public LogManagerConfig {
        if (retentionCheckIntervalMs <= 0 || flushSchedulerIntervalMs <= 0 || flushCheckpointIntervalMs <= 0 || cleanerBackoffMs <= 0) {
            throw new IllegalArgumentException("intervals must be > 0: " + retentionCheckIntervalMs + ", "
                + flushSchedulerIntervalMs + ", " + flushCheckpointIntervalMs + ", " + cleanerBackoffMs);
        }
    }

    /** Kafka's defaults. */
    public static LogManagerConfig defaults() {
        return new LogManagerConfig(300_000L, Long.MAX_VALUE, 60_000L, 15_000L);
    }
}
