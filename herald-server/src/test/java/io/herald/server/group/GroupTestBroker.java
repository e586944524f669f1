package io.herald.server.group;

import io.herald.server.node.BrokerNode;
import io.herald.server.config.HeraldConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An in-process broker for the group tests (no initial rebalance delay, 6 partitions per auto-created
 * topic), with client factories; {@link #restart()} keeps the data dir. Not thread-safe: one test drives it.
 */
final class GroupTestBroker implements AutoCloseable {
    private final Map<String, String> props;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private BrokerNode broker;

    GroupTestBroker(Path dir, Map<String, String> overrides) throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("listeners", "PLAINTEXT://127.0.0.1:0");
        p.put("log.dirs", dir.toString());
        p.put("num.partitions", "6");
        p.put("num.io.threads", "2");
        p.put("num.network.threads", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("offsets.topic.num.partitions", "5");
        // KIP-848 members learn of new target assignments on their next heartbeat: keep rebalances quick. Below
        // Kafka's minimums (5 s, 45 s), so those are lowered too, as Kafka requires.
        p.put("group.consumer.heartbeat.interval.ms", "500");
        p.put("group.consumer.min.heartbeat.interval.ms", "500");
        p.put("group.consumer.session.timeout.ms", "10000");
        p.put("group.consumer.min.session.timeout.ms", "10000");
        p.putAll(overrides);
        this.props = Map.copyOf(p);
        this.broker = BrokerNode.start(HeraldConfig.parse(props));
    }

    GroupTestBroker(Path dir) throws Exception {
        this(dir, Map.of());
    }

    String bootstrap() {
        return "127.0.0.1:" + broker.boundPort();
    }

    int port() {
        return broker.boundPort();
    }

    void restart() throws Exception {
        closeClients();
        broker.close();
        broker = BrokerNode.start(HeraldConfig.parse(props));
    }

    /**
     * Restarts the broker on the same port and dirs while the clients stay open, as a broker bounce looks to
     * them (they reconnect).
     */
    void restartKeepingClients() throws Exception {
        int port = broker.boundPort();
        broker.close();
        Map<String, String> p = new HashMap<>(props);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        broker = BrokerNode.start(HeraldConfig.parse(p));
    }

    Admin admin() {
        Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
        clients.add(a);
        return a;
    }

    void createTopic(String name, int partitions) throws Exception {
        try (Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            a.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
    }

    /** Produces {@code count} records "k-i"/"v-i" round-robin over the partitions, and flushes. */
    void produce(String topic, int from, int count) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        cfg.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        cfg.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        cfg.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        try (KafkaProducer<String, String> p = new KafkaProducer<>(cfg)) {
            int partitions = p.partitionsFor(topic).size();
            for (int i = from; i < from + count; i++) {
                p.send(new ProducerRecord<>(topic, i % partitions, "k-" + i, "v-" + i));
            }
            p.flush();
        }
    }

    KafkaConsumer<String, String> consumer(String group, Map<String, Object> overrides) {
        Properties cfg = commonConsumerConfig(group, "classic");
        cfg.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        cfg.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        return newConsumer(cfg, overrides);
    }

    /**
     * A consumer of the KIP-848 protocol ({@code group.protocol=consumer}): the classic session, heartbeat and
     * assignor settings are the broker's then, and the client refuses them.
     */
    KafkaConsumer<String, String> modernConsumer(String group, Map<String, Object> overrides) {
        return newConsumer(commonConsumerConfig(group, "consumer"), overrides);
    }

    private Properties commonConsumerConfig(String group, String protocol) {
        Properties cfg = new Properties();
        cfg.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        cfg.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        cfg.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        cfg.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        cfg.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        cfg.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cfg.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        cfg.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
        cfg.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        cfg.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 2_000);
        return cfg;
    }

    private KafkaConsumer<String, String> newConsumer(Properties cfg, Map<String, Object> overrides) {
        cfg.putAll(overrides);
        KafkaConsumer<String, String> c = new KafkaConsumer<>(cfg);
        clients.add(c);
        return c;
    }

    void closeClients() {
        for (AutoCloseable c : clients) {
            try {
                if (c instanceof KafkaConsumer<?, ?> kc) {
                    kc.close(Duration.ofSeconds(5));
                } else {
                    c.close();
                }
            } catch (Exception ignored) {
                // already closed or broken by the test
            }
        }
        clients.clear();
    }

    @Override
    public void close() {
        closeClients();
        broker.close();
    }
}
