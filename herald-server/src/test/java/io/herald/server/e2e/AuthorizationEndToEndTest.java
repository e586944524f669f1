package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACLs as clients meet them, against a broker with the StandardAuthorizer semantics, {@code super.users=User:admin}
 * and no access without an ACL: alice may write {@code orders}, bob may read it in group {@code billing}; each is
 * refused the rest with Kafka's exceptions, Metadata hides the topics they may not describe, and kcat (librdkafka)
 * meets the same rules.
 */
class AuthorizationEndToEndTest {
    private static final Path KCAT = Path.of("/usr/bin/kcat");

    @TempDir
    static Path dir;
    private static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start(dir.resolve("broker"), Map.of(
                "listeners", "SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms", "PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain"
                        + ".PlainLoginModule required user_admin=\"admin-secret\" user_alice=\"alice-secret\" "
                        + "user_bob=\"bob-secret\";",
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users", "User:admin",
                "offsets.topic.replication.factor", "1"));
        try (Admin admin = Admin.create(client("admin"))) {
            admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1), new NewTopic("secret", 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            admin.createAcls(List.of(
                    allow("User:alice", ResourceType.TOPIC, "orders", AclOperation.WRITE),
                    allow("User:bob", ResourceType.TOPIC, "orders", AclOperation.READ),
                    allow("User:bob", ResourceType.GROUP, "billing", AclOperation.READ))).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static AclBinding allow(String principal, ResourceType type, String name, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }

    private static Map<String, Object> client(String user) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        config.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        config.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"" + user + "\" password=\"" + user + "-secret\";");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        return config;
    }

    private static KafkaProducer<String, String> producer(String user) {
        return broker.producer(client(user));
    }

    private static KafkaConsumer<String, String> consumer(String user, String group) {
        Map<String, Object> config = client(user);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        return broker.consumer(config);
    }

    @Test
    void aWriterMayProduceAndAReaderMayNot() throws Exception {
        producer("alice").send(new ProducerRecord<>("orders", "k", "from alice")).get(30, TimeUnit.SECONDS);

        // Without idempotence the produce itself is refused for the topic.
        Map<String, Object> plain = client("bob");
        plain.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        plain.put(ProducerConfig.ACKS_CONFIG, "1");
        assertThatThrownBy(() -> broker.producer(plain).send(new ProducerRecord<>("orders", "k", "from bob"))
                .get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TopicAuthorizationException.class);
        // An idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic (KIP-679) first.
        // The client fails the send, or (once in its error state) send itself, with that cause.
        assertThatThrownBy(() -> producer("bob").send(new ProducerRecord<>("orders", "k", "from bob"))
                .get(30, TimeUnit.SECONDS)).satisfies(e -> {
                    Throwable cause = e;
                    while (cause != null && !(cause instanceof ClusterAuthorizationException)) {
                        cause = cause.getCause();
                    }
                    assertThat(cause).as("cause chain of %s", e).isInstanceOf(ClusterAuthorizationException.class);
                });
    }

    @Test
    void aReaderReadsInItsGroupAndNotInAnother() throws Exception {
        producer("alice").send(new ProducerRecord<>("orders", "k", "to read")).get(30, TimeUnit.SECONDS);
        KafkaConsumer<String, String> bob = consumer("bob", "billing");
        bob.subscribe(List.of("orders"));
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!values.contains("to read") && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : bob.poll(Duration.ofMillis(200))) {
                values.add(record.value());
            }
        }
        assertThat(values).contains("to read");

        KafkaConsumer<String, String> elsewhere = consumer("bob", "not-billing");
        elsewhere.subscribe(List.of("orders"));
        assertThatThrownBy(() -> {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < until) {
                elsewhere.poll(Duration.ofMillis(200));
            }
        }).isInstanceOf(GroupAuthorizationException.class);
    }

    @Test
    void metadataHidesWhatThePrincipalMayNotDescribe() throws Exception {
        try (Admin bob = Admin.create(client("bob")); Admin admin = Admin.create(client("admin"))) {
            assertThat(bob.listTopics().names().get(30, TimeUnit.SECONDS)).containsExactly("orders");
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("orders", "secret");
            assertThatThrownBy(() -> bob.describeTopics(List.of("secret")).allTopicNames().get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void onlyTheSuperUserAdministers() throws Exception {
        try (Admin alice = Admin.create(client("alice"))) {
            assertThatThrownBy(() -> alice.createTopics(List.of(new NewTopic("mine", 1, (short) 1))).all()
                    .get(30, TimeUnit.SECONDS)).cause().isInstanceOf(TopicAuthorizationException.class);
            assertThatThrownBy(() -> alice.createAcls(List.of(allow("User:alice", ResourceType.TOPIC, "secret",
                    AclOperation.ALL))).all().get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(ClusterAuthorizationException.class);
        }
    }

    @Test
    void kcatMeetsTheSameRules() throws Exception {
        assumeTrue(Files.isExecutable(KCAT), "kcat is not installed");
        assertThat(kcat("alice", List.of("-P", "-t", "orders"), "via-kcat\n").exitCode).isZero();
        Kcat refused = kcat("bob", List.of("-P", "-t", "orders"), "nope\n");
        assertThat(refused.exitCode).as(refused.output).isNotZero();
        assertThat(refused.output).contains("Topic authorization failed");
        Kcat read = kcat("bob", List.of("-C", "-t", "orders", "-o", "beginning", "-e", "-q"), "");
        assertThat(read.exitCode).as(read.output).isZero();
        assertThat(read.output).contains("via-kcat");
    }

    private record Kcat(int exitCode, String output) {
    }

    private static Kcat kcat(String user, List<String> mode, String input) throws Exception {
        List<String> command = new ArrayList<>(List.of(KCAT.toString(), "-b", broker.bootstrap(),
                "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=PLAIN",
                "-X", "sasl.username=" + user, "-X", "sasl.password=" + user + "-secret"));
        command.addAll(mode);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = process.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = process.getInputStream().readAllBytes();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        return new Kcat(exited ? process.exitValue() : -1, new String(out, StandardCharsets.UTF_8));
    }
}
