package io.herald.metadata.image;

import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * A registered broker, the address clients reach it at, and its liveness as the controller decided it.
 *
 * @param incarnationId random per broker process start; a new one means the broker restarted
 * @param brokerEpoch the metadata log index of the registration of this incarnation
 * @param fenced fenced brokers lead no partition and take no new replicas
 * @param offlineReplicas the replicas this incarnation reported offline (their log dir failed, KIP-858): it may
 *     neither lead them nor join their ISRs until it reports them online again; empty after a restart
 */
public record BrokerImage(int brokerId, String host, int port, Optional<String> rack, Uuid incarnationId,
                          long brokerEpoch, boolean fenced, Set<ReplicaKey> offlineReplicas) {

    public BrokerImage {
        offlineReplicas = Set.copyOf(offlineReplicas);
    }

    /** A broker without offline replicas. */
    public BrokerImage(int brokerId, String host, int port, Optional<String> rack, Uuid incarnationId,
                       long brokerEpoch, boolean fenced) {
        this(brokerId, host, port, rack, incarnationId, brokerEpoch, fenced, Set.of());
    }

    /** An unfenced broker of an unknown incarnation. */
    public BrokerImage(int brokerId, String host, int port, Optional<String> rack) {
        this(brokerId, host, port, rack, Uuid.ZERO_UUID, 0L, false);
    }

    /** Whether this broker reported its replica of the partition offline. */
    public boolean isOffline(Uuid topicId, int partition) {
        return !offlineReplicas.isEmpty() && offlineReplicas.contains(new ReplicaKey(topicId, partition));
    }
}
