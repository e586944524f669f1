package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.InvalidRecordException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** cleanup.policy=compact: the newest value per key survives with its offset; tombstones go; keyless refused. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CompactionTest {
    private static final int KEYS = 20;
    @TempDir
    Path dir;
    TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir, Map.of("log.cleaner.backoff.ms", "200"));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void compactionKeepsTheNewestValuePerKeyAndSurvivesRestart() throws Exception {
        String topic = "compacted";
        TopicPartition tp = new TopicPartition(topic, 0);
        broker.createTopic(topic, 1, Map.of("cleanup.policy", "compact", "internal.segment.bytes", "1024",
                "delete.retention.ms", "0"));
        KafkaProducer<String, String> producer = broker.producer(Map.of("compression.type", "lz4",
                "linger.ms", 0));
        Map<String, String> expected = new HashMap<>();
        Map<String, Long> expectedOffset = new HashMap<>();
        int produced = 0;
        for (int round = 0; round < 30; round++) {
            for (int k = 0; k < KEYS; k++) {
                String key = "key-" + k;
                String value = (k % 5 == 0 && round == 29) ? null : "r" + round + "-" + key;
                long offset = producer.send(new ProducerRecord<>(topic, 0, key, value)).get(20, TimeUnit.SECONDS)
                        .offset();
                produced++;
                if (value == null) {
                    expected.remove(key);
                } else {
                    expected.put(key, value);
                }
                expectedOffset.put(key, offset);
            }
        }
        // Padding with other keys so the last real round is in inactive (cleanable) segments.
        for (int i = 0; i < 60; i++) {
            producer.send(new ProducerRecord<>(topic, 0, "pad-" + i, "x".repeat(50))).get(20, TimeUnit.SECONDS);
            produced++;
        }
        int total = produced;
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            Map<String, ConsumerRecord<String, String>> latest = readLatest(tp, total);
            for (int k = 0; k < KEYS; k++) {
                String key = "key-" + k;
                if (expected.containsKey(key)) {
                    assertThat(latest.get(key)).as(key).isNotNull();
                    assertThat(latest.get(key).value()).isEqualTo(expected.get(key));
                    assertThat(latest.get(key).offset()).isEqualTo(expectedOffset.get(key));
                } else {
                    // Tombstoned; once the tombstone itself is cleaned away the key disappears entirely.
                    assertThat(latest.get(key)).as(key).isNull();
                }
            }
            assertThat(countKeyRecords(tp, total)).as("old versions are gone").isEqualTo(expected.size());
        });
        assertThat(broker.offset(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).isEqualTo(total);

        broker.restart();
        Map<String, ConsumerRecord<String, String>> afterRestart = readLatest(tp, total);
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertThat(afterRestart.get(e.getKey()).value()).isEqualTo(e.getValue());
        }
        assertThat(broker.offset(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).isEqualTo(total);
        assertThat(broker.producer().send(new ProducerRecord<>(topic, 0, "key-1", "after")).get(20,
                TimeUnit.SECONDS).offset()).isEqualTo(total);
    }

    @Test
    void keylessRecordsAreRefusedOnACompactedTopic() throws Exception {
        broker.createTopic("needs-keys", 1, Map.of("cleanup.policy", "compact"));
        KafkaProducer<String, String> producer = broker.producer(Map.of("retries", 0));
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>("needs-keys", 0, null, "v"))
                .get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidRecordException.class);
        assertThat(broker.producer().send(new ProducerRecord<>("needs-keys", 0, "k", "v")).get(20, TimeUnit.SECONDS)
                .offset()).isZero();
    }

    /** Newest record per key in the whole log (offsets strictly increase on the way). */
    private Map<String, ConsumerRecord<String, String>> readLatest(TopicPartition tp, int logEnd) {
        Map<String, ConsumerRecord<String, String>> latest = new HashMap<>();
        long previous = -1;
        for (ConsumerRecord<String, String> r : readToEnd(tp, logEnd)) {
            assertThat(r.offset()).isGreaterThan(previous);
            previous = r.offset();
            if (r.value() == null) {
                latest.remove(r.key());
            } else {
                latest.put(r.key(), r);
            }
        }
        return latest;
    }

    private long countKeyRecords(TopicPartition tp, int logEnd) {
        return readToEnd(tp, logEnd).stream().filter(r -> r.key().startsWith("key-")).count();
    }

    private List<ConsumerRecord<String, String>> readToEnd(TopicPartition tp, int logEnd) {
        try (var consumer = broker.consumer()) {
            consumer.assign(Set.of(tp));
            consumer.seekToBeginning(Set.of(tp));
            List<ConsumerRecord<String, String>> out = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (consumer.position(tp) < logEnd && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            assertThat(consumer.position(tp)).isEqualTo(logEnd);
            return out;
        }
    }
}
