package io.herald.storage.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;

/**
 * A partition log's configuration, typed: what the storage engine does with a topic's effective configs.
 * Built only by {@link #from}, which parses and validates the values with {@link TopicConfigs}' definitions,
 * so every instance holds values the log can run with. The configs that have no effect in Herald (tiered
 * storage, replication throttles) and those the broker reads ({@code min.insync.replicas},
 * {@code unclean.leader.election.enable}) are validated but not carried.
 *
 * @param segmentBytes            {@code internal.segment.bytes} when set, else {@code segment.bytes}
 * @param segmentMs               {@code segment.ms}: roll a non-empty segment older than this
 * @param segmentJitterMs         {@code segment.jitter.ms}: bound of the random early roll per segment
 * @param segmentIndexBytes       {@code segment.index.bytes}: preallocated size of each index
 * @param indexIntervalBytes      {@code index.interval.bytes}
 * @param preallocate             {@code preallocate}: create segment files at full size
 * @param delete                  {@code cleanup.policy} contains {@code delete}
 * @param retentionMs             {@code retention.ms}; negative disables time retention
 * @param retentionBytes          {@code retention.bytes}; negative disables size retention
 * @param fileDeleteDelayMs       {@code file.delete.delay.ms}
 * @param compact                 {@code cleanup.policy} contains {@code compact}
 * @param deleteRetentionMs       {@code delete.retention.ms}: how long tombstones survive compaction
 * @param minCompactionLagMs      {@code min.compaction.lag.ms}
 * @param maxCompactionLagMs      {@code max.compaction.lag.ms}
 * @param minCleanableDirtyRatio  {@code min.cleanable.dirty.ratio}
 * @param flushIntervalMessages   {@code flush.messages}
 * @param flushIntervalMs         {@code flush.ms}
 * @param maxMessageBytes         {@code max.message.bytes}: largest batch a producer may append
 * @param timestampType           {@code message.timestamp.type}
 * @param timestampBeforeMaxMs    {@code message.timestamp.before.max.ms}
 * @param timestampAfterMaxMs     {@code message.timestamp.after.max.ms}
 * @param compression             {@code compression.type} with its level; empty for {@code producer}
 * @param messageTtlMs            {@code herald.message.ttl.ms}: how long a record lives after its timestamp; -1
 *                                for ever (the log keeps expired records: readers skip them, retention deletes)
 */
public record LogConfig(int segmentBytes, long segmentMs, long segmentJitterMs, int segmentIndexBytes,
                        int indexIntervalBytes, boolean preallocate, boolean delete, long retentionMs,
                        long retentionBytes, long fileDeleteDelayMs, boolean compact, long deleteRetentionMs,
                        long minCompactionLagMs, long maxCompactionLagMs, double minCleanableDirtyRatio,
                        long flushIntervalMessages, long flushIntervalMs, int maxMessageBytes,
                        TimestampType timestampType, long timestampBeforeMaxMs, long timestampAfterMaxMs,
                        Optional<Compression> compression, long messageTtlMs) {

    /** The config that gives way when a rule between configs is broken by values that bypassed the edge. */
    static final String RULE_DEPENDENT_CONFIG = TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG;

    /** Kafka's defaults. */
    public static LogConfig defaults() {
        return from(Map.of());
    }

    /**
     * Parses and validates {@code configs} (topic config name to value, as a string or typed; a missing
     * config takes Kafka's default) and builds the typed view. Tests use it with a few overrides.
     *
     * @throws ConfigException for an unknown name, a value that does not parse or validate, or a broken rule
     *                         between configs; the message names the config
     */
    public static LogConfig from(Map<String, ?> configs) {
        for (String name : configs.keySet()) {
            if (TopicConfigs.key(name).isEmpty()) {
                throw new ConfigException("Unknown topic config name: " + name);
            }
        }
        Map<String, Object> v = TopicConfigs.configDef().parse(configs);
        checkRules(v);
        @SuppressWarnings("unchecked")
        List<String> policy = (List<String>) v.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        Integer internalSegmentBytes = (Integer) v.get(TopicConfigDefinitions.INTERNAL_SEGMENT_BYTES);
        return new LogConfig(
            internalSegmentBytes != null ? internalSegmentBytes : (Integer) v.get(TopicConfig.SEGMENT_BYTES_CONFIG),
            (Long) v.get(TopicConfig.SEGMENT_MS_CONFIG),
            (Long) v.get(TopicConfig.SEGMENT_JITTER_MS_CONFIG),
            (Integer) v.get(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG),
            (Integer) v.get(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG),
            (Boolean) v.get(TopicConfig.PREALLOCATE_CONFIG),
            policy.contains(TopicConfig.CLEANUP_POLICY_DELETE),
            (Long) v.get(TopicConfig.RETENTION_MS_CONFIG),
            (Long) v.get(TopicConfig.RETENTION_BYTES_CONFIG),
            (Long) v.get(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG),
            policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT),
            (Long) v.get(TopicConfig.DELETE_RETENTION_MS_CONFIG),
            (Long) v.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG),
            (Long) v.get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG),
            (Double) v.get(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG),
            (Long) v.get(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG),
            (Long) v.get(TopicConfig.FLUSH_MS_CONFIG),
            (Integer) v.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
            "LogAppendTime".equals(v.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG))
                ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
            (Long) v.get(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG),
            (Long) v.get(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG),
            compression(v),
            (Long) v.get(TopicConfigDefinitions.HERALD_MESSAGE_TTL_MS));
    }

    /** Kafka's one rule between topic configs (the others concern tiered storage, which is refused). */
    private static void checkRules(Map<String, Object> v) {
        long min = (Long) v.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG);
        long max = (Long) v.get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG);
        if (min > max) {
            throw new ConfigException(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, min,
                "must not be greater than " + TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG + " (" + max + ")");
        }
    }

    private static Optional<Compression> compression(Map<String, Object> v) {
        String type = (String) v.get(TopicConfig.COMPRESSION_TYPE_CONFIG);
        return switch (type) {
            case "producer" -> Optional.empty();
            case "uncompressed" -> Optional.of(Compression.NONE);
            case "gzip" -> Optional.of(Compression.gzip()
                .level((Integer) v.get(TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG)).build());
            case "snappy" -> Optional.of(Compression.snappy().build());
            case "lz4" -> Optional.of(Compression.lz4()
                .level((Integer) v.get(TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG)).build());
            case "zstd" -> Optional.of(Compression.zstd()
                .level((Integer) v.get(TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG)).build());
            default -> throw new IllegalStateException("compression.type " + type + " passed validation");
        };
    }

    /** Whether records expire ({@code herald.message.ttl.ms} is set). */
    public boolean hasMessageTtl() {
        return messageTtlMs >= 0;
    }

    public boolean logAppendTime() {
        return timestampType == TimestampType.LOG_APPEND_TIME;
    }

    /**
     * The age at which the active segment rolls, before jitter: {@code segment.ms}, or on a compacted topic
     * {@code max.compaction.lag.ms} when that is sooner, so that records are cleanable in time (as in Kafka).
     */
    public long rollMs() {
        return compact ? Math.min(maxCompactionLagMs, segmentMs) : segmentMs;
    }
}
