package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delayed delivery on three nodes (the timer log and the topic at RF 3, min ISR 2) while the test kill -9s the leader
 * of a timer partition with records pending and being released, brings it back, then kill -9s the leader of the
 * other timer partition: every acknowledged delayed record reaches its partition exactly once, never before it is
 * due, and per key in due order. The same holds for a single broker killed and restarted.
 */
@Tag("cluster")
class DelayedDeliveryFailoverTest {
    private static final String TOPIC = "reminders";
    private static final String TIMER = "__herald_delayed";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 2_000;
    private static final int KEYS = 20;
    /** Due times spread over this window after the first send. */
    private static final long SPREAD_MS = 12_000;
    private static final long FIRST_DUE_MS = 3_000;

    @TempDir
    Path workDir;

    private record Sent(String key, long dueMs) {}

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everyDelayedRecordIsReleasedOnceAcrossTimerLeaderKills() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.builder(workDir).controllers(3).fastFailureDetection()
                .override("min.insync.replicas", "2")
                .override("herald.delayed.topic.num.partitions", "2")
                .override("herald.delayed.topic.replication.factor", "3")
                .override("herald.delayed.topic.min.isr", "2")
                .start()) {
            Admin admin = cluster.admin();
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3).configs(Map.of(
                    "min.insync.replicas", "2", "herald.delivery.delay.enable", "true"))))
                    .all().get(30, TimeUnit.SECONDS);
            ClusterChecks.awaitFullIsr(admin, TOPIC, Duration.ofSeconds(60));

            long start = System.currentTimeMillis();
            Map<String, Sent> sent = produce(cluster.bootstrapServers(), start);
            ClusterChecks.awaitFullIsr(admin, TIMER, Duration.ofSeconds(60));
            Consumer reader = new Consumer(cluster.bootstrapServers());
            try {
                reader.pollUntil(start + FIRST_DUE_MS + SPREAD_MS / 4);
                int first = ClusterChecks.leader(admin, TIMER, 0, Duration.ofSeconds(30));
                cluster.node(first).kill9();
                reader.pollUntil(System.currentTimeMillis() + 3_000);
                cluster.restart(first, Duration.ofSeconds(90));
                ClusterChecks.awaitFullIsr(admin, TIMER, Duration.ofSeconds(60));
                int second = ClusterChecks.leader(admin, TIMER, 1, Duration.ofSeconds(30));
                cluster.node(second).kill9();
                long lastDue = sent.values().stream().mapToLong(Sent::dueMs).max().orElseThrow();
                reader.pollUntilAll(sent.size(), lastDue + 60_000);
                System.out.println("DelayedDeliveryFailoverTest: killed timer leaders " + first + " then " + second
                        + "; read " + reader.arrivals.size() + " of " + sent.size() + "; lateness "
                        + reader.lateness(sent));
            } finally {
                reader.close();
            }

            assertEachOnceNotEarlyInKeyOrder(sent, reader);
        }
    }

    /** One broker, kill -9 while records are pending and being released, then restarted: the same promises. */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aSingleBrokerKilledWhileReleasingLosesAndRepeatsNothing() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.builder(workDir).controllers(1).start()) {
            Admin admin = cluster.admin();
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1).configs(Map.of(
                    "herald.delivery.delay.enable", "true")))).all().get(30, TimeUnit.SECONDS);
            long start = System.currentTimeMillis();
            Map<String, Sent> sent = produce(cluster.bootstrapServers(), start);
            Consumer reader = new Consumer(cluster.bootstrapServers());
            try {
                reader.pollUntil(start + FIRST_DUE_MS + SPREAD_MS / 4);
                int node = cluster.brokerIds().iterator().next();
                cluster.node(node).kill9();
                cluster.restart(node, Duration.ofSeconds(90));
                long lastDue = sent.values().stream().mapToLong(Sent::dueMs).max().orElseThrow();
                reader.pollUntilAll(sent.size(), lastDue + 60_000);
                System.out.println("DelayedDeliveryFailoverTest: killed the single broker; read "
                        + reader.arrivals.size() + " of " + sent.size() + "; lateness " + reader.lateness(sent));
            } finally {
                reader.close();
            }
            assertEachOnceNotEarlyInKeyOrder(sent, reader);
        }
    }

    private static void assertEachOnceNotEarlyInKeyOrder(Map<String, Sent> sent, Consumer reader) {
        Map<String, Integer> copies = new HashMap<>();
        reader.arrivals.forEach(a -> copies.merge(a.value(), 1, Integer::sum));
        assertThat(copies.keySet()).as("every acknowledged delayed record arrived").isEqualTo(sent.keySet());
        assertThat(copies.values()).as("each once").allMatch(n -> n == 1);
        for (Arrival a : reader.arrivals) {
            assertThat(a.atMs()).as("%s not before it is due", a.value())
                    .isGreaterThanOrEqualTo(sent.get(a.value()).dueMs());
        }
        Map<String, Long> lastDuePerKey = new HashMap<>();
        for (Arrival a : reader.arrivals) {
            Sent s = sent.get(a.value());
            long before = lastDuePerKey.getOrDefault(s.key(), Long.MIN_VALUE);
            assertThat(s.dueMs()).as("key %s released in due order", s.key()).isGreaterThanOrEqualTo(before);
            lastDuePerKey.put(s.key(), s.dueMs());
        }
    }

    /** Sends every record with a due time in the window; returns the acknowledged ones by value. */
    private static Map<String, Sent> produce(String bootstrap, long start) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        Random random = new Random(42);
        Map<String, Sent> sent = new HashMap<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < RECORDS; i++) {
                String key = "k" + (i % KEYS);
                long due = start + FIRST_DUE_MS + (long) (random.nextDouble() * SPREAD_MS);
                String value = key + ":" + i;
                sent.put(value, new Sent(key, due));
                acks.add(producer.send(new ProducerRecord<>(TOPIC, null, key, value, List.of(new RecordHeader(
                        "herald.deliver.at", Long.toString(due).getBytes(StandardCharsets.UTF_8))))));
            }
            for (Future<RecordMetadata> f : acks) {
                f.get(120, TimeUnit.SECONDS);
            }
        }
        return sent;
    }

    private record Arrival(String value, long atMs, int partition, long offset) {}

    /** Reads every partition from the start, noting when each record arrived. */
    private static final class Consumer implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        final List<Arrival> arrivals = new ArrayList<>();

        Consumer(String bootstrap) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumer = new KafkaConsumer<>(props);
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
        }

        void pollUntil(long untilMs) {
            while (System.currentTimeMillis() < untilMs) {
                poll();
            }
        }

        /** Polls until {@code expected} arrived and one more second passed (copies would show), or the deadline. */
        void pollUntilAll(int expected, long deadlineMs) {
            while (arrivals.size() < expected && System.currentTimeMillis() < deadlineMs) {
                poll();
            }
            pollUntil(System.currentTimeMillis() + 1_000);
        }

        private void poll() {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
                arrivals.add(new Arrival(r.value(), System.currentTimeMillis(), r.partition(), r.offset()));
            }
        }

        String lateness(Map<String, Sent> sent) {
            long[] late = arrivals.stream().filter(a -> sent.containsKey(a.value()))
                    .mapToLong(a -> a.atMs() - sent.get(a.value()).dueMs()).sorted().toArray();
            if (late.length == 0) {
                return "n/a";
            }
            return "p50 " + late[late.length / 2] + " ms, p99 " + late[(int) (late.length * 0.99)] + " ms, max "
                    + late[late.length - 1] + " ms";
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
