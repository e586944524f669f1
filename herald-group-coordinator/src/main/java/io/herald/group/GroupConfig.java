package io.herald.group;

import io.herald.group.consumer.ConsumerGroupConfig;
import io.herald.common.config.ConfigValues;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The group coordinator's broker configs, by Kafka's names and with Kafka's defaults.
 *
 * @param offsetsTopicPartitions    {@code offsets.topic.num.partitions} (50)
 * @param offsetsTopicSegmentBytes  {@code offsets.topic.segment.bytes} (100 MiB)
 * @param offsetsTopicReplicationFactor {@code offsets.topic.replication.factor} (3), capped at the number of
 *                                  registered brokers when the topic is created
 * @param initialRebalanceDelayMs   {@code group.initial.rebalance.delay.ms} (3000): how long the first rebalance
 *                                  of an empty group waits for more members
 * @param minSessionTimeoutMs       {@code group.min.session.timeout.ms} (6000)
 * @param maxSessionTimeoutMs       {@code group.max.session.timeout.ms} (1800000)
 * @param maxSize                   {@code group.max.size} (unbounded)
 * @param offsetsRetentionMs        {@code offsets.retention.minutes} (10080) in ms
 * @param retentionCheckIntervalMs  {@code offsets.retention.check.interval.ms} (600000)
 * @param offsetMetadataMaxBytes    {@code offset.metadata.max.bytes} (4096)
 * @param offsetsCommitTimeoutMs    {@code offsets.commit.timeout.ms} (5000): how long a write to
 *                                  {@code __consumer_offsets} may wait for the ISR before its request fails
 * @param newMemberJoinTimeoutMs    how long a new member's first JoinGroup may stay parked (Kafka: 5 min)
 * @param consumer                  the KIP-848 consumer group settings ({@code group.consumer.*})
 */
