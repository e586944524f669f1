package io.herald.broker.network;

import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How this broker's own connections to other brokers (replica fetchers, inter-broker requests) are secured: as
 * the inter-broker listener asks, with TLS ({@code SSL}, {@code SASL_SSL}) and/or SASL ({@code SASL_*}), using
 * the listener's trust store (and key store, for listeners that require client certificates) and the credentials
 * of {@code sasl.mechanism.inter.broker.protocol} in its JAAS config.
 *
 * @param tls            the client TLS context; empty on PLAINTEXT and SASL_PLAINTEXT
 * @param verifyHostname whether the other broker's certificate must name its host
 *                       ({@code ssl.endpoint.identification.algorithm=https})
 * @param sasl           the mechanism and credentials; empty on PLAINTEXT and SSL
 */
public record InterBrokerSecurity(Optional<SSLContext> tls, boolean verifyHostname, Optional<Credentials> sasl) {

    /** Plain TCP, no authentication. */
    public static final InterBrokerSecurity PLAINTEXT = new InterBrokerSecurity(Optional.empty(), false,
            Optional.empty());

    public InterBrokerSecurity {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(sasl, "sasl");
    }

    /** A SASL mechanism with the user this broker authenticates as. */
    public record Credentials(String mechanism, String username, String password) {
        public Credentials {
            Objects.requireNonNull(mechanism, "mechanism");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Credentials[" + mechanism + ", " + username + ", password hidden]";
        }
    }
}
