package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.common.security.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's three client stacks against secured listeners, each with the settings it would use against Apache Kafka:
 * kafka-clients, kcat (librdkafka) and confluent-kafka for Python over SASL_SSL with SCRAM-SHA-512 and with PLAIN, and
 * over mutual TLS. The SCRAM user is created through AlterUserScramCredentials by an admin logged in with PLAIN; the
 * certificates come from a CA the test makes.
 */
class SecureClientsTest {
    private static final Path KCAT = Path.of("/usr/bin/kcat");
    private static final String ADMIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"admin\" password=\"admin-secret\";";

    @TempDir
    static Path dir;
    private static TestCertificates pki;
    private static TestBroker sasl;
    private static TestBroker mtls;
    private static TestCertificates.Identity client;

    @BeforeAll
    static void start() throws Exception {
        pki = TestCertificates.create(dir.resolve("pki"));
        TestCertificates.Identity server = pki.server("broker");
        client = pki.client("client", "CN=app-1,OU=apps,O=Herald Test");
        Map<String, String> tls = Map.of("ssl.keystore.type", "PKCS12",
                "ssl.keystore.location", server.keystore().toString(),
                "ssl.keystore.password", TestCertificates.PASSWORD);

        Map<String, String> saslProps = new HashMap<>(tls);
        saslProps.putAll(Map.of("listeners", "SASL_SSL://127.0.0.1:0",
                "sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN,OAUTHBEARER",
                "listener.name.sasl_ssl.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain"
                        + ".PlainLoginModule required user_admin=\"admin-secret\" user_bob=\"bob-secret\";"));
        sasl = TestBroker.start(dir.resolve("sasl"), saslProps);
        try (Admin admin = Admin.create(saslClient(Map.of(SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, ADMIN_JAAS)))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("alice",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), "alice-secret"))).all()
                    .get(30, TimeUnit.SECONDS);
        }

        Map<String, String> mtlsProps = new HashMap<>(tls);
        mtlsProps.putAll(Map.of("listeners", "SSL://127.0.0.1:0", "ssl.client.auth", "required",
                "ssl.truststore.type", "PEM", "ssl.truststore.location", pki.caPem().toString()));
        mtls = TestBroker.start(dir.resolve("mtls"), mtlsProps);
    }

    @AfterAll
    static void stop() {
        if (sasl != null) {
            sasl.close();
        }
        if (mtls != null) {
            mtls.close();
        }
    }

    private static Map<String, Object> saslClient(Map<String, Object> mechanism) {
        Map<String, Object> config = new HashMap<>(mechanism);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, sasl.bootstrap());
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        config.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        config.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, pki.caPem().toString());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        return config;
    }

    private static Map<String, Object> scram(String user, String password) {
        return saslClient(Map.of(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512", SaslConfigs.SASL_JAAS_CONFIG,
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                        + "\" password=\"" + password + "\";"));
    }

    private static Map<String, Object> mtlsClient(boolean withCertificate) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, mtls.bootstrap());
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        config.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        config.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, pki.caPem().toString());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        if (withCertificate) {
            config.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
            config.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, client.keystore().toString());
            config.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        }
        return config;
    }

    /** Produces {@code count} records and reads them back in a consumer group, all with {@code security}. */
    private static List<String> roundTrip(TestBroker broker, Map<String, Object> security, String topic, int count)
            throws Exception {
        var producer = broker.producer(security);
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, "k" + i, "java-" + i)).get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> consumerConfig = new HashMap<>(security);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "g-" + topic);
        KafkaConsumer<String, String> consumer = broker.consumer(consumerConfig);
        consumer.subscribe(List.of(topic));
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (values.size() < count && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                values.add(record.value());
            }
        }
        consumer.commitSync();
        return values;
    }

    @Test
    void javaClientsOverSaslSslWithScramSha512AndPlain() throws Exception {
        assertThat(roundTrip(sasl, scram("alice", "alice-secret"), "java-scram", 5))
                .containsExactly("java-0", "java-1", "java-2", "java-3", "java-4");
        assertThat(roundTrip(sasl, saslClient(Map.of(SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"bob\" password=\"bob-secret\";")), "java-plain", 3))
                .containsExactly("java-0", "java-1", "java-2");

        try (Admin wrong = Admin.create(scram("alice", "not-her-password"))) {
            assertThatThrownBy(() -> wrong.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("invalid credentials with SASL mechanism SCRAM-SHA-512");
        }
    }

    @Test
    void javaClientsOverMutualTls() throws Exception {
        assertThat(roundTrip(mtls, mtlsClient(true), "java-mtls", 3)).containsExactly("java-0", "java-1", "java-2");

        try (Admin anonymous = Admin.create(mtlsClient(false))) {
            assertThatThrownBy(() -> anonymous.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SslAuthenticationException.class);
        }
    }

    @Test
    void kcatOverSaslSslMutualTlsAndOAuthBearer() throws Exception {
        assumeTrue(Files.isExecutable(KCAT), "kcat is not installed");
        List<String> scram = List.of("-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512",
                "-X", "sasl.username=alice", "-X", "sasl.password=alice-secret", "-X",
                "ssl.ca.location=" + pki.caPem());
        List<String> plain = List.of("-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=PLAIN",
                "-X", "sasl.username=bob", "-X", "sasl.password=bob-secret", "-X", "ssl.ca.location=" + pki.caPem());
        List<String> certificate = List.of("-X", "security.protocol=SSL", "-X", "ssl.ca.location=" + pki.caPem(),
                "-X", "ssl.certificate.location=" + client.certificatePem(), "-X",
                "ssl.key.location=" + client.keyPem());

        assertThat(kcatRoundTrip(sasl, scram, "kcat-scram")).containsExactly("a", "b", "c");
        assertThat(kcatRoundTrip(sasl, plain, "kcat-plain")).containsExactly("a", "b", "c");
        assertThat(kcatRoundTrip(mtls, certificate, "kcat-mtls")).containsExactly("a", "b", "c");
        // OAUTHBEARER with librdkafka's own unsigned token (the listener runs Kafka's default validator).
        List<String> token = List.of("-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=OAUTHBEARER",
                "-X", "enable.sasl.oauthbearer.unsecure.jwt=true", "-X", "sasl.oauthbearer.config=principal=erin",
                "-X", "ssl.ca.location=" + pki.caPem());
        assertThat(kcatRoundTrip(sasl, token, "kcat-oauthbearer")).containsExactly("a", "b", "c");

        List<String> wrong = new ArrayList<>(scram);
        wrong.set(wrong.indexOf("sasl.password=alice-secret"), "sasl.password=wrong");
        KcatRun refused = kcat(sasl, wrong, List.of("-L"), "");
        assertThat(refused.exitCode()).as(refused.output()).isNotZero();
        assertThat(refused.output()).contains("Authentication failed");
    }

    private static List<String> kcatRoundTrip(TestBroker broker, List<String> security, String topic)
            throws Exception {
        KcatRun produced = kcat(broker, security, List.of("-P", "-t", topic), "a\nb\nc\n");
        assertThat(produced.exitCode()).as(produced.output()).isZero();
        KcatRun consumed = kcat(broker, security, List.of("-C", "-t", topic, "-o", "beginning", "-e", "-q"), "");
        assertThat(consumed.exitCode()).as(consumed.output()).isZero();
        return consumed.output().lines().filter(line -> !line.isBlank()).toList();
    }

    private record KcatRun(int exitCode, String output) {
    }

    private static KcatRun kcat(TestBroker broker, List<String> security, List<String> mode, String input)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(KCAT.toString(), "-b", broker.bootstrap()));
        command.addAll(security);
        command.addAll(mode);
        command.addAll(List.of("-X", "socket.timeout.ms=10000", "-m", "20"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = process.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = process.getInputStream().readAllBytes();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        return new KcatRun(exited ? process.exitValue() : -1, new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void confluentKafkaPythonOverSaslSslAndMutualTls() throws Exception {
        Optional<String> python = pythonWithConfluentKafka();
        assumeTrue(python.isPresent(), "no python3 imports confluent_kafka (apt-get install python3-confluent-kafka)");
        Path script = dir.resolve("confluent_secure.py");
        if (!Files.exists(script)) {
            try (InputStream in = SecureClientsTest.class.getResourceAsStream("/clients/confluent_secure.py")) {
                Files.copy(in, script);
            }
        }
        String scram = "{\"security.protocol\": \"SASL_SSL\", \"sasl.mechanisms\": \"SCRAM-SHA-512\", "
                + "\"sasl.username\": \"alice\", \"sasl.password\": \"alice-secret\", \"ssl.ca.location\": \""
                + pki.caPem() + "\"}";
        String certificate = "{\"security.protocol\": \"SSL\", \"ssl.ca.location\": \"" + pki.caPem()
                + "\", \"ssl.certificate.location\": \"" + client.certificatePem() + "\", \"ssl.key.location\": \""
                + client.keyPem() + "\"}";

        assertThat(runPython(python.get(), script, sasl, "py-scram", scram))
                .contains("\"delivered\": 4").contains("[\"py-0\", \"py-1\", \"py-2\", \"py-3\"]");
        assertThat(runPython(python.get(), script, mtls, "py-mtls", certificate))
                .contains("\"delivered\": 4").contains("[\"py-0\", \"py-1\", \"py-2\", \"py-3\"]");
    }

    private static String runPython(String python, Path script, TestBroker broker, String topic, String security)
            throws Exception {
        Path out = dir.resolve(topic + ".out");
        Path err = dir.resolve(topic + ".err");
        Process process = new ProcessBuilder(python, script.toString(), broker.bootstrap(), topic, "4", security)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("finished; stderr: %s", Files.readString(err))
                    .isTrue();
        } finally {
            process.destroyForcibly();
        }
        assertThat(process.exitValue()).as("exit code; stdout %s stderr %s", Files.readString(out),
                Files.readString(err)).isZero();
        return Files.readString(out);
    }

    /** The first python3 that imports confluent_kafka: Debian's package installs it for /usr/bin/python3. */
    private static Optional<String> pythonWithConfluentKafka() throws InterruptedException {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import confluent_kafka").redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return Optional.of(candidate);
                }
                p.destroyForcibly();
            } catch (IOException notThere) {
                // try the next
            }
        }
        return Optional.empty();
    }
}
