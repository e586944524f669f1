package io.herald.group.config;

/**
 * One KIP-848 consumer group's effective session timeout and heartbeat interval: its dynamic group configs
 * ({@code consumer.session.timeout.ms}, {@code consumer.heartbeat.interval.ms}) over the broker's
 * {@code group.consumer.*} defaults, capped to the broker's current bounds.
 *
 * @param sessionTimeoutMs    a member silent this long is removed from the group
 * @param heartbeatIntervalMs the interval members are told to heartbeat at
 */
public record ConsumerGroupSettings(int sessionTimeoutMs, int heartbeatIntervalMs) {

    public ConsumerGroupSettings {
        if (sessionTimeoutMs <= 0) {
            throw new IllegalArgumentException("sessionTimeoutMs: " + sessionTimeoutMs + " (expected: > 0)");
        }
        if (heartbeatIntervalMs <= 0) {
            throw new IllegalArgumentException("heartbeatIntervalMs: " + heartbeatIntervalMs + " (expected: > 0)");
        }
    }
}
