package io.herald.group.config;

import java.util.Objects;

/**
 * Broker-level settings of share groups (KIP-932), under Kafka 4.3.1's names and defaults, plus the broker
 * defaults of Herald's additions: the dead-letter topics of KIP-1191 and the retry backoff. The bounded ones are
 * the defaults a group's own config (IncrementalAlterConfigs on a GROUP resource) falls back to, with the range
 * that config must lie in.
 *
 * @param sessionTimeoutMs          {@code group.share.session.timeout.ms} (45000), within
 *                                  {@code group.share.min/max.session.timeout.ms} (45000 to 60000)
 * @param heartbeatIntervalMs       {@code group.share.heartbeat.interval.ms} (5000), within
 *                                  {@code group.share.min/max.heartbeat.interval.ms} (5000 to 15000)
 * @param maxSize                   {@code group.share.max.size} (200, at most 1000): most members of a share group
 * @param recordLockDurationMs      {@code group.share.record.lock.duration.ms} (30000), within
 *                                  {@code group.share.min/max.record.lock.duration.ms} (15000 to 60000)
 * @param deliveryCountLimit        {@code group.share.delivery.count.limit} (5), within
 *                                  {@code group.share.min/max.delivery.count.limit} (2 to 10)
 * @param partitionMaxRecordLocks   {@code group.share.partition.max.record.locks} (2000), within
 *                                  {@code group.share.min/max.partition.max.record.locks} (100 to 4000)
 * @param maxShareSessions          {@code group.share.max.share.sessions} (2000): share sessions the broker keeps,
 *                                  at least {@code maxSize}
 * @param assignor                  the one entry of {@code group.share.assignors} ("simple", the only one)
 * @param deadLetterAutoCreateTopics {@code errors.deadletterqueue.auto.create.topics.enable} (false, KIP-1191's
 *                                  default): a missing dead-letter topic is created on its first use
 * @param deadLetterTopicNamePrefix {@code errors.deadletterqueue.topic.name.prefix} ("dlq."): every group's
 *                                  {@code errors.deadletterqueue.topic.name} must start with it (KIP-1191), so a
 *                                  group cannot make the broker write into an arbitrary topic
 * @param retryBackoffMs            {@code herald.share.retry.backoff.ms} (0 = off): the broker default of the group
 *                                  config of the same name
 * @param retryBackoffMaxMs         {@code herald.share.retry.backoff.max.ms} (60000)
 * @param retryBackoffMultiplier    {@code herald.share.retry.backoff.multiplier} (2.0, at least 1)
 */
public record ShareGroupBrokerConfig(Bounded sessionTimeoutMs, Bounded heartbeatIntervalMs, int maxSize,
                                     Bounded recordLockDurationMs, Bounded deliveryCountLimit,
                                     Bounded partitionMaxRecordLocks, int maxShareSessions, String assignor,
                                     boolean deadLetterAutoCreateTopics, String deadLetterTopicNamePrefix,
                                     long retryBackoffMs, long retryBackoffMaxMs, double retryBackoffMultiplier) {

    /** The only share-group assignor, Kafka's default. */
    public static final String SIMPLE_ASSIGNOR = "simple";

    /** Kafka 4.3.1's defaults and Herald's. */
    public static final ShareGroupBrokerConfig DEFAULT = new ShareGroupBrokerConfig(Bounded.of(45_000, 45_000, 60_000),
            Bounded.of(5_000, 5_000, 15_000), 200, Bounded.of(30_000, 15_000, 60_000), Bounded.of(5, 2, 10),
            Bounded.of(2000, 100, 4000), 2000, SIMPLE_ASSIGNOR, false, "dlq.", 0, 60_000, 2.0);

    public ShareGroupBrokerConfig {
        Objects.requireNonNull(sessionTimeoutMs, "sessionTimeoutMs");
        Objects.requireNonNull(heartbeatIntervalMs, "heartbeatIntervalMs");
        Objects.requireNonNull(recordLockDurationMs, "recordLockDurationMs");
        Objects.requireNonNull(deliveryCountLimit, "deliveryCountLimit");
        Objects.requireNonNull(partitionMaxRecordLocks, "partitionMaxRecordLocks");
        Objects.requireNonNull(assignor, "assignor");
        Objects.requireNonNull(deadLetterTopicNamePrefix, "deadLetterTopicNamePrefix");
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize: " + maxSize + " (expected: >= 1)");
        }
        if (maxShareSessions < maxSize) {
            throw new IllegalArgumentException("maxShareSessions: " + maxShareSessions + " (expected: >= maxSize "
                    + maxSize + ")");
        }
        if (heartbeatIntervalMs.value() >= sessionTimeoutMs.value()) {
            throw new IllegalArgumentException("heartbeatIntervalMs: " + heartbeatIntervalMs.value()
                    + " (expected: < sessionTimeoutMs " + sessionTimeoutMs.value() + ")");
        }
        if (retryBackoffMs < 0 || retryBackoffMaxMs < 0 || retryBackoffMultiplier < 1.0) {
            throw new IllegalArgumentException("retry backoff: " + retryBackoffMs + " ms, max " + retryBackoffMaxMs
                    + " ms, multiplier " + retryBackoffMultiplier + " (expected: >= 0, >= 0, >= 1.0)");
        }
    }
}
