package io.herald.group.config;

import java.util.Objects;

/**
 * The broker's bounds of a KIP-848 consumer group's own session timeout and heartbeat interval (the dynamic group
 * configs {@code consumer.session.timeout.ms} and {@code consumer.heartbeat.interval.ms}); the broker defaults
 * themselves are {@link io.herald.group.consumer.ConsumerGroupConfig}'s.
 *
 * @param sessionTimeoutMs    {@code group.consumer.min.session.timeout.ms} (45000) to
 *                            {@code group.consumer.max.session.timeout.ms} (60000)
 * @param heartbeatIntervalMs {@code group.consumer.min.heartbeat.interval.ms} (5000) to
 *                            {@code group.consumer.max.heartbeat.interval.ms} (15000)
 */
public record ConsumerGroupBounds(IntRange sessionTimeoutMs, IntRange heartbeatIntervalMs) {

    /** Kafka 4.3.1's defaults. */
    public static final ConsumerGroupBounds DEFAULT =
            new ConsumerGroupBounds(new IntRange(45_000, 60_000), new IntRange(5_000, 15_000));

    public ConsumerGroupBounds {
        Objects.requireNonNull(sessionTimeoutMs, "sessionTimeoutMs");
        Objects.requireNonNull(heartbeatIntervalMs, "heartbeatIntervalMs");
    }
}
