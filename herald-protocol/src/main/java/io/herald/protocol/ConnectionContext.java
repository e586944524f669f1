package io.herald.protocol;

import java.util.Objects;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Who sent a request and over which listener: what authorization and per-listener answers (the endpoints in
 * Metadata) depend on.
 *
 * @param listenerName     the listener's name, upper case (e.g. {@code PLAINTEXT}, {@code EXTERNAL})
 * @param securityProtocol the listener's security protocol
 * @param principal        the authenticated principal; {@link KafkaPrincipal#ANONYMOUS} on PLAINTEXT and on SSL
 *                         without a client certificate
 */
public record ConnectionContext(String listenerName, SecurityProtocol securityProtocol, KafkaPrincipal principal) {

    /** A PLAINTEXT listener named PLAINTEXT, anonymous: what tests and single-listener setups see. */
    public static final ConnectionContext PLAINTEXT =
            new ConnectionContext("PLAINTEXT", SecurityProtocol.PLAINTEXT, KafkaPrincipal.ANONYMOUS);

    public ConnectionContext {
        Objects.requireNonNull(listenerName, "listenerName");
        Objects.requireNonNull(securityProtocol, "securityProtocol");
        Objects.requireNonNull(principal, "principal");
    }
}
