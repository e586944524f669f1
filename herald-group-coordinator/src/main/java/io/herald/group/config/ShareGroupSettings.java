package io.herald.group.config;

import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.IsolationLevel;

/**
 * One share group's effective settings: its dynamic group configs (Kafka's GROUP config resource) over the broker's
 * {@code group.share.*} defaults, with Kafka's names. Herald's additions are the dead-letter topic (KIP-1191's
 * names, which Kafka 4.4 brings) and the retry backoff.
 *
 * @param sessionTimeoutMs        {@code share.session.timeout.ms} (45000)
 * @param heartbeatIntervalMs     {@code share.heartbeat.interval.ms} (5000)
 * @param maxSize                 {@code group.share.max.size} (200, a broker config only): most members
 * @param recordLockDurationMs    {@code share.record.lock.duration.ms} (30000): how long an acquired record stays
 *                                acquired before it is available again
 * @param deliveryCountLimit      {@code share.delivery.count.limit} (5): a record delivered this often is archived
 *                                (and dead-lettered) instead of being made available again
 * @param partitionMaxRecordLocks {@code share.partition.max.record.locks} (2000): at most this many records in a
 *                                share-partition's in-flight window
 * @param autoOffsetReset         {@code share.auto.offset.reset} (latest)
 * @param isolationLevel          {@code share.isolation.level} (read_uncommitted)
 * @param renewAcknowledgeEnable  {@code share.renew.acknowledge.enable} (true): whether RENEW is accepted
 * @param deadLetterTopic         {@code errors.deadletterqueue.topic.name} (none): where rejected records and those
 *                                over the delivery limit are copied
 * @param deadLetterCopyRecord    {@code errors.deadletterqueue.copy.record.enable} (false): copy key, value and
 *                                headers, not only the error headers
 * @param retryBackoffMs          {@code herald.share.retry.backoff.ms} (0 = off): a released or lock-expired record
 *                                becomes available again only after this backoff, multiplied per delivery
 * @param retryBackoffMaxMs       {@code herald.share.retry.backoff.max.ms} (60000)
 * @param retryBackoffMultiplier  {@code herald.share.retry.backoff.multiplier} (2.0)
 */
public record ShareGroupSettings(int sessionTimeoutMs, int heartbeatIntervalMs, int maxSize, int recordLockDurationMs,
                                 int deliveryCountLimit, int partitionMaxRecordLocks,
                                 ShareAutoOffsetReset autoOffsetReset, IsolationLevel isolationLevel,
                                 boolean renewAcknowledgeEnable, Optional<String> deadLetterTopic,
                                 boolean deadLetterCopyRecord, long retryBackoffMs, long retryBackoffMaxMs,
                                 double retryBackoffMultiplier) {
    public ShareGroupSettings {
        Objects.requireNonNull(autoOffsetReset, "autoOffsetReset");
        Objects.requireNonNull(isolationLevel, "isolationLevel");
        Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    }

    /** Kafka 4.3.1's defaults, no dead-letter topic, no backoff. */
    public static ShareGroupSettings defaults() {
        return new ShareGroupSettings(45_000, 5_000, 200, 30_000, 5, 2000, new ShareAutoOffsetReset.Latest(),
                IsolationLevel.READ_UNCOMMITTED, true, Optional.empty(), false, 0, 60_000, 2.0);
    }

    /**
     * The backoff before a record delivered {@code deliveryCount} times is available again: 0 when off, else
     * {@code min(max, backoff * multiplier^(deliveryCount - 1))}.
     */
    public long retryBackoffFor(int deliveryCount) {
        if (retryBackoffMs <= 0 || deliveryCount <= 0) {
            return 0;
        }
        double backoff = retryBackoffMs * Math.pow(retryBackoffMultiplier, deliveryCount - 1);
        return (long) Math.min(retryBackoffMaxMs, backoff);
    }
}
