package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker with two client listeners, each on its own ephemeral port: stock clients bootstrapped on either one are
 * told that listener's port (DescribeCluster, Metadata, FindCoordinator), not the other's, and produce and consume
 * there, also after a restart that binds new ports.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MultipleListenersTest {
    private static final String TOPIC = "both-listeners";
    private static final List<String> LISTENERS = List.of("PLAINTEXT", "OTHER");

    @TempDir
    Path dir;
    TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir, Map.of("listeners", "PLAINTEXT://127.0.0.1:0,OTHER://127.0.0.1:0",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT"));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private String bootstrap(String listener) {
        return "127.0.0.1:" + broker.broker().boundPort(listener);
    }

    private Admin admin(String listener) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(listener),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
    }

    /**
     * On {@code listener}: the cluster's one node is at that listener's port, a record produced there is read back
     * with the others, and a group's coordinator is found at that port too.
     */
    private void assertServedOn(String listener, String value, List<String> expected) throws Exception {
        int port = broker.broker().boundPort(listener);
        try (Admin admin = admin(listener)) {
            Collection<Node> nodes = admin.describeCluster().nodes().get(20, TimeUnit.SECONDS);
            assertThat(nodes).as("nodes seen on %s", listener).singleElement().satisfies(n -> {
                assertThat(n.host()).isEqualTo("127.0.0.1");
                assertThat(n.port()).isEqualTo(port);
            });

            broker.producer(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(listener)))
                    .send(new ProducerRecord<>(TOPIC, listener, value)).get(20, TimeUnit.SECONDS);

            String group = "group-" + listener + "-" + value;
            KafkaConsumer<String, String> consumer = broker.consumer(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(listener), ConsumerConfig.GROUP_ID_CONFIG,
                    group));
            consumer.subscribe(List.of(TOPIC));
            List<String> read = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < expected.size() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.value()));
            }
            assertThat(read).as("read on %s", listener).containsExactlyElementsOf(expected);
            consumer.commitSync(Duration.ofSeconds(20));

            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                    .describedGroups().get(group).get(20, TimeUnit.SECONDS);
            assertThat(description.coordinator().port()).as("coordinator seen on %s", listener).isEqualTo(port);
        }
    }

    @Test
    void clientsOfEachListenerAreToldItsPortAndProduceAndConsumeThere() throws Exception {
        assertThat(broker.broker().boundPort("OTHER")).isNotEqualTo(broker.broker().boundPort("PLAINTEXT"));
        try (Admin admin = admin("OTHER")) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
        }

        assertServedOn("PLAINTEXT", "a", List.of("a"));
        assertServedOn("OTHER", "b", List.of("a", "b"));
    }

    @Test
    void aRestartOnNewPortsGivesEachListenerItsNewPort() throws Exception {
        try (Admin admin = admin("PLAINTEXT")) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
        }
        assertServedOn("OTHER", "before", List.of("before"));

        broker.restart();

        // The new process registered the ports it bound now, in place of those the metadata log kept.
        assertThat(broker.broker().controller().image().brokers().get(broker.broker().config().node().nodeId())
                .endpoints()).extracting(e -> e.listenerName() + ":" + e.port()).containsExactly(
                "PLAINTEXT:" + broker.broker().boundPort("PLAINTEXT"), "OTHER:" + broker.broker().boundPort("OTHER"));
        assertServedOn("OTHER", "after-other", List.of("before", "after-other"));
        assertServedOn("PLAINTEXT", "after-plaintext", List.of("before", "after-other", "after-plaintext"));
        List<ConsumerRecord<String, String>> all = TestBroker.readAll(broker.consumer(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap("OTHER"))), Set.of(new TopicPartition(TOPIC, 0)),
                3, Duration.ofSeconds(20));
        assertThat(all).extracting(ConsumerRecord::key).containsExactly("OTHER", "OTHER", "PLAINTEXT");
    }
}
