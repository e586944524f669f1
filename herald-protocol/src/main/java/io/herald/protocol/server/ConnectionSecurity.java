package io.herald.protocol.server;

import io.herald.protocol.ConnectionContext;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.ListenerConfig;
import io.herald.protocol.codec.KafkaFrameDecoder;
import io.herald.protocol.security.SaslAuthenticator;
import io.herald.protocol.security.SaslAuthenticator.Admission;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * One connection's identity on its listener: the principal its requests carry and, on a SASL listener, the gate in
 * front of the dispatcher ({@link SaslAuthenticator}).
 *
 * <p>Principals as Kafka's default principal builder makes them: {@code User:ANONYMOUS} on PLAINTEXT and on SSL
 * without a client certificate; on SSL with one, {@code User:} + the certificate's subject (RFC 2253) mapped by
 * {@code ssl.principal.mapping.rules}; on SASL listeners, {@code User:} + the authenticated name.
 *
 * <p>Event-loop confined (its connection's).
 */
final class ConnectionSecurity {
    private static final Admission PASS = new Admission.Pass();

    private final ListenerConfig listener;
    private final SaslAuthenticator sasl;
    private final int maxRequestBytes;
    private ConnectionContext context;

    /** @param sasl the connection's SASL state; null on a listener without SASL */
    ConnectionSecurity(ListenerConfig listener, SaslAuthenticator sasl, int maxRequestBytes) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.sasl = sasl;
        this.maxRequestBytes = maxRequestBytes;
    }

    /** An anonymous PLAINTEXT connection (tests). */
    static ConnectionSecurity plaintext(int maxRequestBytes) {
        return new ConnectionSecurity(ListenerConfig.plaintext("127.0.0.1", 0), null, maxRequestBytes);
    }

    String listenerName() {
        return listener.name();
    }

    /**
     * The listener and principal of the connection's next request; empty if a client certificate's name matches
     * no {@code ssl.principal.mapping.rules} rule (the connection must close).
     */
    Optional<ConnectionContext> context(ChannelPipeline pipeline) {
        if (context == null) {
            Optional<KafkaPrincipal> principal = principal(pipeline);
            if (principal.isEmpty()) {
                return Optional.empty();
            }
            context = new ConnectionContext(listener.name(), listener.security().protocol(), principal.get());
        }
        return Optional.of(context);
    }

    private Optional<KafkaPrincipal> principal(ChannelPipeline pipeline) {
        SecurityProtocol protocol = listener.security().protocol();
        if (sasl != null) {
            return Optional.of(sasl.principal().orElse(KafkaPrincipal.ANONYMOUS));
        }
        if (protocol != SecurityProtocol.SSL) {
            return Optional.of(KafkaPrincipal.ANONYMOUS);
        }
        SslHandler tls = pipeline.get(SslHandler.class);
        Certificate[] peer;
        try {
            peer = tls == null ? null : tls.engine().getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            peer = null;
        }
        if (peer == null || peer.length == 0 || !(peer[0] instanceof X509Certificate certificate)) {
            return Optional.of(KafkaPrincipal.ANONYMOUS);
        }
        return listener.security().principalMapper().map(certificate.getSubjectX500Principal().getName())
                .map(name -> new KafkaPrincipal(KafkaPrincipal.USER_TYPE, name));
    }

    /** The subject of the client certificate, for the log line of a refused one. */
    static String subject(ChannelPipeline pipeline) {
        try {
            SslHandler tls = pipeline.get(SslHandler.class);
            Certificate[] peer = tls.engine().getSession().getPeerCertificates();
            return ((X509Certificate) peer[0]).getSubjectX500Principal().getName();
        } catch (SSLPeerUnverifiedException | RuntimeException e) {
            return "(unknown)";
        }
    }

    /**
     * What to do with {@code request}: on a SASL listener the authenticator decides, and the frame limit follows
     * its state; elsewhere every request passes.
     */
    Admission admit(KafkaRequest request, long nowNanos, ChannelPipeline pipeline) {
        if (sasl == null) {
            return PASS;
        }
        Admission admission = sasl.admit(request, nowNanos);
        if (admission instanceof Admission.Answer) {
            context = null;
            KafkaFrameDecoder decoder = pipeline.get(KafkaFrameDecoder.class);
            if (decoder != null) {
                decoder.maxFrameBytes(sasl.maxFrameBytes(maxRequestBytes), sasl.frameLimitSetting());
            }
        }
        return admission;
    }
}
