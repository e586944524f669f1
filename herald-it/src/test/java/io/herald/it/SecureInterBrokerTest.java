package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.security.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
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
 */
@Tag("cluster")
class SecureInterBrokerTest {
    @TempDir
    Path workDir;

    @Test
    void brokersReplicateOverSaslSslAndClientsOfThatListenerSeeItsAddresses() throws Exception {
        TestCertificates pki = TestCertificates.create(workDir.resolve("pki"));
        TestCertificates.Identity broker = pki.server("broker");
        ClusterHarness.Builder builder = ClusterHarness.builder(workDir.resolve("cluster")).controllers(3)
                .extraListener("SECURE", "SASL_SSL")
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
        try (ClusterHarness cluster = builder.start()) {
            Map<String, Object> secure = new HashMap<>();
            secure.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.extraBootstrapServers());
            secure.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
            secure.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
            secure.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule "
                    + "required username=\"alice\" password=\"alice-secret\";");
            secure.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            secure.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, pki.caPem().toString());

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
        }
    }
}
