package io.herald.metadata.image;

import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * A registered broker, the address clients reach it at, and its liveness as the controller decided it.
 *
 * @param incarnationId random per broker process start; a new one means the broker restarted
 * @param brokerEpoch the metadata log index of the registration of this incarnation
 * @param fenced fenced brokers lead no partition and take no new replicas
 */
public record BrokerImage(int brokerId, String host, int port, Optional<String> rack, Uuid incarnationId,
                          long brokerEpoch, boolean fenced) {

    /** An unfenced broker of an unknown incarnation. */
    public BrokerImage(int brokerId, String host, int port, Optional<String> rack) {
        this(brokerId, host, port, rack, Uuid.ZERO_UUID, 0L, false);
    }
}
