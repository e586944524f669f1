package io.herald.server.config;

import io.herald.common.config.ConfigValues;
import io.herald.metadata.quorum.raft.QuorumTls;
import io.herald.protocol.security.JdkTlsMaterial;
import io.herald.protocol.security.SslPrincipalMapper;
import io.herald.protocol.security.TlsSettings;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509TrustManager;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The security of the controller quorum's transport, from the controller listener's {@code ssl.*} settings (with
 * their {@code listener.name.<controller listener>.} prefixes, as for any listener).
 *
 * <p>PLAINTEXT: none. SSL: every node, broker-only ones included, reaches the voters over TLS, checks their
 * certificates against the trust store and, unless {@code ssl.endpoint.identification.algorithm} is empty, that the
 * certificate names the voter's host. With {@code ssl.client.auth=required} every node presents its own certificate
 * (mutual TLS), and a voter admits a peer by its certificate's subject: with an authorizer, the user that
 * {@code ssl.principal.mapping.rules} maps the subject to must be one of {@code super.users} (the ACLs cannot decide:
 * they live in the log the quorum carries); without one, any certificate the trust store accepts.
 *
 * <p>Stateless; the built {@link QuorumTls} is immutable.
 */
final class QuorumSecurity {
    private QuorumSecurity() {
    }

    /**
     * The quorum's TLS, or empty for PLAINTEXT (and on a single-node cluster, which has no quorum traffic).
     *
     * @throws ConfigException naming the controller listener and the setting that is wrong
     */
    static Optional<QuorumTls> tls(ConfigValues values, NodeConfig node, AuthorizerConfig authorizer) {
        if (node.isSingleNode() || node.controllerSecurityProtocol() != SecurityProtocol.SSL) {
            return Optional.empty();
        }
        String listener = node.controllerListenerConfigName();
        try {
            TlsSettings settings = SecurityConfig.tlsSettings(values, listener);
            Optional<KeyManager[]> keys = JdkTlsMaterial.keyManagers(settings);
            if (node.isController() && keys.isEmpty()) {
                throw new IllegalArgumentException(SecurityConfig.SSL_KEYSTORE_LOCATION + ": a controller serves "
                        + "the quorum over TLS and needs its key store");
            }
            boolean verifyHostname = SecurityConfig.listenerString(values, listener,
                    SecurityConfig.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM).map(a -> a.equalsIgnoreCase("https"))
                    .orElse(false);
            X509TrustManager trust = JdkTlsMaterial.trustManager(settings, verifyHostname);
            boolean mutual = settings.clientAuth() == TlsSettings.ClientAuth.REQUIRED;
            Predicate<String> admits = authorizer.enabled()
                    ? superUser(SecurityConfig.principalMapper(values, listener), authorizer.superUsers())
                    : QuorumTls.ANY_TRUSTED_PEER;
            return Optional.of(new QuorumTls(keys, trust, mutual, settings.enabledProtocols(),
                    settings.cipherSuites(), admits));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("controller listener " + listener + ": " + e.getMessage());
        }
    }

    /** Admits a subject that {@code mapper} maps to a user among {@code superUsers}. */
    private static Predicate<String> superUser(SslPrincipalMapper mapper, Set<KafkaPrincipal> superUsers) {
        return subject -> mapper.map(subject)
                .map(name -> superUsers.contains(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, name)))
                .orElse(false);
    }
}
