package io.herald.protocol.security;

import io.netty.handler.ssl.SslContext;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * How a listener secures its connections: TLS for {@code SSL} and {@code SASL_SSL}, SASL for {@code SASL_PLAINTEXT}
 * and {@code SASL_SSL}, and how a client certificate's name becomes a principal on {@code SSL}.
 *
 * <p>Immutable and thread-safe (a Netty {@link SslContext} is).
 */
public record ListenerSecurity(SecurityProtocol protocol, Optional<SslContext> tls, Optional<SaslSettings> sasl,
                               SslPrincipalMapper principalMapper) {

    public static final ListenerSecurity PLAINTEXT = new ListenerSecurity(SecurityProtocol.PLAINTEXT,
            Optional.empty(), Optional.empty(), SslPrincipalMapper.DEFAULT);

    public ListenerSecurity {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(principalMapper, "principalMapper");
        boolean needsTls = protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
        boolean needsSasl = protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL;
        if (needsTls != tls.isPresent()) {
            throw new IllegalArgumentException(protocol + (needsTls ? " needs" : " takes no") + " TLS context");
        }
        if (needsSasl != sasl.isPresent()) {
            throw new IllegalArgumentException(protocol + (needsSasl ? " needs" : " takes no") + " SASL settings");
        }
    }
}
