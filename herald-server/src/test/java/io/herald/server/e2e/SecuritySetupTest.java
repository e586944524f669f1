package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.quorum.raft.QuorumTls;
import io.herald.server.config.HeraldConfig;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's security setup, as shipped in {@code config/security/}: {@code make-certs.sh} makes the TLS material,
 * {@code single-node.properties} starts a broker whose super user (from {@code admin.properties}) creates the SCRAM
 * user alice and her ACLs, and alice ({@code alice.properties}) produces and consumes exactly what they allow. The
 * three nodes of {@code cluster.properties} parse into one quorum on mutual TLS admitting the shipped certificate.
 */
class SecuritySetupTest {
    private static final Path HOME = herald();

    @TempDir
    static Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        Process script = new ProcessBuilder("bash", HOME.resolve("config/security/make-certs.sh").toString(),
                dir.resolve("tls").toString()).redirectErrorStream(true).start();
        String output = new String(script.getInputStream().readAllBytes());
        assertThat(script.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(script.exitValue()).as(output).isZero();
        for (String file : List.of("ca.pem", "ca.p12", "node.p12", "truststore.p12")) {
            assertThat(dir.resolve("tls").resolve(file)).isRegularFile();
        }
    }

    /** A shipped file's settings with its {@code ./tls/} paths pointing at the test's certificates. */
    private static Map<String, String> shipped(String file) throws Exception {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(HOME.resolve("config/security").resolve(file))) {
            properties.load(reader);
        }
        Map<String, String> values = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> values.put(name,
                properties.getProperty(name).replace("./tls/", dir.resolve("tls") + "/")));
        return values;
    }

    private static Map<String, Object> client(TestBroker broker, String file) throws Exception {
        Map<String, Object> config = new HashMap<>(shipped(file));
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        return config;
    }

    @Test
    void theSingleNodeSetupCreatesAScramUserWhoseAclsDecideWhatSheMayDo() throws Exception {
        Map<String, String> props = shipped("single-node.properties");
        props.put("listeners", "SASL_SSL://127.0.0.1:0");
        props.put("log.dirs", dir.resolve("single").toString());
        try (TestBroker broker = TestBroker.start(dir.resolve("single"), props);
             Admin admin = Admin.create(client(broker, "admin.properties"))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("alice",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), "alice-secret"))).all()
                    .get(30, TimeUnit.SECONDS);
            admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1), new NewTopic("payroll", 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            admin.createAcls(List.of(
                    acl(ResourceType.TOPIC, "orders", AclOperation.ALL),
                    acl(ResourceType.GROUP, "billing", AclOperation.READ))).all().get(30, TimeUnit.SECONDS);

            Map<String, Object> alice = client(broker, "alice.properties");
            try (var producer = broker.producer(alice)) {
                producer.send(new ProducerRecord<>("orders", "k", "order-1")).get(30, TimeUnit.SECONDS);
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("payroll", "k", "v"))
                        .get(30, TimeUnit.SECONDS)).cause().isInstanceOf(TopicAuthorizationException.class);
            }
            Map<String, Object> consumerConfig = new HashMap<>(alice);
            consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "billing");
            consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, String> consumer = broker.consumer(consumerConfig)) {
                consumer.subscribe(List.of("orders"));
                List<String> values = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (values.isEmpty() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                        values.add(record.value());
                    }
                }
                assertThat(values).containsExactly("order-1");
                consumer.commitSync();
            }
        }
    }

    private static AclBinding acl(ResourceType type, String name, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry("User:alice", "*", operation, AclPermissionType.ALLOW));
    }

    @Test
    void theClusterNodesFormOneQuorumOnMutualTlsThatAdmitsTheShippedCertificate() throws Exception {
        Map<Integer, QuorumTls> quorums = new HashMap<>();
        for (int id = 1; id <= 3; id++) {
            Map<String, String> props = shipped("cluster.properties");
            props.put("node.id", Integer.toString(id));
            props.put("listeners", "SECURE://127.0.0.1:" + id + "9092,CONTROLLER://127.0.0.1:" + id + "9093");
            props.put("log.dirs", dir.resolve("node" + id).toString());
            HeraldConfig config = HeraldConfig.parse(props);
            assertThat(config.node().quorumVoters().keySet()).containsExactly(1, 2, 3);
            assertThat(config.node().interBrokerListenerName()).contains("SECURE");
            quorums.put(id, config.quorumTls().orElseThrow());
        }
        for (QuorumTls tls : quorums.values()) {
            assertThat(tls.mutual()).isTrue();
            assertThat(tls.admitsPeer().test("CN=herald-node")).isTrue();
            assertThat(tls.admitsPeer().test("CN=someone-else")).isFalse();
        }
    }

    private static Path herald() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("config/security/make-certs.sh"))) {
                return d;
            }
        }
        throw new IllegalStateException("no config/security/make-certs.sh above " + Path.of("").toAbsolutePath());
    }
}
