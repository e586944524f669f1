package io.herald.broker.replica;

import io.herald.metadata.image.ReplicaKey;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The broker's link to the controller for its offline replicas (KIP-858's offline log dirs, by replica): the node
 * wiring connects it to {@code BrokerLifecycle.reportOfflineReplicas}; tests use a fake. The future completes once
 * the controller's decision is applied, or exceptionally with the Kafka error; on any thread.
 */
@FunctionalInterface
public interface OfflineReplicasChannel {
    CompletableFuture<Void> reportOfflineReplicas(int brokerId, Set<ReplicaKey> offline);
}
