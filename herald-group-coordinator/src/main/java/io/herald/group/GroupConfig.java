package io.herald.group;

import io.herald.group.consumer.ConsumerGroupConfig;
import java.util.Map;
import java.util.Objects;
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

    public static GroupConfig defaults() {
        return from(Map.of());
    }

    /** The broker config names read here, so the broker does not report them as unused. */
    public static final java.util.Set<String> NAMES = java.util.Set.of("offsets.topic.num.partitions",
            "offsets.topic.segment.bytes", "offsets.topic.replication.factor", "group.initial.rebalance.delay.ms", "group.min.session.timeout.ms",
            "group.max.session.timeout.ms", "group.max.size", "offsets.retention.minutes",
            "offsets.retention.check.interval.ms", "offset.metadata.max.bytes", "offsets.commit.timeout.ms", "group.consumer.assignors",
            "group.consumer.session.timeout.ms", "group.consumer.heartbeat.interval.ms", "group.consumer.max.size");

    /** Reads the configs from the broker's original properties; absent ones take Kafka's defaults. */
    public static GroupConfig from(Map<String, String> props) {
        return new GroupConfig(
                intOf(props, "offsets.topic.num.partitions", 50),
                intOf(props, "offsets.topic.segment.bytes", 104857600),
                shortOf(props, "offsets.topic.replication.factor", (short) 3),
                intOf(props, "group.initial.rebalance.delay.ms", 3000),
                intOf(props, "group.min.session.timeout.ms", 6000),
                intOf(props, "group.max.session.timeout.ms", 1800000),
                intOf(props, "group.max.size", Integer.MAX_VALUE),
                longOf(props, "offsets.retention.minutes", 10080) * 60_000L,
                longOf(props, "offsets.retention.check.interval.ms", 600000),
                intOf(props, "offset.metadata.max.bytes", 4096),
                intOf(props, "offsets.commit.timeout.ms", 5000),
                300_000,
                consumerGroupConfig(props));
    }

    /**
     * {@code group.consumer.session.timeout.ms} (45000), {@code group.consumer.heartbeat.interval.ms} (5000),
     * {@code group.consumer.max.size} (unbounded) and {@code group.consumer.assignors}, whose first entry is the
     * default server assignor ("uniform"; Kafka's list is "uniform,range", class names are not supported).
     */
    private static ConsumerGroupConfig consumerGroupConfig(Map<String, String> props) {
        ConsumerGroupConfig d = ConsumerGroupConfig.DEFAULT;
        String assignors = props.get("group.consumer.assignors");
        String first = assignors == null || assignors.isBlank() ? d.defaultAssignor()
                : assignors.split(",")[0].trim();
        try {
            return new ConsumerGroupConfig(intOf(props, "group.consumer.session.timeout.ms", d.sessionTimeoutMs()),
                    intOf(props, "group.consumer.heartbeat.interval.ms", d.heartbeatIntervalMs()),
                    intOf(props, "group.consumer.max.size", d.maxSize()), first);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("group.consumer.*: " + e.getMessage());
        }
    }

    private static int intOf(Map<String, String> props, String name, int def) {
        String v = props.get(name);
        try {
            return v == null ? def : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(name, v, "expected an int");
        }
    }

    private static short shortOf(Map<String, String> props, String name, short def) {
        int v = intOf(props, name, def);
        if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
            throw new ConfigException(name, v, "expected a short");
        }
        return (short) v;
    }

    private static long longOf(Map<String, String> props, String name, long def) {
        String v = props.get(name);
        try {
            return v == null ? def : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(name, v, "expected a long");
        }
    }
}
