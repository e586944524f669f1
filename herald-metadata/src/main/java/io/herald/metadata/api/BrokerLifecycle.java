package io.herald.metadata.api;

import java.util.Optional;

/**
 * A broker's life as the controller sees it (Kafka's BrokerRegistration, BrokerHeartbeat and
 * ControlledShutdown): registered and unfenced while it heartbeats, fenced when it stops, its leaderships
 * moved away before a clean stop. The node wiring drives it; request handlers never do.
 *
 * <p>Thread-safety: any thread except the metadata apply thread.
 */
public interface BrokerLifecycle {

    /** Registers (or re-registers, after an address change) this broker with this process's incarnation. */
    void registerBroker(int brokerId, String host, int port, Optional<String> rack);

    /** Heartbeats for {@code brokerId} every {@code broker.heartbeat.interval.ms} until the controller closes. */
    void startHeartbeats(int brokerId);

    /** Moves the broker's leaderships away and fences it; waits at most {@code broker.session.timeout.ms}. */
    void controlledShutdown(int brokerId);
}
