package io.herald.metadata.quorum.raft;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS on the controller quorum's transport (Ratis over gRPC): every voter's server, the voters' connections to each
 * other, and every node's client of the leader (voters and observers alike) use it.
 *
 * <p>With {@code mutual}, each side presents its certificate and checks the other's against the trust manager (Kafka's
 * {@code ssl.client.auth=required} on the controller listener): only holders of a certificate the quorum trusts can
 * vote, replicate, append or follow the log. {@code admitsPeer} then decides on the connected peer's subject
 * (RFC 2253 distinguished name) for every call; a call it refuses fails with gRPC's PERMISSION_DENIED and is logged.
 *
 * @param keyManagers  this node's certificate and key: required on a voter (it serves TLS), and on every node when
 *                     {@code mutual}
 * @param trustManager what this node trusts in a peer's certificate chain (and, when the settings ask for it, the
 *                     host name check)
 * @param mutual       both sides present certificates
 * @param protocols    {@code ssl.enabled.protocols}; empty: the JDK's
 * @param cipherSuites {@code ssl.cipher.suites}; empty: the JDK's
 * @param admitsPeer   with {@code mutual}: whether a peer of this subject may call this node's server
 */
public record QuorumTls(Optional<KeyManager[]> keyManagers, X509TrustManager trustManager, boolean mutual,
                        List<String> protocols, List<String> cipherSuites, Predicate<String> admitsPeer) {

    /** Admits every peer whose certificate the trust manager accepts. */
    public static final Predicate<String> ANY_TRUSTED_PEER = subject -> true;

    public QuorumTls {
        Objects.requireNonNull(keyManagers, "keyManagers");
        Objects.requireNonNull(trustManager, "trustManager");
        Objects.requireNonNull(admitsPeer, "admitsPeer");
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
        if (mutual && keyManagers.isEmpty()) {
            throw new IllegalArgumentException("mutual TLS on the controller listener needs this node's key store "
                    + "(ssl.keystore.*): every node presents a certificate");
        }
    }
}
