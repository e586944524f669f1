package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timer log's disk fills up (one broker with two log dirs; the timer log's is a small real tmpfs filled with a
 * junk file) while delayed records are pending: a delayed produce is answered {@code KAFKA_STORAGE_ERROR} (and
 * not written), the broker keeps serving other writes, and once the junk is deleted the same process brings the
 * timer log back and releases every acknowledged delayed record exactly once. Needs root for
 * {@code mount -t tmpfs}; skipped otherwise.
 */
@Tag("cluster")
class DelayedDeliveryDiskFullTest {
    private static final String TOPIC = "orders";
    private static final String TIMER_DIR = "__herald_delayed-0";
    private static final long MIN_FREE = 8L << 20;
    private static final int PENDING = 200;

    @TempDir
    Path workDir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aFullTimerLogDiskRefusesDelayedProducesWithAStorageErrorAndLosesNothing() throws Exception {
        Path node = workDir.resolve("node1");
        Path data = node.resolve("data");
        Path timerDisk = node.resolve("timer-disk");
        Files.createDirectories(data);
        Files.createDirectories(timerDisk);
        SmallDisk disk = SmallDisk.mount(timerDisk, 64);
        assumeTrue(disk != null, "mount -t tmpfs failed (not root?): this test needs a small real filesystem to fill");
        try (ClusterHarness cluster = ClusterHarness.builder(workDir).controllers(1)
                .override("herald.log.dir.min.free.bytes", String.valueOf(MIN_FREE))
                .override("herald.log.dir.recheck.interval.ms", "500")
                .override("herald.delayed.topic.num.partitions", "1")
                // Partitions go to the dir with the fewest: the topic to the first, then the timer log to the second.
                .nodeOverride(1, "log.dirs", data + "," + timerDisk)
                .nodeOverride(1, "metadata.log.dir", node.resolve("meta").toString())
                .start()) {
            Admin admin = cluster.admin();
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(Map.of(
                    "herald.delivery.delay.enable", "true")))).all().get(30, TimeUnit.SECONDS);
            long start = System.currentTimeMillis();
            long due = start + 8_000;
            List<String> acked = new ArrayList<>();
            try (KafkaProducer<String, String> producer = producer(cluster.bootstrapServers())) {
                for (int i = 0; i < PENDING; i++) {
                    String value = "pending-" + i;
                    producer.send(delayed(value, due)).get(30, TimeUnit.SECONDS);
                    acked.add(value);
                }
                assertThat(timerDisk.resolve(TIMER_DIR)).as("the timer log is on the disk that fills").isDirectory();
                assertThat(data.resolve(TOPIC + "-0")).as("the topic is not").isDirectory();

                Path junk = disk.fill(MIN_FREE / 2);

                // Delayed produces succeed while the disk still takes them, then fail with the storage error.
                List<String> refused = new ArrayList<>();
                Throwable failure = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                for (int i = 0; failure == null && System.nanoTime() < deadline; i++) {
                    String value = "while-full-" + i;
                    try {
                        producer.send(delayed(value, due)).get(30, TimeUnit.SECONDS);
                        acked.add(value);
                    } catch (ExecutionException e) {
                        failure = e.getCause();
                        refused.add(value);
                    }
                }
                assertThat(failure).as("a delayed produce while the timer log's disk is full")
                        .isInstanceOf(KafkaStorageException.class);
                // The broker keeps serving: a record without delay goes to its (healthy) partition at once.
                producer.send(new ProducerRecord<>(TOPIC, "k", "no-delay")).get(30, TimeUnit.SECONDS);

                Files.delete(junk);
                // Once the timer log is back, delayed produces are accepted again.
                String after = null;
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (after == null && System.nanoTime() < deadline) {
                    try {
                        producer.send(delayed("after", due)).get(30, TimeUnit.SECONDS);
                        after = "after";
                        acked.add(after);
                    } catch (ExecutionException e) {
                        Thread.sleep(200);
                    }
                }
                assertThat(after).as("a delayed produce once the disk has room again").isNotNull();

                Map<String, Integer> copies = readUntil(cluster.bootstrapServers(), acked.size() + 1,
                        Math.max(due, System.currentTimeMillis()) + 30_000);
                for (String value : acked) {
                    assertThat(copies.get(value)).as("%s delivered once", value).isEqualTo(1);
                }
                for (String value : refused) {
                    assertThat(copies).as("a refused produce is not delivered").doesNotContainKey(value);
                }
                assertThat(copies.get("no-delay")).isEqualTo(1);
                System.out.println("DelayedDeliveryDiskFullTest: " + acked.size() + " delayed records acknowledged, "
                        + refused.size() + " refused with " + failure.getClass().getSimpleName()
                        + ", every acknowledged one delivered once");
            }
        } finally {
            disk.close();
        }
    }

    private static ProducerRecord<String, String> delayed(String value, long dueMs) {
        return new ProducerRecord<>(TOPIC, null, "k", value, List.of(new RecordHeader("herald.deliver.at",
                Long.toString(dueMs).getBytes(StandardCharsets.UTF_8))));
    }

    /** Without retries, so that the first refusal is what the test sees. */
    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.RETRIES_CONFIG, 0);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return new KafkaProducer<>(props);
    }

    /** Values read from the start, with their copies: until {@code expected} arrived and a second more, or the deadline. */
    private static Map<String, Integer> readUntil(String bootstrap, int expected, long deadlineMs) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, Integer> copies = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            int read = 0;
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadlineMs, quietUntil)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    copies.merge(r.value(), 1, Integer::sum);
                    read++;
                }
                if (read >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + 1_000; // copies would show within it
                }
            }
        }
        return copies;
    }


}
