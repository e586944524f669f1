package io.herald.protocol.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.security.ScramAlgorithm;
import io.herald.common.security.TestCertificates;
import io.herald.protocol.ApiRegistry;
import io.herald.protocol.Frames;
import io.herald.protocol.KafkaServer;
import io.herald.protocol.ListenerConfig;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.ServerConfig;
import io.herald.protocol.VersionRange;
import io.herald.common.security.ScramCredential;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client-visible behaviour of TLS and SASL listeners, with kafka-clients' Admin as the client: one server with
 * an mTLS listener, a SASL_SSL listener (PLAIN and SCRAM-SHA-256) and a SASL_PLAINTEXT one (SCRAM-SHA-512). Its only
 * API besides the built-in ones is a Metadata handler that reports the request's principal as the cluster id, so
 * {@code describeCluster().clusterId()} says whom the broker authenticated.
 */
class SecureListenersTest {
    @TempDir
    static Path dir;

    private static TestCertificates pki;
    private static KafkaServer server;
    private static final Map<String, ScramCredential> SCRAM_USERS = new HashMap<>();
    private static final AtomicInteger SCRAM_LOOKUPS = new AtomicInteger();
    private static final AtomicInteger CONNECTIONS_CLOSED = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        pki = TestCertificates.create(dir.resolve("pki"));
        TestCertificates.Identity broker = pki.server("broker");
        addScramUser("carol", "carol-secret", ScramAlgorithm.SHA_256);
        addScramUser("dave", "dave-secret", ScramAlgorithm.SHA_512);
        ScramCredentialStore store = (user, algorithm) -> {
            SCRAM_LOOKUPS.incrementAndGet();
            return Optional.ofNullable(SCRAM_USERS.get(algorithm.mechanismName() + "/" + user));
        };

        TlsSettings mtls = tls(broker, TlsSettings.ClientAuth.REQUIRED);
        TlsSettings serverOnly = tls(broker, TlsSettings.ClientAuth.NONE);
        ListenerConfig ssl = new ListenerConfig("SSL", "127.0.0.1", 0, new ListenerSecurity(
                org.apache.kafka.common.security.auth.SecurityProtocol.SSL, Optional.of(TlsContexts.server(mtls)),
                Optional.empty(), SslPrincipalMapper.parse("RULE:^CN=([^,]+),OU=clients.*$/$1/L,DEFAULT")));
        ListenerConfig saslSsl = new ListenerConfig("SASL_SSL", "127.0.0.1", 0, new ListenerSecurity(
                org.apache.kafka.common.security.auth.SecurityProtocol.SASL_SSL,
                Optional.of(TlsContexts.server(serverOnly)), Optional.of(new SaslSettings(List.of(
                        new PlainMechanism(Map.of("bob", "bob-secret")),
                        new ScramMechanism(ScramAlgorithm.SHA_256, store)), 4096, 0)),
                SslPrincipalMapper.DEFAULT));
        ListenerConfig saslPlaintext = new ListenerConfig("SASL_PLAINTEXT", "127.0.0.1", 0, new ListenerSecurity(
                org.apache.kafka.common.security.auth.SecurityProtocol.SASL_PLAINTEXT, Optional.empty(),
                Optional.of(new SaslSettings(List.of(new ScramMechanism(ScramAlgorithm.SHA_512, store)), 4096,
                        1_500)), SslPrincipalMapper.DEFAULT));

