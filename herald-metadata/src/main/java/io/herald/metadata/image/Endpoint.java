package io.herald.metadata.image;

import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Where the clients of one listener reach a broker: one entry of Kafka's BrokerRegistration listeners. A broker
 * with several client listeners registers one endpoint each, and every response that tells a client how to reach
 * a broker gives it the endpoint of the listener its request came in on (see {@link BrokerImage#node}).
 *
 * @param listenerName     the listener's name, upper case as the broker's config normalises it (e.g. {@code EXTERNAL})
 * @param host             the advertised host
 * @param port             the advertised port; the bound one when the listener was configured with port 0
 * @param securityProtocol the listener's {@link SecurityProtocol#id}, kept as the number the record formats hold
 */
public record Endpoint(String listenerName, String host, int port, short securityProtocol) {

    public Endpoint {
        Objects.requireNonNull(listenerName, "listenerName");
        Objects.requireNonNull(host, "host");
    }

    public Endpoint(String listenerName, String host, int port, SecurityProtocol securityProtocol) {
        this(listenerName, host, port, securityProtocol.id);
    }

    /** The security protocol; empty for an id this process's Kafka clients do not know. */
    public Optional<SecurityProtocol> protocol() {
        return Optional.ofNullable(SecurityProtocol.forId(securityProtocol));
    }
}