public record GroupConfig(int offsetsTopicPartitions, int offsetsTopicSegmentBytes,
                          short offsetsTopicReplicationFactor, int initialRebalanceDelayMs,
                          int minSessionTimeoutMs, int maxSessionTimeoutMs, int maxSize, long offsetsRetentionMs,
                          long retentionCheckIntervalMs, int offsetMetadataMaxBytes, int offsetsCommitTimeoutMs,
                          int newMemberJoinTimeoutMs, ConsumerGroupConfig consumer) {

    public GroupConfig {
        if (offsetsTopicPartitions < 1) {
            throw new ConfigException("offsets.topic.num.partitions", offsetsTopicPartitions, "expected: >= 1");
        }
        if (offsetsTopicReplicationFactor < 1) {
            throw new ConfigException("offsets.topic.replication.factor", offsetsTopicReplicationFactor,
                    "expected: >= 1");
        }
        if (minSessionTimeoutMs > maxSessionTimeoutMs) {
            throw new ConfigException("group.min.session.timeout.ms", minSessionTimeoutMs,
                    "expected: <= group.max.session.timeout.ms (" + maxSessionTimeoutMs + ")");
        }
        if (offsetsCommitTimeoutMs < 1) {
            throw new ConfigException("offsets.commit.timeout.ms", offsetsCommitTimeoutMs, "expected: >= 1");
        }
        if (maxSize < 1) {
            throw new ConfigException("group.max.size", maxSize, "expected: >= 1");
        }
        Objects.requireNonNull(consumer, "consumer");
    }

    /** This config with another partition count (an existing topic's count wins over the configured one). */
    public GroupConfig withOffsetsTopicPartitions(int partitions) {
        return new GroupConfig(partitions, offsetsTopicSegmentBytes, offsetsTopicReplicationFactor,
                initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, maxSize, offsetsRetentionMs,
                retentionCheckIntervalMs, offsetMetadataMaxBytes, offsetsCommitTimeoutMs, newMemberJoinTimeoutMs,
                consumer);
    }

    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSETS_TOPIC_SEGMENT_BYTES = "offsets.topic.segment.bytes";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String OFFSETS_COMMIT_TIMEOUT_MS = "offsets.commit.timeout.ms";
    public static final String GROUP_CONSUMER_ASSIGNORS = "group.consumer.assignors";
    public static final String GROUP_CONSUMER_SESSION_TIMEOUT_MS = "group.consumer.session.timeout.ms";
    public static final String GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS = "group.consumer.heartbeat.interval.ms";
    public static final String GROUP_CONSUMER_MAX_SIZE = "group.consumer.max.size";
    /** Kafka's new-member join timeout; not a config in Kafka either. */
    private static final int NEW_MEMBER_JOIN_TIMEOUT_MS = 300_000;

    /** The group coordinator's share of the broker configs, with Kafka's names, defaults and ranges. */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(OFFSETS_TOPIC_NUM_PARTITIONS, Type.INT, 50, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "Partitions of __consumer_offsets when it is created (an existing topic's count wins).")
            .define(OFFSETS_TOPIC_SEGMENT_BYTES, Type.INT, 104857600, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "segment.bytes of __consumer_offsets.")
            .define(OFFSETS_TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 3, ConfigDef.Range.atLeast(1),
                    Importance.HIGH, "Replication factor of __consumer_offsets (capped at the live brokers).")
            .define(GROUP_INITIAL_REBALANCE_DELAY_MS, Type.INT, 3000, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "How long the first rebalance of an empty classic group waits for more members.")
            .define(GROUP_MIN_SESSION_TIMEOUT_MS, Type.INT, 6000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Smallest session timeout a classic member may ask for.")
            .define(GROUP_MAX_SESSION_TIMEOUT_MS, Type.INT, 1800000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Largest session timeout a classic member may ask for.")
            .define(GROUP_MAX_SIZE, Type.INT, Integer.MAX_VALUE, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Most members of a classic group.")
            .define(OFFSETS_RETENTION_MINUTES, Type.INT, 10080, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "How long offsets of an empty group are kept.")
            .define(OFFSETS_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 600000L, ConfigDef.Range.atLeast(1),
                    Importance.HIGH, "How often offsets are checked for expiry.")
            .define(OFFSET_METADATA_MAX_BYTES, Type.INT, 4096, Importance.HIGH,
                    "Largest metadata string of an offset commit.")
            .define(OFFSETS_COMMIT_TIMEOUT_MS, Type.INT, 5000, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "How long a write to __consumer_offsets may wait for the ISR before its request fails.")
            .define(GROUP_CONSUMER_ASSIGNORS, Type.LIST, "uniform,range", Importance.MEDIUM,
                    "Server assignors of consumer groups (uniform, range); the first is the default.")
            .define(GROUP_CONSUMER_SESSION_TIMEOUT_MS, Type.INT, 45000, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, "A consumer group member silent this long is removed.")
            .define(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS, Type.INT, 5000, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, "The heartbeat interval consumer group members are given.")
            .define(GROUP_CONSUMER_MAX_SIZE, Type.INT, Integer.MAX_VALUE, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, "Most members of a consumer group.");

    /** Kafka's defaults. */
    public static GroupConfig defaults() {
        return from(ConfigValues.parse(CONFIG_DEF, Map.of()));
    }

    /** The settings from values parsed with a definition that includes {@link #CONFIG_DEF}. */
    public static GroupConfig from(ConfigValues v) {
        return new GroupConfig(
                v.getInt(OFFSETS_TOPIC_NUM_PARTITIONS),
                v.getInt(OFFSETS_TOPIC_SEGMENT_BYTES),
                v.getShort(OFFSETS_TOPIC_REPLICATION_FACTOR),
                v.getInt(GROUP_INITIAL_REBALANCE_DELAY_MS),
                v.getInt(GROUP_MIN_SESSION_TIMEOUT_MS),
                v.getInt(GROUP_MAX_SESSION_TIMEOUT_MS),
                v.getInt(GROUP_MAX_SIZE),
                v.getInt(OFFSETS_RETENTION_MINUTES) * 60_000L,
                v.getLong(OFFSETS_RETENTION_CHECK_INTERVAL_MS),
                v.getInt(OFFSET_METADATA_MAX_BYTES),
                v.getInt(OFFSETS_COMMIT_TIMEOUT_MS),
                NEW_MEMBER_JOIN_TIMEOUT_MS,
                consumerGroupConfig(v));
    }

    /**
     * The first entry of {@code group.consumer.assignors} is the default server assignor ("uniform"; Kafka's list
     * is "uniform,range", class names are not supported).
     */
    private static ConsumerGroupConfig consumerGroupConfig(ConfigValues v) {
        List<String> assignors = v.getList(GROUP_CONSUMER_ASSIGNORS);
        String first = assignors.isEmpty() ? ConsumerGroupConfig.DEFAULT.defaultAssignor() : assignors.get(0).trim();
        try {
            return new ConsumerGroupConfig(v.getInt(GROUP_CONSUMER_SESSION_TIMEOUT_MS),
                    v.getInt(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS), v.getInt(GROUP_CONSUMER_MAX_SIZE), first);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("group.consumer.*: " + e.getMessage());
        }
    }
}
