package io.herald.storage.log;

import io.herald.common.config.ConfigValues;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * How the log manager watches its log dirs (Herald's extension of Kafka's log-dir failure handling, KIP-858): a
 * dir goes offline on an I/O error or when its free space drops below {@code minFreeBytes}, and an offline dir is
 * checked again every {@code recheckIntervalMs} until it is usable, then recovered and brought back online
 * without a restart.
 *
 * @param recheckIntervalMs      {@code herald.log.dir.recheck.interval.ms}: how often an offline dir is probed
 * @param minFreeBytes           {@code herald.log.dir.min.free.bytes}: below this many usable bytes a dir is
 *                               offline; 0 turns the free-space watch off (only I/O errors take a dir offline)
 * @param freeSpaceCheckIntervalMs how often the online dirs' free space is probed (not a config: a statfs per dir
 *                               per second is cheap); {@link Long#MAX_VALUE} stops the background task, so tests
 *                               drive {@link LogManager#runDirHealthCheck()} themselves
 */
public record LogDirHealthConfig(long recheckIntervalMs, long minFreeBytes, long freeSpaceCheckIntervalMs) {
    public static final String RECHECK_INTERVAL_MS = "herald.log.dir.recheck.interval.ms";
    public static final String MIN_FREE_BYTES = "herald.log.dir.min.free.bytes";
    /** The cadence of the background task that probes free space and runs the due rechecks. */
    public static final long FREE_SPACE_CHECK_INTERVAL_MS = 1000;

    public LogDirHealthConfig {
        if (recheckIntervalMs <= 0) {
            throw new IllegalArgumentException("recheckIntervalMs: " + recheckIntervalMs + " (expected: > 0)");
        }
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("minFreeBytes: " + minFreeBytes + " (expected: >= 0)");
        }
        if (freeSpaceCheckIntervalMs <= 0) {
            throw new IllegalArgumentException("freeSpaceCheckIntervalMs: " + freeSpaceCheckIntervalMs
                + " (expected: > 0)");
        }
    }

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(RECHECK_INTERVAL_MS, Type.LONG, 10000L, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "How often an offline log dir is checked again; once it is writable and has at least "
                    + MIN_FREE_BYTES + " free, its partitions are recovered and it is back online, without a restart.")
            .define(MIN_FREE_BYTES, Type.LONG, 0L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "A log dir with fewer usable bytes is taken offline (appends get KAFKA_STORAGE_ERROR and its "
                    + "leaderships move) before the filesystem is full, so checkpoints and indexes can still be "
                    + "written. 0 turns the free-space watch off.");

    /** The defaults: recheck every 10 s, no free-space threshold. */
    public static LogDirHealthConfig defaults() {
        return from(ConfigValues.parse(CONFIG_DEF, Map.of()));
    }

    /** From values parsed with a definition that includes {@link #CONFIG_DEF}. */
    public static LogDirHealthConfig from(ConfigValues v) {
        return new LogDirHealthConfig(v.getLong(RECHECK_INTERVAL_MS), v.getLong(MIN_FREE_BYTES),
                FREE_SPACE_CHECK_INTERVAL_MS);
    }
}
