package io.herald.it;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-node cluster whose brokers replicate to each other over a SASL_SSL listener (PLAIN, with the brokers' own
 * user from the listener's JAAS config), as a Kafka cluster with {@code inter.broker.listener.name} on a secured
 * listener does: a client on that listener produces with acks=all to a topic of replication factor 3 and reads
 * back every record, and every replica stays in the ISR, which only replica fetchers that authenticated can do.
 * The controller quorum runs over mutual TLS ({@code CONTROLLER:SSL} with {@code ssl.client.auth=required}), so
 * elections, metadata replication and the failover's leader change all pass through it.
 */
@Tag("cluster")
class SecureInterBrokerTest {
    @TempDir
    Path workDir;

    /**
     * Three nodes whose SECURE listener (SASL_SSL: PLAIN and SCRAM-SHA-512) is the inter-broker one and whose
     * controller listener is mutual TLS. The harness keeps a PLAINTEXT listener for its own probes.
     */
    private static ClusterHarness.Builder secureCluster(Path dir, TestCertificates pki) throws Exception {
        TestCertificates.Identity broker = pki.server("broker");
        return ClusterHarness.builder(dir).controllers(3)
                .extraListener("SECURE", "SASL_SSL")
                .override("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SSL,SECURE:SASL_SSL")
                .override("listener.name.controller.ssl.client.auth", "required")
                .override("inter.broker.listener.name", "SECURE")
                .override("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512")
                .override("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .override("listener.name.secure.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain"
                        + ".PlainLoginModule required username=\"broker\" password=\"broker-secret\" "
                        + "user_broker=\"broker-secret\" user_alice=\"alice-secret\";")
                .override("ssl.keystore.type", "PKCS12")
                .override("ssl.keystore.location", broker.keystore().toString())
                .override("ssl.keystore.password", TestCertificates.PASSWORD)
                .override("ssl.truststore.type", "PKCS12")
                .override("ssl.truststore.location", pki.truststore().toString())
                .override("ssl.truststore.password", TestCertificates.PASSWORD)
                .override("offsets.topic.replication.factor", "3");
    }

    /** A client of the SECURE listener logging in with {@code mechanism} ({@code jaas} its login module line). */
    private static Map<String, Object> secureClient(ClusterHarness cluster, TestCertificates pki, String mechanism,
                                                    String jaas) {
        Map<String, Object> secure = new HashMap<>();
        secure.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.extraBootstrapServers());
        secure.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        secure.put(SaslConfigs.SASL_MECHANISM, mechanism);
        secure.put(SaslConfigs.SASL_JAAS_CONFIG, jaas);
        secure.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        secure.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, pki.caPem().toString());
        return secure;
    }

    private static final String ALICE_PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"alice\" password=\"alice-secret\";";

    @Test
    void brokersReplicateOverSaslSslAndClientsOfThatListenerSeeItsAddresses() throws Exception {
        TestCertificates pki = TestCertificates.create(workDir.resolve("pki"));
        try (ClusterHarness cluster = secureCluster(workDir.resolve("cluster"), pki).start()) {
            Map<String, Object> secure = secureClient(cluster, pki, "PLAIN", ALICE_PLAIN);

            Map<String, Object> adminConfig = new HashMap<>(secure);
            adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
            try (Admin admin = Admin.create(adminConfig)) {
                Set<Integer> securePorts = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream()
                        .map(Node::port).collect(Collectors.toSet());
                Set<Integer> expected = java.util.Arrays.stream(cluster.extraBootstrapServers().split(","))
                        .map(hostPort -> Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1)))
                        .collect(Collectors.toSet());
                assertThat(securePorts).as("brokers as the SECURE listener's clients see them").isEqualTo(expected);

                admin.createTopics(List.of(new NewTopic("replicated", 3, (short) 3)
                        .configs(Map.of("min.insync.replicas", "3")))).all().get(30, TimeUnit.SECONDS);

                Map<String, Object> producerConfig = new HashMap<>(secure);
                producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
                producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
                producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
                producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
                    for (int i = 0; i < 60; i++) {
                        // min.insync.replicas=3: every ack needs both followers to have fetched over SASL_SSL.
                        producer.send(new ProducerRecord<>("replicated", "k" + i, "v" + i)).get(60, TimeUnit.SECONDS);
                    }
                }

                Map<String, Object> consumerConfig = new HashMap<>(secure);
                consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "secure-readers");
                consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
                consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
                List<String> values = new ArrayList<>();
                try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
                    consumer.subscribe(List.of("replicated"));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (values.size() < 60 && System.nanoTime() < deadline) {
                        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(250))) {
                            values.add(record.value());
                        }
                    }
                }
                assertThat(values).hasSize(60);

                TopicDescription topic = admin.describeTopics(List.of("replicated")).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get("replicated");
                for (TopicPartitionInfo partition : topic.partitions()) {
                    assertThat(partition.isr()).as("ISR of partition %d", partition.partition()).hasSize(3);
                }
            }
            // The controller port speaks TLS and wants a certificate: with one the handshake completes, without
            // one the controller closes the connection before anything is read.
            ClusterNode controller = cluster.node(1);
            int port = controller.controllerPort().orElseThrow();
            try (SSLSocket socket = tlsSocket(pki, true, controller.host(), port)) {
                socket.startHandshake();
                assertThat(socket.getSession().getPeerPrincipal().getName()).startsWith("CN=localhost");
            }
            try (SSLSocket socket = tlsSocket(pki, false, controller.host(), port)) {
                assertThatThrownBy(() -> {
                    socket.startHandshake();
                    socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    if (socket.getInputStream().read() < 0) {
                        throw new java.io.EOFException("closed by the controller");
                    }
                }).isInstanceOf(java.io.IOException.class);
            }
        }
    }

    /** A TLS client trusting the test CA, presenting the broker's certificate when {@code withCertificate}. */
    private static SSLSocket tlsSocket(TestCertificates pki, boolean withCertificate, String host, int port)
            throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pki.truststore())) {
            trust.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        TrustManagerFactory trustFactory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustFactory.init(trust);
        KeyManager[] keys = null;
        if (withCertificate) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(pki.server("probe").keystore())) {
                store.load(in, TestCertificates.PASSWORD.toCharArray());
            }
            KeyManagerFactory keyFactory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyFactory.init(store, TestCertificates.PASSWORD.toCharArray());
            keys = keyFactory.getKeyManagers();
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, trustFactory.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port);
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"});
        socket.setSSLParameters(parameters);
        return socket;
    }

    /**
     * kill -9 of a partition leader while a SCRAM-SHA-512 client produces with acks=all over SASL_SSL: the producer
     * carries on against the new leader, the killed broker comes back and rejoins the ISR by fetching over SASL_SSL
     * again, and a consumer reads every acknowledged record exactly once.
     */
    @Test
    void aLeaderKilledMidStreamFailsOverAndRejoinsTheIsrOverSaslSsl() throws Exception {
        TestCertificates pki = TestCertificates.create(workDir.resolve("pki"));
        try (ClusterHarness cluster = secureCluster(workDir.resolve("cluster"), pki).start()) {
            Map<String, Object> adminConfig = new HashMap<>(secureClient(cluster, pki, "PLAIN", ALICE_PLAIN));
            adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
            try (Admin admin = Admin.create(adminConfig)) {
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("carol",
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), "carol-secret")))
                        .all().get(30, TimeUnit.SECONDS);
                admin.createTopics(List.of(new NewTopic("failover", 1, (short) 3)
                        .configs(Map.of("min.insync.replicas", "2")))).all().get(30, TimeUnit.SECONDS);

                Map<String, Object> carol = secureClient(cluster, pki, "SCRAM-SHA-512",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"carol\" "
                                + "password=\"carol-secret\";");
                Map<String, Object> producerConfig = new HashMap<>(carol);
                producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
                producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
                producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
                producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 90_000);
                producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
                int leader;
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
                    for (int i = 0; i < 50; i++) {
                        producer.send(new ProducerRecord<>("failover", "k", "v" + i)).get(60, TimeUnit.SECONDS);
                    }
                    leader = partition0(admin).leader().id();
                    cluster.node(leader).kill9();
                    for (int i = 50; i < 100; i++) {
                        producer.send(new ProducerRecord<>("failover", "k", "v" + i)).get(90, TimeUnit.SECONDS);
                    }
                    assertThat(partition0(admin).leader().id()).as("the leader after kill -9 of %d", leader)
                            .isNotEqualTo(leader);
                }

                cluster.restart(leader, Duration.ofSeconds(90));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (partition0(admin).isr().size() < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertThat(partition0(admin).isr()).as("ISR after broker %d came back", leader).hasSize(3);

                Map<String, Object> consumerConfig = new HashMap<>(carol);
                consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "failover-readers");
                consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
                consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
                List<String> values = new ArrayList<>();
                try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
                    consumer.subscribe(List.of("failover"));
                    long readDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (values.size() < 100 && System.nanoTime() < readDeadline) {
                        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(250))) {
                            values.add(record.value());
                        }
                    }
                }
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    expected.add("v" + i);
                }
                assertThat(values).containsExactlyElementsOf(expected);
            }
        }
    }

    private static TopicPartitionInfo partition0(Admin admin) throws Exception {
        return admin.describeTopics(List.of("failover")).allTopicNames().get(30, TimeUnit.SECONDS).get("failover")
                .partitions().getFirst();
    }
}
