package io.herald.metadata.image;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A registered broker, the addresses it is reached at, and its liveness as the controller decided it.
 *
 * <p>A broker has two kinds of address. {@code host}/{@code port} is the one it registered with: its inter-broker
 * listener, which other brokers connect to (replica fetchers, inter-broker requests). {@code endpoints} are those of
 * each of its client listeners, which clients are given ({@link #node}); a broker registers them once its listeners
 * are bound, so they lag its registration, and a broker of a version before them never registers any.
 *
 * @param incarnationId random per broker process start; a new one means the broker restarted
 * @param brokerEpoch the metadata log index of the registration of this incarnation
 * @param fenced fenced brokers lead no partition and take no new replicas
 * @param offlineReplicas the replicas this incarnation reported offline (their log dir failed, KIP-858): it may
 *     neither lead them nor join their ISRs until it reports them online again; empty after a restart
 * @param endpoints the client listeners' endpoints in the broker's {@code listeners} order, listener names
 *     distinct (the controller refuses duplicates); kept across restarts until the broker sends new ones
 */
public record BrokerImage(int brokerId, String host, int port, Optional<String> rack, Uuid incarnationId,
                          long brokerEpoch, boolean fenced, Set<ReplicaKey> offlineReplicas,
                          List<Endpoint> endpoints) {

    public BrokerImage {
        offlineReplicas = Set.copyOf(offlineReplicas);
        endpoints = List.copyOf(endpoints);
    }

    /** An unfenced broker of an unknown incarnation, without offline replicas or endpoints. */
    public BrokerImage(int brokerId, String host, int port, Optional<String> rack) {
        this(brokerId, host, port, rack, Uuid.ZERO_UUID, 0L, false, Set.of(), List.of());
    }

    /** This broker with another set of offline replicas. */
    public BrokerImage withOfflineReplicas(Set<ReplicaKey> replicas) {
        return new BrokerImage(brokerId, host, port, rack, incarnationId, brokerEpoch, fenced, replicas, endpoints);
    }

    /** This broker with other client listener endpoints. */
    public BrokerImage withEndpoints(List<Endpoint> newEndpoints) {
        return new BrokerImage(brokerId, host, port, rack, incarnationId, brokerEpoch, fenced, offlineReplicas,
                newEndpoints);
    }

    /** Whether this broker reported its replica of the partition offline. */
    public boolean isOffline(Uuid topicId, int partition) {
        return !offlineReplicas.isEmpty() && offlineReplicas.contains(new ReplicaKey(topicId, partition));
    }

    /** The endpoint this broker registered for {@code listenerName}; empty if it registered none for it. */
    public Optional<Endpoint> endpoint(String listenerName) {
        return endpoints.stream().filter(e -> e.listenerName().equals(listenerName)).findFirst();
    }

    /**
     * This broker as a client that came in on listener {@code listenerName} is told of it (in Metadata,
     * DescribeCluster, FindCoordinator and the leader hints of KIP-951), as Kafka's BrokerRegistration.node does:
     * the host and port of its endpoint for that listener. A broker that registered endpoints but none for that
     * listener is empty, so that a client is never sent to an address that serves another listener (Kafka leaves
     * it out, answers COORDINATOR_NOT_AVAILABLE for a coordinator on it and LISTENER_NOT_FOUND for a partition it
     * leads). A broker that registered no endpoints at all, one that predates them or has not sent them yet, is
     * given at its registered {@code host}/{@code port}, the only address it has.
     *
     * <p>Fencing is not considered: each API decides whether a fenced broker is shown.
     */
    public Optional<Node> node(String listenerName) {
        if (endpoints.isEmpty()) {
            return Optional.of(new Node(brokerId, host, port, rack.orElse(null), fenced));
        }
        return endpoint(listenerName).map(e -> new Node(brokerId, e.host(), e.port(), rack.orElse(null), fenced));
    }
}
