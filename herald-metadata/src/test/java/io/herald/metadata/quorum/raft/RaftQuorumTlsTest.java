package io.herald.metadata.quorum.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.security.TestCertificates;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller quorum over mutual TLS: three voters and an observer holding certificates of the quorum's CA form
 * the quorum and replicate; a node with a certificate of another CA, a trusted certificate whose subject the quorum
 * does not admit, or no TLS at all reaches nothing, and the quorum's state does not change.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RaftQuorumTlsTest {
    /** The voters admit peers whose certificate names the controllers' host. */
    private static final Predicate<String> CONTROLLERS = subject -> subject.startsWith("CN=localhost,");
    private static final Duration REFUSED_TIMEOUT = Duration.ofSeconds(3);

    @TempDir
    static Path pkiDir;
    @TempDir
    Path tmp;

    private static TestCertificates quorumCa;
    private static TestCertificates otherCa;
    private QuorumCluster cluster;
    private final List<AutoCloseable> outsiders = new ArrayList<>();

    @BeforeAll
    static void pki() {
        quorumCa = TestCertificates.create(pkiDir.resolve("quorum"));
        otherCa = TestCertificates.create(pkiDir.resolve("other"));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable outsider : outsiders) {
            outsider.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void votersAndAnObserverWithTrustedCertificatesFormTheQuorumAndReplicate() throws Exception {
        cluster = new QuorumCluster(3, tmp, tlsSettings(quorumCa, quorumCa.server("controller"))).startAll();
        int leader = cluster.awaitLeader();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String entry = "e" + i;
            assertThat(cluster.append(leader, entry)).startsWith(entry + "@");
            expected.add(entry);
        }
        ToyMachine observer = cluster.startObserver(4);
        assertThat(observer.state()).isEqualTo(expected);
        assertThat(cluster.append(4, "via-observer")).endsWith(" by " + leader);
        expected.add("via-observer");
        cluster.awaitStates(expected);
    }

    @Test
    void nodesWithoutAnAdmittedTrustedCertificateReachNothing() throws Exception {
        cluster = new QuorumCluster(3, tmp, tlsSettings(quorumCa, quorumCa.server("controller"))).startAll();
        int leader = cluster.awaitLeader();
        cluster.append(leader, "before");
        List<String> before = cluster.machine(leader).state();

        RaftQuorumSettings quick = RaftQuorumSettings.DEFAULTS.withNoLeaderTimeout(REFUSED_TIMEOUT);
        // A certificate the quorum's trust store does not know; it trusts the quorum, so only the server refuses.
        RaftQuorumSettings foreign = quick.withTls(tls(otherCa.server("foreign"), quorumCa, true));
        // The quorum's CA signed it, but its subject is not a controller's.
        RaftQuorumSettings intruder = quick.withTls(tls(quorumCa.client("intruder", "CN=intruder,O=Herald Test"),
                quorumCa, true));
        for (RaftQuorumSettings outsider : List.of(foreign, intruder, quick)) {
            ObserverMetadataQuorum observer = new ObserverMetadataQuorum(9, cluster.voters(), outsider);
            outsiders.add(observer);
            ToyMachine machine = new ToyMachine(9);
            observer.start(machine); // returns after the no-leader timeout: nobody answered
            assertThat(machine.state()).as("nothing of the log reached it").isEmpty();
            assertThatThrownBy(() -> observer.append("forged".getBytes(StandardCharsets.UTF_8))
                    .get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
        assertThat(cluster.machine(leader).state()).isEqualTo(before);
    }

    private static RaftQuorumSettings tlsSettings(TestCertificates ca, TestCertificates.Identity identity)
            throws Exception {
        return RaftQuorumSettings.DEFAULTS.withTls(tls(identity, ca, true));
    }

    private static QuorumTls tls(TestCertificates.Identity identity, TestCertificates trusted, boolean mutual)
            throws Exception {
        KeyStore keys = load(identity.keystore());
        KeyManagerFactory keyFactory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyFactory.init(keys, TestCertificates.PASSWORD.toCharArray());
        TrustManagerFactory trustFactory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustFactory.init(load(trusted.truststore()));
        return new QuorumTls(Optional.<KeyManager[]>of(keyFactory.getKeyManagers()),
                (X509TrustManager) trustFactory.getTrustManagers()[0], mutual, List.of(), List.of(), CONTROLLERS);
    }

    private static KeyStore load(Path path) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        return store;
    }
}
