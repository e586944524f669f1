package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delayed delivery as a kafka-clients user sees it: a record with a future {@code herald.delay.ms} or
 * {@code herald.deliver.at} header on a topic with {@code herald.delivery.delay.enable=true} is not readable until
 * it is due, then appears once, at a new offset after the records produced meanwhile.
 */
class DelayedDeliveryTest {
    private static final int T = 30;
    private static final Path KCAT = Path.of("/usr/bin/kcat");

    @TempDir
    static Path dir;
    static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start(dir);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static ProducerRecord<String, String> delayed(String topic, String key, String value, String header,
                                                          long ms) {
        return new ProducerRecord<>(topic, 0, key, value, List.of(new RecordHeader(header,
                Long.toString(ms).getBytes(StandardCharsets.UTF_8))));
    }

    private static String header(ConsumerRecord<?, ?> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Polls until {@code expected} records arrived, noting when each did. */
    private static List<Arrival> readArrivals(KafkaConsumer<String, String> consumer, TopicPartition tp, int expected,
                                              Duration timeout) {
        consumer.assign(Set.of(tp));
        consumer.seekToBeginning(Set.of(tp));
        List<Arrival> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < expected && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(20))) {
                out.add(new Arrival(r, System.currentTimeMillis()));
            }
        }
        return out;
    }

    record Arrival(ConsumerRecord<String, String> record, long atMs) {}

    @Test
    void aDelayedRecordIsAppendedWhenDueAtANewOffset() throws Exception {
        String topic = "delay-basic";
        broker.createTopic(topic, 1, Map.of("herald.delivery.delay.enable", "true"));
        TopicPartition tp = new TopicPartition(topic, 0);
        KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 50));
        long sent = System.currentTimeMillis();
        Future<RecordMetadata> a = producer.send(new ProducerRecord<>(topic, 0, "k", "a"));
        Future<RecordMetadata> b = producer.send(delayed(topic, "k", "b", "herald.delay.ms", 1500));
        Future<RecordMetadata> c = producer.send(new ProducerRecord<>(topic, 0, "k", "c"));
        producer.flush();
        assertThat(a.get(T, TimeUnit.SECONDS).offset()).isEqualTo(0);
        assertThat(b.get(T, TimeUnit.SECONDS).offset()).isEqualTo(1); // a placeholder: nothing is ever there
        assertThat(c.get(T, TimeUnit.SECONDS).offset()).isEqualTo(2);

        List<Arrival> got = readArrivals(broker.consumer(), tp, 3, Duration.ofSeconds(T));
        assertThat(got).extracting(g -> g.record().value()).containsExactly("a", "c", "b");
        assertThat(got).extracting(g -> g.record().offset()).containsExactly(0L, 2L, 3L);
        Arrival released = got.get(2);
        assertThat(released.atMs()).isGreaterThanOrEqualTo(sent + 1500);
        assertThat(released.record().timestamp()).isGreaterThanOrEqualTo(sent + 1500);
        assertThat(released.record().key()).isEqualTo("k");
        assertThat(header(released.record(), "herald.delay.ms")).isEqualTo("1500");
        assertThat(header(released.record(), "herald.delayed.id")).matches("\\d+:\\d+");
        assertThat(broker.offset(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).isEqualTo(4);
    }

    @Test
    void releasesByDueTimeThenProduceOrder() throws Exception {
        String topic = "delay-order";
        broker.createTopic(topic, 1, Map.of("herald.delivery.delay.enable", "true"));
        TopicPartition tp = new TopicPartition(topic, 0);
        KafkaProducer<String, String> producer = broker.producer();
        long due = System.currentTimeMillis() + 1500;
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        sends.add(producer.send(delayed(topic, "k", "late", "herald.deliver.at", due + 300)));
        for (int i = 0; i < 5; i++) {
            sends.add(producer.send(delayed(topic, "k", "same-" + i, "herald.deliver.at", due)));
        }
        sends.add(producer.send(delayed(topic, "k", "early", "herald.delay.ms", 700)));
        for (Future<RecordMetadata> f : sends) {
            f.get(T, TimeUnit.SECONDS);
        }
        List<Arrival> got = readArrivals(broker.consumer(), tp, 7, Duration.ofSeconds(T));
        assertThat(got).extracting(g -> g.record().value())
                .containsExactly("early", "same-0", "same-1", "same-2", "same-3", "same-4", "late");
        for (Arrival g : got.subList(1, 6)) {
            assertThat(g.atMs()).isGreaterThanOrEqualTo(due);
        }
        assertThat(got.get(6).atMs()).isGreaterThanOrEqualTo(due + 300);
    }

    /** Admin sees each broker's pending delayed records and next due time among its (read-only) configs. */
    @Test
    void thePendingCountAndNextDueTimeShowInTheBrokersConfigs() throws Exception {
        String topic = "delay-visible";
        broker.createTopic(topic, 1, Map.of("herald.delivery.delay.enable", "true"));
        // Two years ahead: later than anything another test of this broker leaves pending (the restart test
        // expects its year-ahead record to be the broker's next due time).
        long due = System.currentTimeMillis() + 2 * 365L * 24 * 3600 * 1000;
        KafkaProducer<String, String> producer = broker.producer();
        producer.send(delayed(topic, "k", "a", "herald.deliver.at", due)).get(T, TimeUnit.SECONDS);
        producer.send(delayed(topic, "k", "b", "herald.deliver.at", due + 1)).get(T, TimeUnit.SECONDS);
        awaitPending(topic, 2);

        ConfigResource thisBroker = new ConfigResource(ConfigResource.Type.BROKER,
                String.valueOf(broker.broker().config().node().nodeId()));
        Config config = broker.admin().describeConfigs(List.of(thisBroker)).all().get(T, TimeUnit.SECONDS)
                .get(thisBroker);
        ConfigEntry pending = config.get("herald.delayed.pending.records");
        assertThat(pending.isReadOnly()).isTrue();
        assertThat(List.of(pending.value().split(","))).contains(topic + "=2");
        assertThat(Long.parseLong(config.get("herald.delayed.next.due.ms").value())).isPositive()
                .isLessThanOrEqualTo(due);
    }

    @Test
    void aTopicWithoutTheConfigAppendsAtOnceAndShowsTheConfig() throws Exception {
        String topic = "delay-off";
        broker.createTopic(topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        KafkaProducer<String, String> producer = broker.producer();
        producer.send(delayed(topic, "k", "x", "herald.delay.ms", 3_600_000)).get(T, TimeUnit.SECONDS);
        List<Arrival> got = readArrivals(broker.consumer(), tp, 1, Duration.ofSeconds(T));
        assertThat(got).extracting(g -> g.record().value()).containsExactly("x");

        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = broker.admin().describeConfigs(List.of(resource)).all().get(T, TimeUnit.SECONDS)
                .get(resource);
        ConfigEntry entry = config.get("herald.delivery.delay.enable");
        assertThat(entry.value()).isEqualTo("false");
        assertThat(entry.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void aHeaderThatDoesNotParseIsAppendedAtOnce() throws Exception {
        String topic = "delay-bad";
        broker.createTopic(topic, 1, Map.of("herald.delivery.delay.enable", "true"));
        TopicPartition tp = new TopicPartition(topic, 0);
        KafkaProducer<String, String> producer = broker.producer();
        producer.send(new ProducerRecord<>(topic, 0, "k", "bad", List.of(new RecordHeader("herald.delay.ms",
                "soon".getBytes(StandardCharsets.UTF_8))))).get(T, TimeUnit.SECONDS);
        producer.send(delayed(topic, "k", "negative", "herald.delay.ms", -5)).get(T, TimeUnit.SECONDS);
        producer.send(delayed(topic, "k", "past", "herald.deliver.at", 1000)).get(T, TimeUnit.SECONDS);
        List<Arrival> got = readArrivals(broker.consumer(), tp, 3, Duration.ofSeconds(T));
        assertThat(got).extracting(g -> g.record().value()).containsExactly("bad", "negative", "past");
        assertThat(got).extracting(g -> g.record().offset()).containsExactly(0L, 1L, 2L);
    }

    @Test
    void aRetriedProduceIsScheduledOnce() throws Exception {
        String topic = "delay-retry";
        broker.createTopic(topic, 1, Map.of("herald.delivery.delay.enable", "true"));
        TopicPartition tp = new TopicPartition(topic, 0);
        long due = System.currentTimeMillis() + 1000;
        try (TestBroker.RawConnection c = broker.raw()) {
            InitProducerIdResponse init = c.roundTrip(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                    .setTransactionalId(null).setTransactionTimeoutMs(60_000)).build());
            long pid = init.data().producerId();
            short epoch = init.data().producerEpoch();
            MemoryRecords first = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, 0,
                    record("x", due), record("y", -1));
            assertThat(BadInputTest.produce(c, topic, 0, first)).isZero();
            // The producer did not hear back and sends the same batch again: a duplicate, acknowledged.
            assertThat(BadInputTest.produce(c, topic, 0, MemoryRecords.readableRecords(first.buffer().duplicate()))).isZero();
            assertThat(BadInputTest.produce(c, topic, 0, MemoryRecords.withIdempotentRecords(Compression.NONE, pid,
                    epoch, 2, record("z", due), record("w", -1), record("sentinel", due + 300)))).isZero();
        }
        List<Arrival> got = readArrivals(broker.consumer(), tp, 5, Duration.ofSeconds(T));
        // The sentinel is due last of this partition's delayed records, so every copy of x would be out before it.
        assertThat(got).extracting(g -> g.record().value()).containsExactly("y", "w", "x", "z", "sentinel");
    }

    @Test
    void pendingRecordsSurviveARestartAndAreReleasedOnce() throws Exception {
        String topic = "delay-restart";
        broker.createTopic(topic, 1, Map.of("herald.delivery.delay.enable", "true"));
        TopicPartition tp = new TopicPartition(topic, 0);
        long yearAhead = System.currentTimeMillis() + 365L * 24 * 3600 * 1000;
        KafkaProducer<String, String> producer = broker.producer();
        producer.send(delayed(topic, "k", "next-year", "herald.deliver.at", yearAhead)).get(T, TimeUnit.SECONDS);
        long sent = System.currentTimeMillis();
        producer.send(delayed(topic, "k", "soon", "herald.delay.ms", 2500)).get(T, TimeUnit.SECONDS);
        awaitPending(topic, 2);

        broker.restart();
        List<Arrival> got = readArrivals(broker.consumer(), tp, 1, Duration.ofSeconds(T));
        assertThat(got).extracting(g -> g.record().value()).containsExactly("soon");
        assertThat(got.get(0).atMs()).isGreaterThanOrEqualTo(sent + 2500);
        // The one due next year is still held, and nothing else was appended: the end is the released record's.
        awaitPending(topic, 1);
        assertThat(broker.broker().delayedDelivery().nextDueMs()).isEqualTo(yearAhead);
        assertThat(broker.offset(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                .isEqualTo(got.get(0).record().offset() + 1);
    }

    @Test
    void aDelayedRecordInATransactionIsReleasedOnlyIfItCommits() throws Exception {
        String topic = "delay-txn";
        broker.createTopic(topic, 1, Map.of("herald.delivery.delay.enable", "true"));
        TopicPartition tp = new TopicPartition(topic, 0);
        long committedAt;
        try (KafkaProducer<String, String> txn = broker.producer(Map.of("transactional.id", "delay-txn-writer"))) {
            txn.initTransactions();
            txn.beginTransaction();
            txn.send(delayed(topic, "k", "aborted-later", "herald.delay.ms", 300));
            txn.send(new ProducerRecord<>(topic, 0, "k", "aborted-now"));
            txn.flush();
            txn.abortTransaction();

            txn.beginTransaction();
            txn.send(delayed(topic, "k", "committed-later", "herald.delay.ms", 300));
            txn.send(new ProducerRecord<>(topic, 0, "k", "committed-now"));
            txn.commitTransaction();
            committedAt = System.currentTimeMillis();
        }
        // Due after both transactional records, in the same timer partition: released after them.
        KafkaProducer<String, String> producer = broker.producer();
        producer.send(delayed(topic, "k", "sentinel", "herald.delay.ms", 900)).get(T, TimeUnit.SECONDS);

        List<Arrival> got = readArrivals(broker.consumer(Map.of("isolation.level", "read_committed")), tp, 3,
                Duration.ofSeconds(T));
        assertThat(got).extracting(g -> g.record().value())
                .containsExactly("committed-now", "committed-later", "sentinel");
        assertThat(got.get(1).atMs()).isGreaterThanOrEqualTo(committedAt);
        assertThat(header(got.get(1).record(), "herald.delay.ms")).isEqualTo("300");
        awaitPending(topic, 0);
    }

    @Test
    void delayedRecordsTooLargeForTheTimerLogAreRefusedWithMessageTooLarge() throws Exception {
        String topic = "delay-too-large";
        int size = 17 * 1024 * 1024; // above the timer log's 16 MiB batch limit, below the topic's and request's
        broker.createTopic(topic, 1, Map.of("herald.delivery.delay.enable", "true", "max.message.bytes",
                String.valueOf(24 * 1024 * 1024)));
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> producer = broker.producer(Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 24 * 1024 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024))) {
            Future<RecordMetadata> big = producer.send(delayed(topic, "k", "x".repeat(size), "herald.delay.ms",
                    60_000));
            assertThatThrownBy(() -> big.get(T, TimeUnit.SECONDS)).hasCauseInstanceOf(RecordTooLargeException.class);
            // Nothing of it went anywhere: the partition is empty and nothing waits in the timer log.
            producer.send(new ProducerRecord<>(topic, 0, "k", "small")).get(T, TimeUnit.SECONDS);
        }
        assertThat(broker.offset(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).isEqualTo(1);
        awaitPending(topic, 0);
    }

    /**
     * The million-record check at CI size (the bench's {@code delayed-1M} runs the full size): random due
     * times over 12 s, most of them first in the on-disk buckets, each delivered once and never early. The
     * lateness is printed, not asserted (timings belong to the bench).
     */
    @Test
    void manyRandomDueTimesAreEachDeliveredOnceAndNeverEarly() throws Exception {
        String topic = "delay-many";
        int count = 20_000;
        broker.createTopic(topic, 3, Map.of("herald.delivery.delay.enable", "true"));
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        long start = System.currentTimeMillis() + 3_000;
        long[] dueMs = new long[count];
        try (KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                dueMs[i] = start + random.nextLong(12_000);
                sends.add(producer.send(new ProducerRecord<>(topic, i % 3, "k" + (i % 50), Integer.toString(i),
                        List.of(new RecordHeader("herald.deliver.at",
                                Long.toString(dueMs[i]).getBytes(StandardCharsets.UTF_8))))));
            }
            for (Future<RecordMetadata> f : sends) {
                f.get(T, TimeUnit.SECONDS);
            }
        }
        int[] seen = new int[count];
        long[] lateness = new long[count];
        int distinct = 0;
        long early = 0;
        try (KafkaConsumer<String, String> consumer = broker.consumer()) {
            Set<TopicPartition> all = Set.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                    new TopicPartition(topic, 2));
            consumer.assign(all);
            consumer.seekToBeginning(all);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (distinct < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.currentTimeMillis();
                    int i = Integer.parseInt(r.value());
                    if (seen[i]++ == 0) {
                        lateness[distinct++] = now - dueMs[i];
                    }
                    early += now < dueMs[i] || r.timestamp() != dueMs[i] ? 1 : 0;
                }
            }
            // Nothing is pending any more, so nothing more can be released: read to the log end for copies.
            awaitPending(topic, 0);
            Map<TopicPartition, Long> ends = consumer.endOffsets(all);
            while (all.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(50)).forEach(r -> seen[Integer.parseInt(r.value())]++);
            }
            assertThat(all).allMatch(tp -> consumer.position(tp) >= ends.get(tp), "read to the log end");
        }
        assertThat(distinct).as("records delivered").isEqualTo(count);
        assertThat(java.util.Arrays.stream(seen).filter(n -> n > 1).count()).as("delivered twice").isZero();
        assertThat(early).as("delivered before their due time, or stamped otherwise").isZero();
        java.util.Arrays.sort(lateness);
        System.out.printf("delayed delivery, %d records over 12 s: lateness p50 %d ms, p99 %d ms, max %d ms%n",
                count, lateness[count / 2], lateness[count * 99 / 100], lateness[count - 1]);
    }

    /** librdkafka sets the header from the command line: {@code kcat -P -H herald.delay.ms=...}. */
    @Test
    void kcatSetsTheDelayHeader() throws Exception {
        assumeTrue(Files.isExecutable(KCAT), "kcat is not installed");
        String topic = "delay-kcat";
        broker.createTopic(topic, 1, Map.of("herald.delivery.delay.enable", "true"));
        TopicPartition tp = new TopicPartition(topic, 0);
        long sent = System.currentTimeMillis();
        Process kcat = new ProcessBuilder(KCAT.toString(), "-P", "-b", broker.bootstrap(), "-t", topic, "-p", "0",
                "-H", "herald.delay.ms=1500").redirectErrorStream(true).start();
        try (var in = kcat.getOutputStream()) {
            in.write("later\n".getBytes(StandardCharsets.UTF_8));
        }
        boolean exited = kcat.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            kcat.destroyForcibly();
        }
        String out = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(exited).as("kcat exited; output: %s", out).isTrue();
        assertThat(kcat.exitValue()).as(out).isZero();

        List<Arrival> got = readArrivals(broker.consumer(), tp, 1, Duration.ofSeconds(T));
        assertThat(got).extracting(g -> g.record().value()).containsExactly("later");
        assertThat(got.get(0).atMs()).isGreaterThanOrEqualTo(sent + 1500);
        assertThat(got.get(0).record().offset()).as("after the placeholder").isEqualTo(1);
    }

    /** The broker's count of pending records of {@code topic} is updated after each release cycle. */
    private static void awaitPending(String topic, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (broker.broker().delayedDelivery().pendingByTopic().getOrDefault(topic, 0) != expected
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(broker.broker().delayedDelivery().pendingByTopic().getOrDefault(topic, 0)).as("pending of %s",
                topic).isEqualTo(expected);
    }

    private static SimpleRecord record(String value, long deliverAt) {
        Header[] headers = deliverAt < 0 ? new Header[0] : new Header[] {new RecordHeader("herald.deliver.at",
                Long.toString(deliverAt).getBytes(StandardCharsets.UTF_8))};
        return new SimpleRecord(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8), headers);
    }
}
