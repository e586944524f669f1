package io.herald.group;

import io.herald.group.config.Bounded;
import io.herald.group.config.ConsumerGroupBounds;
import io.herald.group.config.IntRange;
import io.herald.group.config.ShareGroupBrokerConfig;
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
 * @param consumerBounds            the bounds of a consumer group's own session timeout and heartbeat interval
 *                                  ({@code group.consumer.min/max.*})
 * @param share                     the share group settings ({@code group.share.*}, KIP-932) and the broker
 *                                  defaults of Herald's share-group additions
 */
public record GroupConfig(int offsetsTopicPartitions, int offsetsTopicSegmentBytes,
                          short offsetsTopicReplicationFactor, int initialRebalanceDelayMs,
                          int minSessionTimeoutMs, int maxSessionTimeoutMs, int maxSize, long offsetsRetentionMs,
                          long retentionCheckIntervalMs, int offsetMetadataMaxBytes, int offsetsCommitTimeoutMs,
                          int newMemberJoinTimeoutMs, ConsumerGroupConfig consumer, ConsumerGroupBounds consumerBounds,
                          ShareGroupBrokerConfig share) {

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
        Objects.requireNonNull(consumerBounds, "consumerBounds");
        Objects.requireNonNull(share, "share");
    }

    /** This config with another partition count (an existing topic's count wins over the configured one). */
    public GroupConfig withOffsetsTopicPartitions(int partitions) {
        return new GroupConfig(partitions, offsetsTopicSegmentBytes, offsetsTopicReplicationFactor,
                initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, maxSize, offsetsRetentionMs,
                retentionCheckIntervalMs, offsetMetadataMaxBytes, offsetsCommitTimeoutMs, newMemberJoinTimeoutMs,
                consumer, consumerBounds, share);
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
    public static final String GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS = "group.consumer.min.session.timeout.ms";
    public static final String GROUP_CONSUMER_MAX_SESSION_TIMEOUT_MS = "group.consumer.max.session.timeout.ms";
    public static final String GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS = "group.consumer.min.heartbeat.interval.ms";
    public static final String GROUP_CONSUMER_MAX_HEARTBEAT_INTERVAL_MS = "group.consumer.max.heartbeat.interval.ms";
    public static final String GROUP_SHARE_SESSION_TIMEOUT_MS = "group.share.session.timeout.ms";
    public static final String GROUP_SHARE_MIN_SESSION_TIMEOUT_MS = "group.share.min.session.timeout.ms";
    public static final String GROUP_SHARE_MAX_SESSION_TIMEOUT_MS = "group.share.max.session.timeout.ms";
    public static final String GROUP_SHARE_HEARTBEAT_INTERVAL_MS = "group.share.heartbeat.interval.ms";
    public static final String GROUP_SHARE_MIN_HEARTBEAT_INTERVAL_MS = "group.share.min.heartbeat.interval.ms";
    public static final String GROUP_SHARE_MAX_HEARTBEAT_INTERVAL_MS = "group.share.max.heartbeat.interval.ms";
    public static final String GROUP_SHARE_MAX_SIZE = "group.share.max.size";
    public static final String GROUP_SHARE_ASSIGNORS = "group.share.assignors";
    public static final String GROUP_SHARE_RECORD_LOCK_DURATION_MS = "group.share.record.lock.duration.ms";
    public static final String GROUP_SHARE_MIN_RECORD_LOCK_DURATION_MS = "group.share.min.record.lock.duration.ms";
    public static final String GROUP_SHARE_MAX_RECORD_LOCK_DURATION_MS = "group.share.max.record.lock.duration.ms";
    public static final String GROUP_SHARE_DELIVERY_COUNT_LIMIT = "group.share.delivery.count.limit";
    public static final String GROUP_SHARE_MIN_DELIVERY_COUNT_LIMIT = "group.share.min.delivery.count.limit";
    public static final String GROUP_SHARE_MAX_DELIVERY_COUNT_LIMIT = "group.share.max.delivery.count.limit";
    public static final String GROUP_SHARE_PARTITION_MAX_RECORD_LOCKS = "group.share.partition.max.record.locks";
    public static final String GROUP_SHARE_MIN_PARTITION_MAX_RECORD_LOCKS =
            "group.share.min.partition.max.record.locks";
    public static final String GROUP_SHARE_MAX_PARTITION_MAX_RECORD_LOCKS =
            "group.share.max.partition.max.record.locks";
    public static final String GROUP_SHARE_MAX_SHARE_SESSIONS = "group.share.max.share.sessions";
    /** KIP-1191: whether a group's dead-letter topic is created on its first use. */
    public static final String ERRORS_DEADLETTERQUEUE_AUTO_CREATE_TOPICS_ENABLE =
            "errors.deadletterqueue.auto.create.topics.enable";
    /** KIP-1191: the prefix every dead-letter topic name must have. */
    public static final String ERRORS_DEADLETTERQUEUE_TOPIC_NAME_PREFIX = "errors.deadletterqueue.topic.name.prefix";
    /** Broker defaults of the group configs of the same names (see DynamicGroupConfigs). */
    public static final String HERALD_SHARE_RETRY_BACKOFF_MS = "herald.share.retry.backoff.ms";
    public static final String HERALD_SHARE_RETRY_BACKOFF_MAX_MS = "herald.share.retry.backoff.max.ms";
    public static final String HERALD_SHARE_RETRY_BACKOFF_MULTIPLIER = "herald.share.retry.backoff.multiplier";
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
                    Importance.MEDIUM, "Most members of a consumer group.")
            .define(GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS, Type.INT, 45000, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, "Smallest consumer.session.timeout.ms a consumer group may set.")
            .define(GROUP_CONSUMER_MAX_SESSION_TIMEOUT_MS, Type.INT, 60000, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, "Largest consumer.session.timeout.ms a consumer group may set.")
            .define(GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS, Type.INT, 5000, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, "Smallest consumer.heartbeat.interval.ms a consumer group may set.")
            .define(GROUP_CONSUMER_MAX_HEARTBEAT_INTERVAL_MS, Type.INT, 15000, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, "Largest consumer.heartbeat.interval.ms a consumer group may set.")
            .define(GROUP_SHARE_SESSION_TIMEOUT_MS, Type.INT, 45000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "A share group member silent this long is removed.")
            .define(GROUP_SHARE_MIN_SESSION_TIMEOUT_MS, Type.INT, 45000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Smallest share.session.timeout.ms a share group may set.")
            .define(GROUP_SHARE_MAX_SESSION_TIMEOUT_MS, Type.INT, 60000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Largest share.session.timeout.ms a share group may set.")
            .define(GROUP_SHARE_HEARTBEAT_INTERVAL_MS, Type.INT, 5000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "The heartbeat interval share group members are given.")
            .define(GROUP_SHARE_MIN_HEARTBEAT_INTERVAL_MS, Type.INT, 5000, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, "Smallest share.heartbeat.interval.ms a share group may set.")
            .define(GROUP_SHARE_MAX_HEARTBEAT_INTERVAL_MS, Type.INT, 15000, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, "Largest share.heartbeat.interval.ms a share group may set.")
            .define(GROUP_SHARE_MAX_SIZE, Type.INT, 200, ConfigDef.Range.between(1, 1000), Importance.MEDIUM,
                    "Most members of a share group.")
            .define(GROUP_SHARE_ASSIGNORS, Type.LIST, ShareGroupBrokerConfig.SIMPLE_ASSIGNOR, Importance.MEDIUM,
                    "The share group assignor: exactly one, simple (class names are not supported).")
            .define(GROUP_SHARE_RECORD_LOCK_DURATION_MS, Type.INT, 30000, ConfigDef.Range.between(1000, 3600000),
                    Importance.MEDIUM, "How long an acquired record stays acquired before it is available again.")
            .define(GROUP_SHARE_MIN_RECORD_LOCK_DURATION_MS, Type.INT, 15000, ConfigDef.Range.between(1000, 30000),
                    Importance.MEDIUM, "Smallest share.record.lock.duration.ms a share group may set.")
            .define(GROUP_SHARE_MAX_RECORD_LOCK_DURATION_MS, Type.INT, 60000, ConfigDef.Range.between(30000, 3600000),
                    Importance.MEDIUM, "Largest share.record.lock.duration.ms a share group may set.")
            .define(GROUP_SHARE_DELIVERY_COUNT_LIMIT, Type.INT, 5, ConfigDef.Range.between(2, 10), Importance.MEDIUM,
                    "How often a record is delivered before it is archived.")
            .define(GROUP_SHARE_MIN_DELIVERY_COUNT_LIMIT, Type.INT, 2, ConfigDef.Range.between(2, 5),
                    Importance.MEDIUM, "Smallest share.delivery.count.limit a share group may set.")
            .define(GROUP_SHARE_MAX_DELIVERY_COUNT_LIMIT, Type.INT, 10, ConfigDef.Range.between(5, 25),
                    Importance.MEDIUM, "Largest share.delivery.count.limit a share group may set.")
            .define(GROUP_SHARE_PARTITION_MAX_RECORD_LOCKS, Type.INT, 2000, ConfigDef.Range.between(100, 10000),
                    Importance.MEDIUM, "At most this many records in a share-partition's in-flight window.")
            .define(GROUP_SHARE_MIN_PARTITION_MAX_RECORD_LOCKS, Type.INT, 100, ConfigDef.Range.between(100, 2000),
                    Importance.MEDIUM, "Smallest share.partition.max.record.locks a share group may set.")
            .define(GROUP_SHARE_MAX_PARTITION_MAX_RECORD_LOCKS, Type.INT, 4000, ConfigDef.Range.between(2000, 10000),
                    Importance.MEDIUM, "Largest share.partition.max.record.locks a share group may set.")
            .define(GROUP_SHARE_MAX_SHARE_SESSIONS, Type.INT, 2000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Share sessions (KIP-932 share fetch sessions) the broker keeps.")
            .define(ERRORS_DEADLETTERQUEUE_AUTO_CREATE_TOPICS_ENABLE, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Whether a missing share-group dead-letter topic is created on its first use, with "
                            + "errors.deadletterqueue.group.enable=true and the broker's num.partitions and "
                            + "default.replication.factor (KIP-1191; off by default, as in Kafka).")
            .define(ERRORS_DEADLETTERQUEUE_TOPIC_NAME_PREFIX, Type.STRING, "dlq.", Importance.MEDIUM,
                    "The prefix every group's errors.deadletterqueue.topic.name must have (KIP-1191).")
            .define(HERALD_SHARE_RETRY_BACKOFF_MS, Type.LONG, 0L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Default of the group config herald.share.retry.backoff.ms: a released or lock-expired record "
                            + "is available again only after this backoff, multiplied per delivery (0: at once).")
            .define(HERALD_SHARE_RETRY_BACKOFF_MAX_MS, Type.LONG, 60000L, ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM, "Default of the group config herald.share.retry.backoff.max.ms.")
            .define(HERALD_SHARE_RETRY_BACKOFF_MULTIPLIER, Type.DOUBLE, 2.0, ConfigDef.Range.atLeast(1.0),
                    Importance.MEDIUM, "Default of the group config herald.share.retry.backoff.multiplier.");

    /** Kafka's defaults. */
    public static GroupConfig defaults() {
        return from(ConfigValues.parse(CONFIG_DEF, Map.of()));
    }

    /** The settings from values parsed with a definition that includes {@link #CONFIG_DEF}. */
    public static GroupConfig from(ConfigValues v) {
        // Kafka's checks of the consumer settings first, so a bad combination gets Kafka's message.
        ConsumerGroupBounds consumerBounds = consumerGroupBounds(v);
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
                consumerGroupConfig(v),
                consumerBounds,
                shareGroupConfig(v));
    }

    /**
     * The bounds of consumer groups' own session timeouts and heartbeat intervals, with the broker defaults
     * checked against them in Kafka's order and with its messages ({@code GroupCoordinatorConfig}), so a Kafka
     * {@code server.properties} that Kafka refuses is refused here too.
     */
    private static ConsumerGroupBounds consumerGroupBounds(ConfigValues v) {
        IntRange heartbeat = range(v, GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS, GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS,
                GROUP_CONSUMER_MAX_HEARTBEAT_INTERVAL_MS);
        IntRange session = range(v, GROUP_CONSUMER_SESSION_TIMEOUT_MS, GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS,
                GROUP_CONSUMER_MAX_SESSION_TIMEOUT_MS);
        require(v.getInt(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS) < v.getInt(GROUP_CONSUMER_SESSION_TIMEOUT_MS),
                GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS + " must be less than " + GROUP_CONSUMER_SESSION_TIMEOUT_MS);
        return new ConsumerGroupBounds(session, heartbeat);
    }

    /**
     * {@code group.share.*}, checked as Kafka's {@code GroupCoordinatorConfig} and {@code ShareGroupConfig} do, in
     * their order and with their messages.
     */
    private static ShareGroupBrokerConfig shareGroupConfig(ConfigValues v) {
        IntRange heartbeat = range(v, GROUP_SHARE_HEARTBEAT_INTERVAL_MS, GROUP_SHARE_MIN_HEARTBEAT_INTERVAL_MS,
                GROUP_SHARE_MAX_HEARTBEAT_INTERVAL_MS);
        IntRange session = range(v, GROUP_SHARE_SESSION_TIMEOUT_MS, GROUP_SHARE_MIN_SESSION_TIMEOUT_MS,
                GROUP_SHARE_MAX_SESSION_TIMEOUT_MS);
        require(v.getInt(GROUP_SHARE_HEARTBEAT_INTERVAL_MS) < v.getInt(GROUP_SHARE_SESSION_TIMEOUT_MS),
                GROUP_SHARE_HEARTBEAT_INTERVAL_MS + " must be less than " + GROUP_SHARE_SESSION_TIMEOUT_MS);
        List<String> assignors = v.getList(GROUP_SHARE_ASSIGNORS);
        require(assignors.size() == 1, GROUP_SHARE_ASSIGNORS + " must contain exactly one assignor, but found "
                + assignors.size());
        if (!assignors.get(0).trim().equals(ShareGroupBrokerConfig.SIMPLE_ASSIGNOR)) {
            throw new ConfigException(GROUP_SHARE_ASSIGNORS, assignors, "expected: simple (the only share group "
                    + "assignor; class names are not supported)");
        }
        int deliveryCountLimit = v.getInt(GROUP_SHARE_DELIVERY_COUNT_LIMIT);
        int minDeliveryCountLimit = v.getInt(GROUP_SHARE_MIN_DELIVERY_COUNT_LIMIT);
        int maxDeliveryCountLimit = v.getInt(GROUP_SHARE_MAX_DELIVERY_COUNT_LIMIT);
        require(maxDeliveryCountLimit >= deliveryCountLimit, greaterOrEqual(GROUP_SHARE_MAX_DELIVERY_COUNT_LIMIT,
                GROUP_SHARE_DELIVERY_COUNT_LIMIT));
        require(deliveryCountLimit >= minDeliveryCountLimit, greaterOrEqual(GROUP_SHARE_DELIVERY_COUNT_LIMIT,
                GROUP_SHARE_MIN_DELIVERY_COUNT_LIMIT));
        int locks = v.getInt(GROUP_SHARE_PARTITION_MAX_RECORD_LOCKS);
        int minLocks = v.getInt(GROUP_SHARE_MIN_PARTITION_MAX_RECORD_LOCKS);
        int maxLocks = v.getInt(GROUP_SHARE_MAX_PARTITION_MAX_RECORD_LOCKS);
        require(maxLocks >= locks, greaterOrEqual(GROUP_SHARE_MAX_PARTITION_MAX_RECORD_LOCKS,
                GROUP_SHARE_PARTITION_MAX_RECORD_LOCKS));
        require(locks >= minLocks, greaterOrEqual(GROUP_SHARE_PARTITION_MAX_RECORD_LOCKS,
                GROUP_SHARE_MIN_PARTITION_MAX_RECORD_LOCKS));
        int lockDuration = v.getInt(GROUP_SHARE_RECORD_LOCK_DURATION_MS);
        int minLockDuration = v.getInt(GROUP_SHARE_MIN_RECORD_LOCK_DURATION_MS);
        int maxLockDuration = v.getInt(GROUP_SHARE_MAX_RECORD_LOCK_DURATION_MS);
        require(lockDuration >= minLockDuration, greaterOrEqual(GROUP_SHARE_RECORD_LOCK_DURATION_MS,
                GROUP_SHARE_MIN_RECORD_LOCK_DURATION_MS));
        require(maxLockDuration >= lockDuration, greaterOrEqual(GROUP_SHARE_MAX_RECORD_LOCK_DURATION_MS,
                GROUP_SHARE_RECORD_LOCK_DURATION_MS));
        int maxSize = v.getInt(GROUP_SHARE_MAX_SIZE);
        int maxShareSessions = v.getInt(GROUP_SHARE_MAX_SHARE_SESSIONS);
        require(maxShareSessions >= maxSize, greaterOrEqual(GROUP_SHARE_MAX_SHARE_SESSIONS, GROUP_SHARE_MAX_SIZE));
        return new ShareGroupBrokerConfig(
                new Bounded(v.getInt(GROUP_SHARE_SESSION_TIMEOUT_MS), session),
                new Bounded(v.getInt(GROUP_SHARE_HEARTBEAT_INTERVAL_MS), heartbeat),
                maxSize,
                Bounded.of(lockDuration, minLockDuration, maxLockDuration),
                Bounded.of(deliveryCountLimit, minDeliveryCountLimit, maxDeliveryCountLimit),
                Bounded.of(locks, minLocks, maxLocks),
                maxShareSessions,
                ShareGroupBrokerConfig.SIMPLE_ASSIGNOR,
                v.getBoolean(ERRORS_DEADLETTERQUEUE_AUTO_CREATE_TOPICS_ENABLE),
                v.getString(ERRORS_DEADLETTERQUEUE_TOPIC_NAME_PREFIX),
                v.getLong(HERALD_SHARE_RETRY_BACKOFF_MS),
                v.getLong(HERALD_SHARE_RETRY_BACKOFF_MAX_MS),
                v.getDouble(HERALD_SHARE_RETRY_BACKOFF_MULTIPLIER));
    }

    /**
     * {@code [min, max]} with the default {@code value} inside, checked in Kafka's order: max against min, then
     * the value against each.
     */
    private static IntRange range(ConfigValues v, String value, String min, String max) {
        require(v.getInt(max) >= v.getInt(min), greaterOrEqual(max, min));
        require(v.getInt(value) >= v.getInt(min), greaterOrEqual(value, min));
        require(v.getInt(value) <= v.getInt(max), value + " must be less than or equal to " + max);
        return new IntRange(v.getInt(min), v.getInt(max));
    }

    private static String greaterOrEqual(String a, String b) {
        return a + " must be greater than or equal to " + b;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new ConfigException(message);
        }
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