        List<ListenerConfig> listeners = new java.util.ArrayList<>(List.of(ssl, saslSsl, saslPlaintext));
        if (io.netty.handler.ssl.OpenSsl.isAvailable()) {
            TlsSettings openssl = new TlsSettings("PKCS12", Optional.of(broker.keystore().toString()),
                    Optional.of(TestCertificates.PASSWORD), Optional.empty(), Optional.empty(), Optional.empty(),
                    "PKCS12", Optional.of(pki.truststore().toString()), Optional.of(TestCertificates.PASSWORD),
                    Optional.empty(), TlsSettings.ClientAuth.REQUIRED, List.of(), List.of(), "openssl");
            listeners.add(new ListenerConfig("OPENSSL", "127.0.0.1", 0, new ListenerSecurity(
                    org.apache.kafka.common.security.auth.SecurityProtocol.SSL,
                    Optional.of(TlsContexts.server(openssl)), Optional.empty(), SslPrincipalMapper.DEFAULT)));
        }
        KafkaServer[] self = new KafkaServer[1];
        ApiRegistry registry = new ApiRegistry().onConnectionClosed(address -> CONNECTIONS_CLOSED.incrementAndGet())
                .register(new ServedApi(ApiKeys.METADATA, VersionRange.of(4, 12),
                request -> CompletableFuture.completedFuture(new Response.Send(new MetadataResponseData()
                        .setClusterId(request.connection().principal().getName()).setControllerId(1)
                        .setBrokers(new MetadataResponseData.MetadataResponseBrokerCollection(List.of(
                                new MetadataResponseData.MetadataResponseBroker().setNodeId(1).setHost("127.0.0.1")
                                        .setPort(self[0].boundPort(request.connection().listenerName())))
                                .iterator()))))));
        server = new KafkaServer(new ServerConfig(listeners, 1, 1 << 20, 60_000), registry);
        self[0] = server;
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void addScramUser(String user, String password, ScramAlgorithm algorithm) {
        byte[] salt = ("salt-of-" + user).getBytes(StandardCharsets.UTF_8);
        byte[] salted = algorithm.saltedPassword(password.getBytes(StandardCharsets.UTF_8), salt, 4096);
        SCRAM_USERS.put(algorithm.mechanismName() + "/" + user, new ScramCredential(salt,
                algorithm.storedKey(salted), algorithm.serverKey(salted), 4096));
    }

    private static TlsSettings tls(TestCertificates.Identity identity, TlsSettings.ClientAuth clientAuth) {
        return new TlsSettings("PKCS12", Optional.of(identity.keystore().toString()),
                Optional.of(TestCertificates.PASSWORD), Optional.empty(), Optional.empty(), Optional.empty(),
                "PKCS12", Optional.of(pki.truststore().toString()), Optional.of(TestCertificates.PASSWORD),
                Optional.empty(), clientAuth, List.of(), List.of(), "jdk");
    }

    /** The principal the broker saw, as the cluster id of describeCluster. */
    private static String principalSeenBy(Map<String, Object> config) throws Exception {
        Map<String, Object> all = new HashMap<>(config);
        all.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        all.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        all.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        try (Admin admin = Admin.create(all)) {
            return admin.describeCluster().clusterId().get(15, TimeUnit.SECONDS);
        }
    }

