package io.herald.metadata.api;

import io.herald.metadata.image.Endpoint;
import io.herald.metadata.image.ReplicaKey;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

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

    /**
     * Registers the endpoints of every client listener of this broker (this process's incarnation), in its
     * {@code listeners} order, replacing those registered before; clients are told the endpoint of the listener
     * they came in on. Call after {@link #registerBroker}, once the listeners are bound: a listener configured with
     * port 0 is registered with the port it bound. Blocks until this node applied the decision, and throws its Kafka error (a broker not registered, or
     * registered since by another incarnation: BrokerIdNotRegistered, StaleBrokerEpoch).
     */
    void registerEndpoints(int brokerId, List<Endpoint> endpoints);

    /** Heartbeats for {@code brokerId} every {@code broker.heartbeat.interval.ms} until the controller closes. */
    void startHeartbeats(int brokerId);

    /**
     * Reports the complete set of this broker's replicas that are offline because their log dir failed (empty:
     * all back). The controller moves their leaderships away and takes the broker out of their ISRs (KIP-858).
     * Asynchronous: completes once this node applied the decision, exceptionally with the Kafka error.
     */
    CompletableFuture<Void> reportOfflineReplicas(int brokerId, Set<ReplicaKey> offline);

    /** Moves the broker's leaderships away and fences it; waits at most {@code broker.session.timeout.ms}. */
    void controlledShutdown(int brokerId);
}
