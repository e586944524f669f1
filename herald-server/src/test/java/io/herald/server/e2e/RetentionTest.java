package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention deletes old segments while consumers read concurrently: the log start offset advances, a consumer
 * (auto.offset.reset=earliest, no group) keeps working and never sees a damaged record, new records stay
 * readable. Retention runs every 200 ms and deletes files immediately (file.delete.delay.ms=0), which makes
 * reads racing deletions likely.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RetentionTest {
    @TempDir
    Path dir;
    TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir, Map.of("log.retention.check.interval.ms", "200",
                "log.segment.delete.delay.ms", "0"));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private static String value(int i) {
        return "x".repeat(80) + "-" + i;
    }

    @Test
    void oldSegmentsAreDeletedWhileConsumersRead() throws Exception {
        String topic = "expiring";
        TopicPartition tp = new TopicPartition(topic, 0);
        broker.createTopic(topic, 1, Map.of("internal.segment.bytes", "4096", "retention.ms", "5000",
                "file.delete.delay.ms", "0"));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong lastOffset = new AtomicLong(-1);
        AtomicLong rewinds = new AtomicLong();
        List<Throwable> consumerErrors = new CopyOnWriteArrayList<>();
        KafkaConsumer<String, String> reader = broker.consumer(Map.of("max.poll.records", 50,
                "max.partition.fetch.bytes", 2048));
        Thread readerThread = new Thread(() -> {
            try {
                reader.assign(Set.of(tp));
                reader.seekToBeginning(Set.of(tp));
                long previous = -1;
                while (!stop.get()) {
                    for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(50))) {
                        if (r.offset() <= previous) {
                            throw new AssertionError("offset went backwards: " + r.offset() + " after " + previous);
                        }
                        previous = r.offset();
                        lastOffset.set(r.offset());
                        int i = Integer.parseInt(r.key().substring(r.key().indexOf('-') + 1));
                        if (!r.value().equals(value(i))) {
                            throw new AssertionError("damaged record at " + r.offset() + ": " + r.value());
                        }
                    }
                    // Keep re-reading from offset 0 so fetches race segment deletion and hit the log start.
                    if (rewinds.incrementAndGet() % 10 == 0) {
                        reader.seek(tp, 0);
                        previous = -1;
                    }
                }
            } catch (Throwable t) {
                consumerErrors.add(t);
            }
        }, "retention-reader");
        readerThread.start();

        KafkaProducer<String, String> producer = broker.producer(Map.of("batch.size", 1024, "linger.ms", 0));
        long old = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int sent = 0;
        // Keep producing old records until retention has visibly advanced twice (bounded by the deadline).
        long earliest = 0;
        while (System.nanoTime() < deadline && (sent < 400 || earliest < 100)) {
            producer.send(new ProducerRecord<>(topic, 0, old + sent, "old-" + sent, value(sent))).get(20,
                    TimeUnit.SECONDS);
            sent++;
            if (sent % 50 == 0) {
                earliest = broker.offset(tp, OffsetSpec.earliest());
            }
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(broker.offset(tp, OffsetSpec.earliest())).isGreaterThan(0));

        // New, current records after the old ones stay readable while retention keeps running.
        long firstNew = -1;
        for (int i = 0; i < 20; i++) {
            long offset = producer.send(new ProducerRecord<>(topic, 0, "new-" + (sent + i), value(sent + i)))
                    .get(20, TimeUnit.SECONDS).offset();
            if (i == 0) {
                firstNew = offset;
            }
        }
        long end = firstNew + 20;
        long firstNewOffset = firstNew;
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(lastOffset.get()).isEqualTo(end - 1));
        stop.set(true);
        readerThread.join(10_000);
        assertThat(consumerErrors).isEmpty();

        // All old records expire, including those in the last old segment; the new ones remain.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(broker.offset(tp, OffsetSpec.earliest())).isGreaterThan(firstNewOffset - 60));
        long logStart = broker.offset(tp, OffsetSpec.earliest());
        assertThat(logStart).isLessThanOrEqualTo(firstNew);
        assertThat(broker.offset(tp, OffsetSpec.latest())).isEqualTo(end);

        List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(), Set.of(tp),
                (int) (end - logStart), Duration.ofSeconds(20));
        assertThat(got).isNotEmpty();
        assertThat(got.get(0).offset()).isEqualTo(logStart);
        assertThat(got).filteredOn(r -> r.key().startsWith("new-")).hasSize(20);

        // Below the log start: auto.offset.reset=none surfaces OffsetOutOfRange, earliest resets to the start.
        KafkaConsumer<String, String> strict = broker.consumer(Map.of("auto.offset.reset", "none"));
        strict.assign(Set.of(tp));
        strict.seek(tp, 0);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100; i++) {
                strict.poll(Duration.ofMillis(100));
            }
        }).isInstanceOf(OffsetOutOfRangeException.class);
        KafkaConsumer<String, String> lenient = broker.consumer();
        lenient.assign(Set.of(tp));
        lenient.seek(tp, 0);
        List<ConsumerRecord<String, String>> reset = List.of();
        for (int i = 0; i < 100 && reset.isEmpty(); i++) {
            reset = lenient.poll(Duration.ofMillis(100)).records(tp);
        }
        assertThat(reset).isNotEmpty();
        assertThat(reset.get(0).offset()).isGreaterThanOrEqualTo(logStart);
    }

    @Test
    void everySegmentOfAFullyExpiredLogIsDeletedIncludingTheActiveOne() throws Exception {
        String topic = "all-old";
        TopicPartition tp = new TopicPartition(topic, 0);
        broker.createTopic(topic, 1, Map.of("internal.segment.bytes", "4096", "retention.ms", "2000"));
        KafkaProducer<String, String> producer = broker.producer();
        long old = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
        for (int i = 0; i < 100; i++) {
            producer.send(new ProducerRecord<>(topic, 0, old, "old-" + i, value(i))).get(20, TimeUnit.SECONDS);
        }
        // Kafka rolls the active segment when it too has expired, so the log ends up empty at offset 100.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(broker.offset(tp, OffsetSpec.earliest())).isEqualTo(100));
        assertThat(broker.offset(tp, OffsetSpec.latest())).isEqualTo(100);
        assertThat(producer.send(new ProducerRecord<>(topic, 0, "new", value(100))).get(20, TimeUnit.SECONDS)
                .offset()).isEqualTo(100);
        assertThat(TestBroker.readAll(broker.consumer(), Set.of(tp), 1, Duration.ofSeconds(20)))
                .extracting(ConsumerRecord::key).containsExactly("new");
    }

    @Test
    void retentionBytesBoundsThePartitionSize() throws Exception {
        String topic = "bounded";
        TopicPartition tp = new TopicPartition(topic, 0);
        broker.createTopic(topic, 1, Map.of("internal.segment.bytes", "4096", "retention.bytes", "8192"));
        KafkaProducer<String, String> producer = broker.producer();
        for (int i = 0; i < 400; i++) {
            producer.send(new ProducerRecord<>(topic, 0, "k-" + i, value(i))).get(20, TimeUnit.SECONDS);
        }
        int nodeId = broker.broker().config().node().nodeId();
        try (Admin admin = broker.admin()) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(broker.offset(tp, OffsetSpec.earliest())).isGreaterThan(0);
                Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(nodeId)).allDescriptions()
                        .get(20, TimeUnit.SECONDS).get(nodeId);
                long size = dirs.values().iterator().next().replicaInfos().get(tp).size();
                // Kafka keeps at most retention.bytes plus the active segment.
                assertThat(size).isLessThanOrEqualTo(8192 + 4096);
            });
        }
        long start = broker.offset(tp, OffsetSpec.earliest());
        List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(), Set.of(tp),
                (int) (400 - start), Duration.ofSeconds(20));
        assertThat(got).hasSizeGreaterThan(0);
        assertThat(got.get(got.size() - 1).key()).isEqualTo("k-399");
        for (ConsumerRecord<String, String> r : got) {
            assertThat(r.value()).isEqualTo(value(Integer.parseInt(r.key().substring(2))));
        }
    }
}