    private static Map<String, Object> trusting(String listener) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + server.boundPort(listener));
        config.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        config.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, pki.caPem().toString());
        return config;
    }

    private static Map<String, Object> sasl(String listener, String protocol, String mechanism, String jaas) {
        Map<String, Object> config = trusting(listener);
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
        config.put(SaslConfigs.SASL_MECHANISM, mechanism);
        config.put(SaslConfigs.SASL_JAAS_CONFIG, jaas);
        return config;
    }

    private static String plainJaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static String scramJaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    @Test
    void mutualTlsAuthenticatesTheCertificateMappedByTheRules() throws Exception {
        TestCertificates.Identity alice = pki.client("alice", "CN=Alice,OU=clients,O=Herald Test");
        Map<String, Object> config = trusting("SSL");
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        config.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
        config.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, alice.keystore().toString());
        config.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);

        assertThat(principalSeenBy(config)).isEqualTo("alice");

        // A subject no RULE matches falls through to DEFAULT: the whole name.
        TestCertificates.Identity service = pki.client("service", "CN=billing,OU=services,O=Herald Test");
        config.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, service.keystore().toString());
        assertThat(principalSeenBy(config)).isEqualTo("CN=billing,OU=services,O=Herald Test");
    }

    /** herald.ssl.provider=openssl: Netty's BoringSSL engine (netty-tcnative) serves the same clients. */
    @Test
    void theOpenSslEngineServesMutualTlsToo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.netty.handler.ssl.OpenSsl.isAvailable(),
                "netty-tcnative is not available on this platform");
        TestCertificates.Identity carl = pki.client("carl", "CN=carl,OU=clients,O=Herald Test");
        Map<String, Object> config = trusting("OPENSSL");
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        config.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
        config.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, carl.keystore().toString());
        config.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);

        assertThat(principalSeenBy(config)).isEqualTo("CN=carl,OU=clients,O=Herald Test");
    }

    @Test
    void mutualTlsRefusesAClientWithoutACertificate() {
        Map<String, Object> config = trusting("SSL");
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");

        assertThatThrownBy(() -> principalSeenBy(config)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SslAuthenticationException.class);
    }

    @Test
    void saslSslWithPlainAuthenticatesTheUserAndRefusesAWrongPassword() throws Exception {
        assertThat(principalSeenBy(sasl("SASL_SSL", "SASL_SSL", "PLAIN", plainJaas("bob", "bob-secret"))))
                .isEqualTo("bob");

        assertThatThrownBy(() -> principalSeenBy(sasl("SASL_SSL", "SASL_SSL", "PLAIN",
                plainJaas("bob", "wrong")))).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("Authentication failed: Invalid username or password");
    }

    @Test
    void saslSslWithScramSha256AuthenticatesTheUserAndRefusesAWrongPasswordOrUnknownUser() throws Exception {
        assertThat(principalSeenBy(sasl("SASL_SSL", "SASL_SSL", "SCRAM-SHA-256",
                scramJaas("carol", "carol-secret")))).isEqualTo("carol");

        for (String[] wrong : new String[][] {{"carol", "wrong"}, {"nobody", "carol-secret"}}) {
            assertThatThrownBy(() -> principalSeenBy(sasl("SASL_SSL", "SASL_SSL", "SCRAM-SHA-256",
                    scramJaas(wrong[0], wrong[1])))).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("invalid credentials with SASL mechanism SCRAM-SHA-256");
        }
    }

    @Test
    void aMechanismTheListenerDoesNotEnableIsRefused() {
        assertThatThrownBy(() -> principalSeenBy(sasl("SASL_SSL", "SASL_SSL", "SCRAM-SHA-512",
                scramJaas("dave", "dave-secret")))).isInstanceOf(ExecutionException.class)
                .cause().hasMessageContaining("SCRAM-SHA-512");
    }

    @Test
    void saslPlaintextWithScramSha512ReauthenticatesWhenTheSessionExpires() throws Exception {
        Map<String, Object> config = sasl("SASL_PLAINTEXT", "SASL_PLAINTEXT", "SCRAM-SHA-512",
                scramJaas("dave", "dave-secret"));
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        try (Admin admin = Admin.create(config)) {
            assertThat(admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS)).isEqualTo("dave");
            int lookupsBefore = SCRAM_LOOKUPS.get();
            int closedBefore = CONNECTIONS_CLOSED.get();
            // Sessions last 1.5 s: the client re-authenticates on its connections (KIP-368) and keeps being served
            // on them, so the broker sees new SCRAM exchanges but no connection closes.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            int calls = 0;
            while (System.nanoTime() - end < 0) {
                assertThat(admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS)).isEqualTo("dave");
                calls++;
                Thread.sleep(200);
            }
            assertThat(calls).isGreaterThan(5);
            assertThat(SCRAM_LOOKUPS.get() - lookupsBefore).as("re-authentications").isGreaterThanOrEqualTo(2);
            assertThat(CONNECTIONS_CLOSED.get() - closedBefore).as("connections closed").isZero();
        }
    }

    @Test
    void aRequestBeforeAuthenticationClosesTheConnectionAndOthersAreStillServed() throws Exception {
        RequestHeader header = new RequestHeader(ApiKeys.METADATA, (short) 12, "raw", 1);
        ByteBuffer payload = new MetadataRequest(new MetadataRequestData(), (short) 12).serializeWithHeader(header);
        assertThat(closedAfterSending(Frames.prefixed(payload))).isTrue();

        // A frame above sasl.server.max.receive.size (4 KiB here) before authentication closes it too.
        byte[] big = new byte[8 + 8192];
        ByteBuffer.wrap(big).putInt(8192 + 4).putShort(ApiKeys.SASL_AUTHENTICATE.id).putShort((short) 2);
        assertThat(closedAfterSending(big)).isTrue();

        assertThat(principalSeenBy(sasl("SASL_PLAINTEXT", "SASL_PLAINTEXT", "SCRAM-SHA-512",
                scramJaas("dave", "dave-secret")))).isEqualTo("dave");
    }

    @Test
    void halfOpenTlsHandshakesAndGarbageDoNotStopTheListenerServingAuthenticatedClients() throws Exception {
        int port = server.boundPort("SASL_SSL");
        List<Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                stalled.add(socket);
                if (i % 2 == 0) {
                    // A TLS handshake record header announcing 512 bytes, followed by only 5 of them.
                    socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc,
                        0x03});
                    socket.getOutputStream().flush();
                }
            }
            // Plaintext Kafka bytes on the TLS port are not a TLS record: the connection is closed.
            try (Socket garbage = new Socket("127.0.0.1", port)) {
                garbage.setSoTimeout(10_000);
                garbage.getOutputStream().write(Frames.prefixed(new MetadataRequest(new MetadataRequestData(),
                        (short) 12).serializeWithHeader(new RequestHeader(ApiKeys.METADATA, (short) 12, "raw", 1))));
                garbage.getOutputStream().flush();
                assertThat(readsToEndWithoutAnAnswer(garbage)).isTrue();
            }

            assertThat(principalSeenBy(sasl("SASL_SSL", "SASL_SSL", "PLAIN", plainJaas("bob", "bob-secret"))))
                    .isEqualTo("bob");
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    /**
     * Memory under abuse: 100 half-open TLS handshakes, 100 unauthenticated frames stalled one byte short of the
     * 4 KiB cap, 100 idle connections, and 100 connections that announce a 1 GiB frame and push 256 KiB after it.
     * The broker closes the oversized ones at their header and holds at most a partial frame or TLS record for each
     * of the others, so the buffers it allocates stay within 32 KiB per connection (the 256 KiB pushed by each
     * oversized one, 25 MiB together, would break that 12.5 MiB bound if it were kept); authenticated clients are
     * served.
     */
    @Test
    void memoryUnderAbuseStaysBoundedPerConnection() throws Exception {
        ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        long before = metric.usedDirectMemory() + metric.usedHeapMemory();
        int perKind = 100;
        int closedBefore = CONNECTIONS_CLOSED.get();
        List<Socket> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < perKind; i++) {
                Socket tls = new Socket("127.0.0.1", server.boundPort("SASL_SSL"));
                held.add(tls);
                tls.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc});
                Socket partial = new Socket("127.0.0.1", server.boundPort("SASL_PLAINTEXT"));
                held.add(partial);
                byte[] frame = new byte[4 + 4000 - 1];
                ByteBuffer.wrap(frame).putInt(4000).putShort(ApiKeys.SASL_HANDSHAKE.id).putShort((short) 1);
                partial.getOutputStream().write(frame);
                held.add(new Socket("127.0.0.1", server.boundPort("SASL_PLAINTEXT")));
            }
            byte[] flood = new byte[256 * 1024];
            ByteBuffer.wrap(flood).putInt(1 << 30).putShort(ApiKeys.SASL_HANDSHAKE.id).putShort((short) 1);
            for (int i = 0; i < perKind; i++) {
                try (Socket oversized = new Socket("127.0.0.1", server.boundPort("SASL_PLAINTEXT"))) {
                    oversized.getOutputStream().write(flood);
                } catch (SocketException closedWhileWriting) {
                    // the broker closed it at the header, as it should
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (CONNECTIONS_CLOSED.get() - closedBefore < perKind && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(CONNECTIONS_CLOSED.get() - closedBefore).as("oversized connections closed")
                    .isGreaterThanOrEqualTo(perKind);
            long during = metric.usedDirectMemory() + metric.usedHeapMemory();
            int connections = held.size() + perKind;
            System.out.printf("memory under abuse: %d connections, allocator use %d KiB before, %d KiB during "
                    + "(%.1f KiB per connection)%n", connections, before >> 10, during >> 10,
                    (during - before) / 1024.0 / connections);
            assertThat(during - before).as("buffers held for %d abusive connections", connections)
                    .isLessThanOrEqualTo(connections * 32L * 1024);

            assertThat(principalSeenBy(sasl("SASL_SSL", "SASL_SSL", "PLAIN", plainJaas("bob", "bob-secret"))))
                    .isEqualTo("bob");
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    /** Whether the peer closes {@code socket} without sending a Kafka response (TLS alerts are not responses). */
    private static boolean readsToEndWithoutAnAnswer(Socket socket) throws IOException {
        try {
            byte[] buffer = new byte[256];
            int total = 0;
            for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                total += n;
                if (total > 64) {
                    return false;
                }
            }
            return true;
        } catch (SocketException e) {
            return true;
        }
    }

    /** Whether the SASL_PLAINTEXT listener closes the connection after {@code bytes}, without an answer. */
    private static boolean closedAfterSending(byte[] bytes) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.boundPort("SASL_PLAINTEXT"))) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            try {
                new DataInputStream(socket.getInputStream()).readInt();
                return false;
            } catch (EOFException | SocketException e) {
                return true;
            }
        }
    }
}
