package io.herald.group.consumer;

import io.herald.group.consumer.assignor.RangeAssignor;
import io.herald.group.consumer.assignor.UniformAssignor;
import java.util.Objects;

/**
 * Broker-level settings of KIP-848 consumer groups, under Kafka's config names.
 *
 * @param sessionTimeoutMs {@code group.consumer.session.timeout.ms} (default 45000): a member that
 *     does not heartbeat for this long is removed from its group
 * @param heartbeatIntervalMs {@code group.consumer.heartbeat.interval.ms} (default 5000): the
 *     interval the coordinator asks members to heartbeat at
 * @param maxSize {@code group.consumer.max.size} (default {@link Integer#MAX_VALUE})
 * @param defaultAssignor the server assignor used when no member names one: the first entry of
 *     {@code group.consumer.assignors} (default "uniform")
 */
public record ConsumerGroupConfig(int sessionTimeoutMs, int heartbeatIntervalMs, int maxSize, String defaultAssignor) {

    public static final ConsumerGroupConfig DEFAULT =
            new ConsumerGroupConfig(45_000, 5_000, Integer.MAX_VALUE, UniformAssignor.NAME);

    public ConsumerGroupConfig {
        if (sessionTimeoutMs <= 0) {
            throw new IllegalArgumentException("sessionTimeoutMs: " + sessionTimeoutMs + " (expected: > 0)");
        }
        if (heartbeatIntervalMs <= 0 || heartbeatIntervalMs >= sessionTimeoutMs) {
            throw new IllegalArgumentException("heartbeatIntervalMs: " + heartbeatIntervalMs
                    + " (expected: > 0 and < sessionTimeoutMs " + sessionTimeoutMs + ")");
        }
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize: " + maxSize + " (expected: >= 1)");
        }
        Objects.requireNonNull(defaultAssignor, "defaultAssignor");
        if (!defaultAssignor.equals(UniformAssignor.NAME) && !defaultAssignor.equals(RangeAssignor.NAME)) {
            throw new IllegalArgumentException("defaultAssignor: " + defaultAssignor + " (expected: uniform or range)");
        }
    }
}
