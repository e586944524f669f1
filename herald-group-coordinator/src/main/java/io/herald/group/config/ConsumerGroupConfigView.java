package io.herald.group.config;

/**
 * The consumer-group counterpart of {@link GroupConfigView}: a KIP-848 group's effective session timeout and
 * heartbeat interval, by group id, read by the consumer group coordinator on every heartbeat so a change applies
 * without a restart (as Kafka's {@code GroupConfigManager} does).
 *
 * <p>Thread-safety: implementations are thread-safe and cheap (an in-memory lookup).
 */
@FunctionalInterface
public interface ConsumerGroupConfigView {
    ConsumerGroupSettings consumer(String groupId);

    /** Every group gets {@code settings} (tests, and a broker without dynamic group configs). */
    static ConsumerGroupConfigView fixed(ConsumerGroupSettings settings) {
        return groupId -> settings;
    }
}
