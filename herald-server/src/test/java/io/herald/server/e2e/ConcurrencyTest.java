package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several idempotent producers write the same partitions at once while long-polling consumers tail them: every
 * record arrives exactly once, each producer's records keep their order within a partition, and what the tailing
 * consumers saw equals what a fresh read sees.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConcurrencyTest {
    @TempDir
    Path dir;

    @Test
    void concurrentProducersAndTailingConsumers() throws Exception {
        int producers = 4;
        int partitions = 2;
        int perProducer = 5000;
        String topic = "shared";
        try (TestBroker broker = TestBroker.start(dir)) {
            broker.createTopic(topic, partitions, Map.of());
            Set<TopicPartition> tps = Set.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            int total = producers * perProducer;

            ExecutorService pool = Executors.newFixedThreadPool(producers + 2);
            try {
                List<Future<List<ConsumerRecord<String, String>>>> tails = new ArrayList<>();
                for (int c = 0; c < 2; c++) {
                    KafkaConsumer<String, String> consumer = broker.consumer(Map.of("fetch.max.wait.ms", 200));
                    tails.add(pool.submit(() -> TestBroker.readAll(consumer, tps, total, Duration.ofSeconds(90))));
                }
                List<Future<?>> writers = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    int id = p;
                    KafkaProducer<String, String> producer = broker.producer(Map.of("linger.ms", 1,
                            "max.in.flight.requests.per.connection", 5, "compression.type", p % 2 == 0 ? "none" : "snappy"));
                    writers.add(pool.submit(() -> {
                        List<Future<RecordMetadata>> acks = new ArrayList<>();
                        for (int i = 0; i < perProducer; i++) {
                            acks.add(producer.send(new ProducerRecord<>(topic, i % partitions, "p" + id,
                                    id + ":" + i)));
                        }
                        for (Future<RecordMetadata> a : acks) {
                            a.get(60, TimeUnit.SECONDS);
                        }
                        return null;
                    }));
                }
                for (Future<?> w : writers) {
                    w.get(90, TimeUnit.SECONDS);
                }
                List<ConsumerRecord<String, String>> fresh = TestBroker.readAll(broker.consumer(
                        Map.of("max.poll.records", 5000)), tps, total, Duration.ofSeconds(60));
                check(fresh, producers, partitions, perProducer);
                for (Future<List<ConsumerRecord<String, String>>> tail : tails) {
                    List<ConsumerRecord<String, String>> seen = tail.get(90, TimeUnit.SECONDS);
                    check(seen, producers, partitions, perProducer);
                    assertThat(positions(seen)).isEqualTo(positions(fresh));
                }
            } finally {
                pool.shutdownNow();
                pool.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Map<String, String> positions(List<ConsumerRecord<String, String>> records) {
        Map<String, String> out = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            out.put(r.partition() + "@" + r.offset(), r.value());
        }
        return out;
    }

    private static void check(List<ConsumerRecord<String, String>> records, int producers, int partitions,
                              int perProducer) {
        assertThat(records).hasSize(producers * perProducer);
        // next expected sequence per (producer, partition)
        int[][] next = new int[producers][partitions];
        for (int p = 0; p < producers; p++) {
            for (int q = 0; q < partitions; q++) {
                next[p][q] = q;
            }
        }
        long[] lastOffset = new long[partitions];
        java.util.Arrays.fill(lastOffset, -1);
        for (ConsumerRecord<String, String> r : records) {
            String[] parts = r.value().split(":");
            int id = Integer.parseInt(parts[0]);
            int seq = Integer.parseInt(parts[1]);
            assertThat(r.key()).isEqualTo("p" + id);
            assertThat(r.offset()).isEqualTo(lastOffset[r.partition()] + 1);
            lastOffset[r.partition()] = r.offset();
            assertThat(seq).as("producer %d partition %d", id, r.partition()).isEqualTo(next[id][r.partition()]);
            next[id][r.partition()] += partitions;
        }
    }
}
