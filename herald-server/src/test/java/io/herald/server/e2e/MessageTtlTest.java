package io.herald.server.e2e;

import static io.herald.server.e2e.ShareClients.awaitStartOffset;
import static io.herald.server.e2e.ShareClients.configure;
import static io.herald.server.e2e.ShareClients.headers;
import static io.herald.server.e2e.ShareClients.pollUntil;
import static io.herald.server.e2e.ShareClients.shareConsumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Message TTL as stock clients see it: {@code herald.message.ttl.ms} on a topic and the per-record
 * {@code herald.ttl.ms} header. Records are produced with timestamps an hour old (or a few seconds), so they are
 * expired when they arrive and no test waits for time to pass; live ones carry the current time.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MessageTtlTest {
    private static final long T = 30;
    private static final long HOUR = 3_600_000;
    private static final Path KCAT = Path.of("/usr/bin/kcat");

    @TempDir
    Path dir;

    private TestBroker broker;
    private final List<KafkaShareConsumer<String, String>> shareConsumers = new ArrayList<>();

    @AfterEach
    void stop() {
        shareConsumers.forEach(c -> c.close(Duration.ofSeconds(5)));
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void logConsumersSkipWholeExpiredBatchesAndMovePastThem() throws Exception {
        broker = TestBroker.start(dir);
        broker.createTopic("ttl-log", 1, Map.of("herald.message.ttl.ms", "60000"));
        try (Admin admin = broker.admin()) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "ttl-log");
            Config described = admin.describeConfigs(List.of(topic)).all().get(T, TimeUnit.SECONDS).get(topic);
            assertThat(described.get("herald.message.ttl.ms").value()).isEqualTo("60000");
        }
        KafkaProducer<String, String> producer = broker.producer();
        long now = System.currentTimeMillis();
        // One batch per send: old, live, old x30 (more than one read of 1 KiB), live, old.
        sendBatch(producer, "ttl-log", now - HOUR, "old-0", "old-1");
        sendBatch(producer, "ttl-log", now, "live-0", "live-1");
        for (int i = 0; i < 30; i++) {
            sendBatch(producer, "ttl-log", now - HOUR, "old-" + (2 * i + 2) + "-" + "x".repeat(100),
                    "old-" + (2 * i + 3) + "-" + "x".repeat(100));
        }
        sendBatch(producer, "ttl-log", now, "live-2");
        sendBatch(producer, "ttl-log", now - HOUR, "old-last");
        TopicPartition tp = new TopicPartition("ttl-log", 0);
        long end = broker.offset(tp, OffsetSpec.latest());
        assertThat(end).isEqualTo(2 + 2 + 60 + 1 + 1);

        for (String isolation : List.of("read_uncommitted", "read_committed")) {
            KafkaConsumer<String, String> consumer = broker.consumer(Map.of("isolation.level", isolation,
                    "max.partition.fetch.bytes", 1024, "fetch.max.bytes", 1024));
            List<String> got = readToEnd(consumer, tp, end);
            assertThat(got).as(isolation).containsExactly("live-0", "live-1", "live-2");
            assertThat(consumer.position(tp)).as("the consumer stepped over the expired tail").isEqualTo(end);
        }
        // The log keeps them: retention, not TTL, deletes.
        assertThat(broker.offset(tp, OffsetSpec.earliest())).isZero();

        // librdkafka steps over the empty batches too, and reaches the partition's end (-e exits there).
        assumeTrue(Files.isExecutable(KCAT), "kcat is not installed");
        Process kcat = new ProcessBuilder(KCAT.toString(), "-C", "-b", broker.bootstrap(), "-t", "ttl-log", "-p", "0",
                "-o", "beginning", "-e", "-q", "-f", "%s\\n", "-X", "fetch.message.max.bytes=1024")
                .redirectErrorStream(true).start();
        boolean exited = kcat.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            kcat.destroyForcibly();
        }
        String out = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(exited).as("kcat reached the end; output: %s", out).isTrue();
        assertThat(out.lines().toList()).containsExactly("live-0", "live-1", "live-2");
    }

    @Test
    void logConsumersSkipABatchWhoseRecordsAllExpiredByTheirOwnHeader() throws Exception {
        broker = TestBroker.start(dir);
        broker.createTopic("ttl-log-header", 1, Map.of("herald.message.ttl.ms", "60000"));
        long now = System.currentTimeMillis();
        String big = "y".repeat(5_000); // past the bytes read with a batch's header
        try (KafkaProducer<String, String> plain = broker.producer();
             KafkaProducer<String, String> lz4 = broker.producer(Map.of("compression.type", "lz4"))) {
            // 10 s old with 1 s headers: expired by the header though the topic's minute has not passed.
            sendWithTtl(plain, List.of(withTtl("ttl-log-header", "gone-0", now - 10_000, "1000"),
                    withTtl("ttl-log-header", "gone-1", now - 10_000, "1000")));
            sendWithTtl(plain, List.of(withTtl("ttl-log-header", "live-0", now, "86400000")));
            // Batch granularity: one live record keeps its expired neighbour.
            sendWithTtl(plain, List.of(withTtl("ttl-log-header", "kept-expired", now - 10_000, "1000"),
                    withTtl("ttl-log-header", "live-1", now, "1000000")));
            sendWithTtl(plain, List.of(withTtl("ttl-log-header", "gone-big-" + big, now - 10_000, "1000"),
                    withTtl("ttl-log-header", "gone-after-big", now - 10_000, "1000")));
            sendWithTtl(lz4, List.of(withTtl("ttl-log-header", "gone-lz4-0", now - 10_000, "1000"),
                    withTtl("ttl-log-header", "gone-lz4-1", now - 10_000, "1000")));
            sendWithTtl(lz4, List.of(withTtl("ttl-log-header", "live-lz4", now, "1000000")));
            sendWithTtl(plain, List.of(withTtl("ttl-log-header", "gone-last", now - 10_000, "1000")));
        }
        TopicPartition tp = new TopicPartition("ttl-log-header", 0);
        long end = broker.offset(tp, OffsetSpec.latest());
        assertThat(end).isEqualTo(11);
        KafkaConsumer<String, String> consumer = broker.consumer(Map.of());
        List<String> got = readToEnd(consumer, tp, end);
        assertThat(got).containsExactly("live-0", "kept-expired", "live-1", "live-lz4");
        assertThat(consumer.position(tp)).as("the consumer stepped over the expired tail").isEqualTo(end);
    }

    /** Assigns the partition and reads it from the start until the position reaches {@code end} (or T s). */
    private static List<String> readToEnd(KafkaConsumer<String, String> consumer, TopicPartition tp, long end) {
        consumer.assign(Set.of(tp));
        consumer.seekToBeginning(Set.of(tp));
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        while (consumer.position(tp) < end && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100)).forEach(r -> got.add(r.value()));
        }
        return got;
    }

    /** The records as one batch. */
    private static void sendWithTtl(KafkaProducer<String, String> p, List<ProducerRecord<String, String>> records)
            throws Exception {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        records.forEach(r -> sent.add(p.send(r)));
        p.flush();
        for (var f : sent) {
            f.get(T, TimeUnit.SECONDS);
        }
    }

    @Test
    void aShareGroupNeverDeliversAnExpiredRecordAndMovesPastIt() throws Exception {
        broker = TestBroker.start(dir);
        broker.createTopic("ttl-queue", 1, Map.of("herald.message.ttl.ms", "60000"));
        configure(broker, "workers", Map.of());
        KafkaProducer<String, String> producer = broker.producer();
        long now = System.currentTimeMillis();
        sendBatch(producer, "ttl-queue", now - HOUR, "old-0", "old-1");
        sendBatch(producer, "ttl-queue", now, "live-0");
        // One batch whose records straddle the TTL: the first expired, the second live.
        sendMixed(producer, "ttl-queue", List.of(rec("old-2", now - HOUR), rec("live-1", now)));
        sendBatch(producer, "ttl-queue", now - HOUR, "old-3");

        KafkaShareConsumer<String, String> c = shareConsumer(broker, "workers", "explicit", shareConsumers);
        c.subscribe(List.of("ttl-queue"));
        List<ConsumerRecord<String, String>> got = pollUntil(c, 2);
        got.forEach(r -> c.acknowledge(r, AcknowledgeType.ACCEPT));
        c.commitSync(Duration.ofSeconds(T));
        assertThat(got).extracting(ConsumerRecord::value).containsExactly("live-0", "live-1");
        awaitStartOffset(broker, "workers", new TopicPartition("ttl-queue", 0), 6);
    }

    @Test
    void theRecordHeaderAndTheTopicTtlTheSmallerWins() throws Exception {
        broker = TestBroker.start(dir);
        broker.createTopic("ttl-header", 1, Map.of("herald.message.ttl.ms", "60000"));
        configure(broker, "workers", Map.of());
        KafkaProducer<String, String> producer = broker.producer();
        long now = System.currentTimeMillis();
        // 2 min old: the topic's minute has passed, the header's day has not: the topic wins, expired.
        producer.send(withTtl("ttl-header", "topic-wins", now - 120_000, "86400000"));
        // 10 s old with a 1 s header: the header wins, expired though the topic's minute has not passed.
        producer.send(withTtl("ttl-header", "header-wins", now - 10_000, "1000"));
        // Fresh with a day's header: the topic's minute applies, live.
        producer.send(withTtl("ttl-header", "live-long-header", now, "86400000"));
        // A header that does not parse is ignored: the topic's TTL applies, live.
        producer.send(withTtl("ttl-header", "live-bad-header", now, "soon"));
        producer.flush();

        KafkaShareConsumer<String, String> c = shareConsumer(broker, "workers", "explicit", shareConsumers);
        c.subscribe(List.of("ttl-header"));
        List<ConsumerRecord<String, String>> got = pollUntil(c, 2);
        got.forEach(r -> c.acknowledge(r, AcknowledgeType.ACCEPT));
        c.commitSync(Duration.ofSeconds(T));
        assertThat(got).extracting(ConsumerRecord::value).containsExactly("live-long-header", "live-bad-header");
        awaitStartOffset(broker, "workers", new TopicPartition("ttl-header", 0), 4);
    }

    @Test
    void expiredRecordsAreDeadLetteredWithTheReasonExpired() throws Exception {
        broker = TestBroker.start(dir);
        broker.createTopic("orders", 1, Map.of("herald.message.ttl.ms", "60000"));
        broker.createTopic("dlq.orders", 1, Map.of("errors.deadletterqueue.group.enable", "true"));
        configure(broker, "billing", Map.of("errors.deadletterqueue.topic.name", "dlq.orders",
                "errors.deadletterqueue.copy.record.enable", "true"));
        KafkaProducer<String, String> producer = broker.producer();
        long now = System.currentTimeMillis();
        sendBatch(producer, "orders", now - HOUR, "stale");
        sendBatch(producer, "orders", now, "fresh");

        KafkaShareConsumer<String, String> c = shareConsumer(broker, "billing", "explicit", shareConsumers);
        c.subscribe(List.of("orders"));
        List<ConsumerRecord<String, String>> got = pollUntil(c, 1);
        got.forEach(r -> c.acknowledge(r, AcknowledgeType.ACCEPT));
        c.commitSync(Duration.ofSeconds(T));
        assertThat(got).extracting(ConsumerRecord::value).containsExactly("fresh");
        awaitStartOffset(broker, "billing", new TopicPartition("orders", 0), 2);

        TopicPartition dlq = new TopicPartition("dlq.orders", 0);
        List<ConsumerRecord<String, String>> copies = TestBroker.readAll(broker.consumer(), Set.of(dlq), 1,
                Duration.ofSeconds(T));
        assertThat(copies).extracting(ConsumerRecord::value).containsExactly("stale");
        assertThat(headers(copies.get(0))).containsEntry("__dlq.errors.message", "expired")
                .containsEntry("__dlq.errors.offset", "0").containsEntry("__dlq.errors.delivery.count", "0");
        assertThat(broker.offset(dlq, OffsetSpec.latest())).as("exactly one copy").isEqualTo(1);
    }

    /**
     * The classic "delay queue = TTL + dead letter": records wait in {@code wait} (TTL 1.5 s), where its group's
     * consumer only parks them (a RELEASE, held back by the group's retry backoff); once expired they are dead-lettered to {@code ready},
     * where the real consumer reads them, no earlier than their TTL after they were produced.
     */
    @Test
    void aDelayQueueFromTtlAndADeadLetterTopic() throws Exception {
        broker = TestBroker.start(dir);
        broker.createTopic("wait", 1, Map.of("herald.message.ttl.ms", "1500"));
        broker.createTopic("dlq.ready", 1, Map.of("errors.deadletterqueue.group.enable", "true"));
        configure(broker, "delayer", Map.of("errors.deadletterqueue.topic.name", "dlq.ready",
                "errors.deadletterqueue.copy.record.enable", "true", "herald.share.retry.backoff.ms", "2000"));
        KafkaProducer<String, String> producer = broker.producer();
        long sent = System.currentTimeMillis();
        producer.send(new ProducerRecord<>("wait", 0, "order-1", "cancel-if-unpaid"));
        producer.flush();

        // The parker releases whatever it gets; the retry backoff keeps a released record back past its TTL. (A
        // record that expires before the group's first fetch is dead-lettered by that fetch without a delivery.)
        KafkaShareConsumer<String, String> parker = shareConsumer(broker, "delayer", "explicit", shareConsumers);
        parker.subscribe(List.of("wait"));
        TopicPartition ready = new TopicPartition("dlq.ready", 0);
        KafkaConsumer<String, String> consumer = broker.consumer();
        consumer.assign(Set.of(ready));
        consumer.seekToBeginning(Set.of(ready));
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (out.isEmpty() && System.nanoTime() < deadline) {
            parker.poll(Duration.ofMillis(100)).forEach(r -> parker.acknowledge(r, AcknowledgeType.RELEASE));
            parker.commitSync(Duration.ofSeconds(T));
            consumer.poll(Duration.ofMillis(100)).forEach(out::add);
        }
        long arrived = System.currentTimeMillis();
        assertThat(out).extracting(ConsumerRecord::value).containsExactly("cancel-if-unpaid");
        assertThat(out.get(0).key()).isEqualTo("order-1");
        assertThat(headers(out.get(0))).containsEntry("__dlq.errors.message", "expired");
        assertThat(arrived - sent).as("no earlier than the TTL").isGreaterThanOrEqualTo(1500);
    }

    // ---- helpers ----

    private record Rec(String value, long timestamp) {}

    private static Rec rec(String value, long timestamp) {
        return new Rec(value, timestamp);
    }

    /** Values with one timestamp, as one batch. */
    private static void sendBatch(KafkaProducer<String, String> p, String topic, long timestamp, String... values)
            throws Exception {
        List<Rec> recs = new ArrayList<>();
        for (String v : values) {
            recs.add(new Rec(v, timestamp));
        }
        sendMixed(p, topic, recs);
    }

    private static void sendMixed(KafkaProducer<String, String> p, String topic, List<Rec> recs) throws Exception {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (Rec r : recs) {
            sent.add(p.send(new ProducerRecord<>(topic, 0, r.timestamp(), null, r.value())));
        }
        p.flush();
        for (var f : sent) {
            f.get(T, TimeUnit.SECONDS);
        }
    }

    private static ProducerRecord<String, String> withTtl(String topic, String value, long timestamp, String ttl) {
        return new ProducerRecord<>(topic, 0, timestamp, null, value,
                List.<Header>of(new RecordHeader("herald.ttl.ms", ttl.getBytes(StandardCharsets.UTF_8))));
    }

}
