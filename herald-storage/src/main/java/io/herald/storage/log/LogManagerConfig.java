package io.herald.storage.log;

import io.herald.common.config.ConfigValues;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

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

    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.offset.checkpoint.interval.ms";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";

    /**
     * The log manager's share of the broker configs. Per-topic defaults ({@code log.retention.ms},
     * {@code log.segment.bytes}, ...) are not here: they are broker synonyms of the topic configs
     * ({@link io.herald.storage.config.TopicConfigs}).
     */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(LOG_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 300000L, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, "How often retention runs.")
            .define(LOG_FLUSH_SCHEDULER_INTERVAL_MS, Type.LONG, Long.MAX_VALUE, ConfigDef.Range.atLeast(1),
                    Importance.HIGH, "How often logs are checked against flush.ms.")
            .define(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, Type.INT, 60000, ConfigDef.Range.atLeast(1),
                    Importance.HIGH, "How often recovery points are checkpointed.")
            .define(LOG_CLEANER_BACKOFF_MS, Type.LONG, 15000L, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Compaction pause when there is nothing to clean.");

    /** Kafka's defaults. */
    public static LogManagerConfig defaults() {
        return from(ConfigValues.parse(CONFIG_DEF, Map.of()));
    }

    /** From values parsed with a definition that includes {@link #CONFIG_DEF}. */
    public static LogManagerConfig from(ConfigValues v) {
        return new LogManagerConfig(v.getLong(LOG_RETENTION_CHECK_INTERVAL_MS), v.getLong(LOG_FLUSH_SCHEDULER_INTERVAL_MS),
                v.getInt(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS), v.getLong(LOG_CLEANER_BACKOFF_MS));
    }
}
