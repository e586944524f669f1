package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Stock kafka-clients producer and group-less consumer against one in-process broker. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProduceConsumeTest {
    @TempDir
    Path dir;
    TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void everyCompressionTypeRoundTrips(String compression) throws Exception {
        String topic = "compressed-" + compression;
        broker.createTopic(topic, 1, Map.of());
        KafkaProducer<String, String> producer = broker.producer(Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, compression, ProducerConfig.LINGER_MS_CONFIG, 20));
        int n = 2000;
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Repetitive values so compression actually shrinks the batch.
            acks.add(producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i + "-" + "x".repeat(i % 50))));
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(),
                Set.of(new TopicPartition(topic, 0)), n, Duration.ofSeconds(30));
        assertThat(got).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(got.get(i).offset()).isEqualTo(i);
            assertThat(got.get(i).key()).isEqualTo("key-" + i);
            assertThat(got.get(i).value()).isEqualTo("value-" + i + "-" + "x".repeat(i % 50));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "all"})
    void everyAcksSettingDelivers(String acks) throws Exception {
        String topic = "acks-" + acks;
        broker.createTopic(topic, 1, Map.of());
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ProducerConfig.ACKS_CONFIG, acks);
        if (!acks.equals("all")) {
            cfg.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        }
        KafkaProducer<String, String> producer = broker.producer(cfg);
        int n = 500;
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)));
        }
        producer.flush();
        for (Future<RecordMetadata> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(),
                Set.of(new TopicPartition(topic, 0)), n, Duration.ofSeconds(30));
        assertThat(got).extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, n).mapToObj(i -> "v" + i).toList());
    }

    @Test
    void headersNullKeysAndNullValuesSurvive() throws Exception {
        String topic = "headers";
        broker.createTopic(topic, 1, Map.of());
        KafkaProducer<String, String> producer = broker.producer();
        List<Header> headers = List.of(new RecordHeader("h1", "one".getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("h2", (byte[]) null), new RecordHeader("h1", new byte[0]));
        producer.send(new ProducerRecord<>(topic, 0, "k", "v", headers)).get(20, TimeUnit.SECONDS);
        producer.send(new ProducerRecord<>(topic, 0, null, "null-key")).get(20, TimeUnit.SECONDS);
        producer.send(new ProducerRecord<>(topic, 0, "null-value", null)).get(20, TimeUnit.SECONDS);
        producer.send(new ProducerRecord<String, String>(topic, 0, null, null)).get(20, TimeUnit.SECONDS);

        List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(),
                Set.of(new TopicPartition(topic, 0)), 4, Duration.ofSeconds(20));
        assertThat(got).hasSize(4);
        Header[] h = got.get(0).headers().toArray();
        assertThat(h).hasSize(3);
        assertThat(h[0].key()).isEqualTo("h1");
        assertThat(new String(h[0].value(), StandardCharsets.UTF_8)).isEqualTo("one");
        assertThat(h[1].key()).isEqualTo("h2");
        assertThat(h[1].value()).isNull();
        assertThat(h[2].key()).isEqualTo("h1");
        assertThat(h[2].value()).isEmpty();
        assertThat(got.get(1).key()).isNull();
        assertThat(got.get(1).value()).isEqualTo("null-key");
        assertThat(got.get(2).key()).isEqualTo("null-value");
        assertThat(got.get(2).value()).isNull();
        assertThat(got.get(3).key()).isNull();
        assertThat(got.get(3).value()).isNull();
        assertThat(got.get(3).headers().toArray()).isEmpty();
    }

    @Test
    void batchNearMaxMessageBytesSucceeds() throws Exception {
        String topic = "big";
        broker.createTopic(topic, 1, Map.of());   // default max.message.bytes 1048588
        KafkaProducer<String, String> producer = broker.producer(Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 16 * 1024 * 1024));
        String value = "v".repeat(1_000_000);
        RecordMetadata md = producer.send(new ProducerRecord<>(topic, "k", value)).get(30, TimeUnit.SECONDS);
        assertThat(md.offset()).isZero();
        List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(Map.of(
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2 * 1024 * 1024)),
                Set.of(new TopicPartition(topic, 0)), 1, Duration.ofSeconds(20));
        assertThat(got).hasSize(1);
        assertThat(got.get(0).value()).isEqualTo(value);
    }

    @Test
    void batchOverTopicMaxMessageBytesIsRejectedByTheBroker() throws Exception {
        String topic = "small-max";
        broker.createTopic(topic, 1, Map.of("max.message.bytes", "10000"));
        KafkaProducer<String, String> producer = broker.producer(Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024));
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "k", "v".repeat(20_000)))
                .get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RecordTooLargeException.class);
        // A record under the limit on the same topic still goes through (new producer: the old one may
        // have bumped its epoch after the error).
        KafkaProducer<String, String> second = broker.producer();
        assertThat(second.send(new ProducerRecord<>(topic, "k", "small")).get(30, TimeUnit.SECONDS).offset())
                .isZero();
    }

    @Test
    void hundredThousandRecordsOverEightPartitionsReadBackInOrder() throws Exception {
        String topic = "many";
        int partitions = 8;
        int n = 100_000;
        broker.createTopic(topic, partitions, Map.of());
        KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024));
        List<Future<RecordMetadata>> acks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            // Key names the partition and the per-partition sequence number.
            int p = i % partitions;
            acks.add(producer.send(new ProducerRecord<>(topic, p, p + ":" + (i / partitions), "value-" + i)));
        }
        producer.flush();
        for (Future<RecordMetadata> ack : acks) {
            ack.get(60, TimeUnit.SECONDS);
        }
        Set<TopicPartition> tps = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000)), tps, n, Duration.ofSeconds(60));
        assertThat(got).hasSize(n);
        long[] nextSeq = new long[partitions];
        for (ConsumerRecord<String, String> r : got) {
            String[] parts = r.key().split(":");
            int p = Integer.parseInt(parts[0]);
            long seq = Long.parseLong(parts[1]);
            assertThat(r.partition()).isEqualTo(p);
            assertThat(seq).as("partition %d order", p).isEqualTo(nextSeq[p]);
            assertThat(r.offset()).isEqualTo(seq);
            assertThat(r.value()).isEqualTo("value-" + (seq * partitions + p));
            nextSeq[p]++;
        }
        for (int p = 0; p < partitions; p++) {
            assertThat(nextSeq[p]).isEqualTo(n / partitions);
        }
    }

    @Test
    void restartKeepsEverythingAndProducingContinues() throws Exception {
        String topic = "durable";
        broker.createTopic(topic, 2, Map.of());
        KafkaProducer<String, String> producer = broker.producer();
        for (int i = 0; i < 1000; i++) {
            producer.send(new ProducerRecord<>(topic, i % 2, "k" + i, "before-" + i));
        }
        producer.flush();

        broker.restart();

        Set<TopicPartition> tps = Set.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
        List<ConsumerRecord<String, String>> before = TestBroker.readAll(broker.consumer(), tps, 1000,
                Duration.ofSeconds(30));
        assertThat(before).hasSize(1000);
        assertThat(before).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(
                java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "before-" + i).toList());

        KafkaProducer<String, String> after = broker.producer();
        for (int i = 0; i < 100; i++) {
            RecordMetadata md = after.send(new ProducerRecord<>(topic, i % 2, "k" + i, "after-" + i))
                    .get(20, TimeUnit.SECONDS);
            assertThat(md.offset()).isEqualTo(500 + i / 2);
        }
        List<ConsumerRecord<String, String>> all = TestBroker.readAll(broker.consumer(), tps, 1100,
                Duration.ofSeconds(30));
        assertThat(all).hasSize(1100);
        for (int p = 0; p < 2; p++) {
            int partition = p;
            List<Long> offsets = all.stream().filter(r -> r.partition() == partition)
                    .map(ConsumerRecord::offset).toList();
            assertThat(offsets).containsExactlyElementsOf(
                    java.util.stream.LongStream.range(0, 550).boxed().toList());
        }
    }
    @Test
    void seekIntoTheMiddleOfACompressedBatch() throws Exception {
        String topic = "mid-batch";
        broker.createTopic(topic, 1, Map.of());
        KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "gzip", ProducerConfig.LINGER_MS_CONFIG, 200, ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024));
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            acks.add(producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)));
        }
        producer.flush();
        for (Future<RecordMetadata> a : acks) {
            a.get(20, TimeUnit.SECONDS);
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        KafkaConsumer<String, String> consumer = broker.consumer();
        consumer.assign(Set.of(tp));
        consumer.seek(tp, 57);
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (got.size() < 43 && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(got::add);
        }
        assertThat(got).hasSize(43);
        assertThat(got.get(0).offset()).isEqualTo(57);
        assertThat(got.get(0).value()).isEqualTo("v57");
        assertThat(got.get(42).value()).isEqualTo("v99");
    }

    @Test
    void logAppendTimeIsStampedByTheBroker() throws Exception {
        for (String compression : List.of("none", "lz4")) {
            String topic = "lat-" + compression;
            broker.createTopic(topic, 1, Map.of("message.timestamp.type", "LogAppendTime"));
            KafkaProducer<String, String> producer = broker.producer(Map.of(
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, compression, ProducerConfig.LINGER_MS_CONFIG, 50));
            long before = System.currentTimeMillis();
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, 0, 42L, "k" + i, "v" + i)));
            }
            producer.flush();
            for (Future<RecordMetadata> a : acks) {
                assertThat(a.get(20, TimeUnit.SECONDS).timestamp()).as(compression + " ack timestamp")
                        .isGreaterThanOrEqualTo(before);
            }
            List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(),
                    Set.of(new TopicPartition(topic, 0)), 10, Duration.ofSeconds(20));
            assertThat(got).hasSize(10);
            for (ConsumerRecord<String, String> r : got) {
                assertThat(r.timestampType()).as(compression)
                        .isEqualTo(org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME);
                assertThat(r.timestamp()).as(compression).isGreaterThanOrEqualTo(before)
                        .isLessThanOrEqualTo(System.currentTimeMillis());
            }
        }
    }

    @Test
    void smallFetchSizesStillReturnTheFirstBatch() throws Exception {
        String topic = "fetch-small";
        broker.createTopic(topic, 1, Map.of());
        KafkaProducer<String, String> producer = broker.producer(Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024));
        String big = "b".repeat(200_000);
        producer.send(new ProducerRecord<>(topic, 0, "k1", big)).get(20, TimeUnit.SECONDS);
        producer.send(new ProducerRecord<>(topic, 0, "k2", big)).get(20, TimeUnit.SECONDS);
        List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(Map.of(
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1024,
                        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 1024)),
                Set.of(new TopicPartition(topic, 0)), 2, Duration.ofSeconds(20));
        assertThat(got).extracting(ConsumerRecord::key).containsExactly("k1", "k2");
        assertThat(got.get(1).value()).isEqualTo(big);
    }

    @Test
    void deletedAndRecreatedTopicStartsEmpty() throws Exception {
        String topic = "phoenix";
        broker.createTopic(topic, 1, Map.of());
        KafkaProducer<String, String> producer = broker.producer();
        for (int i = 0; i < 10; i++) {
            producer.send(new ProducerRecord<>(topic, 0, "k", "old-" + i)).get(20, TimeUnit.SECONDS);
        }
        try (org.apache.kafka.clients.admin.Admin admin = broker.admin()) {
            admin.deleteTopics(List.of(topic)).all().get(20, TimeUnit.SECONDS);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(admin.listTopics().names().get(20, TimeUnit.SECONDS)).doesNotContain(topic));
        }
        broker.createTopic(topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        assertThat(broker.offset(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).isZero();
        KafkaProducer<String, String> fresh = broker.producer();
        assertThat(fresh.send(new ProducerRecord<>(topic, 0, "k", "new-0")).get(20, TimeUnit.SECONDS).offset())
                .isZero();
        List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(), Set.of(tp), 1,
                Duration.ofSeconds(20));
        assertThat(got).extracting(ConsumerRecord::value).containsExactly("new-0");

        broker.restart();
        assertThat(broker.offset(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).isEqualTo(1);
        assertThat(TestBroker.readAll(broker.consumer(), Set.of(tp), 1, Duration.ofSeconds(20)))
                .extracting(ConsumerRecord::value).containsExactly("new-0");
    }

    @Test
    void restartKeepsTopicMetadataConfigsLogStartAndTimeIndex() throws Exception {
        String topic = "survivor";
        broker.createTopic(topic, 2, Map.of("internal.segment.bytes", "2048", "retention.ms", "987654321"));
        String gone = "gone";
        broker.createTopic(gone, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        KafkaProducer<String, String> producer = broker.producer();
        for (int i = 0; i < 100; i++) {
            // ~20 segments with increasing timestamps 10_000, 10_010, ...
            producer.send(new ProducerRecord<>(topic, 0, 10_000L + 10L * i, "k" + i, "x".repeat(100)))
                    .get(20, TimeUnit.SECONDS);
        }
        try (org.apache.kafka.clients.admin.Admin admin = broker.admin()) {
            admin.createPartitions(Map.of(topic, org.apache.kafka.clients.admin.NewPartitions.increaseTo(3)))
                    .all().get(20, TimeUnit.SECONDS);
            admin.deleteTopics(List.of(gone)).all().get(20, TimeUnit.SECONDS);
            admin.deleteRecords(Map.of(tp, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(30)))
                    .all().get(20, TimeUnit.SECONDS);
            admin.incrementalAlterConfigs(Map.of(
                    new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic),
                    List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                            new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", "500000"),
                            org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all()
                    .get(20, TimeUnit.SECONDS);
        }
        long atTs = broker.offset(tp, org.apache.kafka.clients.admin.OffsetSpec.forTimestamp(10_505));
        assertThat(atTs).isEqualTo(51);

        broker.restart();

        try (org.apache.kafka.clients.admin.Admin admin = broker.admin()) {
            assertThat(admin.listTopics().names().get(20, TimeUnit.SECONDS)).contains(topic).doesNotContain(gone);
            assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic)
                    .partitions()).hasSize(3);
            org.apache.kafka.common.config.ConfigResource res = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            org.apache.kafka.clients.admin.Config cfg = admin.describeConfigs(List.of(res)).all()
                    .get(20, TimeUnit.SECONDS).get(res);
            assertThat(cfg.get("retention.ms").value()).isEqualTo("987654321");
            assertThat(cfg.get("internal.segment.bytes").value()).isEqualTo("2048");
            assertThat(cfg.get("max.message.bytes").value()).isEqualTo("500000");
        }
        assertThat(broker.offset(tp, org.apache.kafka.clients.admin.OffsetSpec.earliest())).isEqualTo(30);
        assertThat(broker.offset(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).isEqualTo(100);
        assertThat(broker.offset(tp, org.apache.kafka.clients.admin.OffsetSpec.forTimestamp(10_505))).isEqualTo(51);
        assertThat(broker.offset(tp, org.apache.kafka.clients.admin.OffsetSpec.forTimestamp(10_990))).isEqualTo(99);
        assertThat(broker.offset(tp, org.apache.kafka.clients.admin.OffsetSpec.maxTimestamp())).isEqualTo(99);
        List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(), Set.of(tp), 70,
                Duration.ofSeconds(20));
        assertThat(got).extracting(ConsumerRecord::offset)
                .containsExactlyElementsOf(java.util.stream.LongStream.range(30, 100).boxed().toList());
        // The new partition takes writes after the restart.
        assertThat(broker.producer().send(new ProducerRecord<>(topic, 2, "k", "v")).get(20, TimeUnit.SECONDS)
                .offset()).isZero();
    }
    @Test
    void autoCreateOnProduceHonoursNumPartitions() throws Exception {
        try (TestBroker auto = TestBroker.start(dir.resolve("auto"), Map.of("num.partitions", "3"))) {
            KafkaProducer<String, String> producer = auto.producer();
            assertThat(producer.send(new ProducerRecord<>("auto-made", "k", "v")).get(30, TimeUnit.SECONDS)
                    .offset()).isZero();
            assertThat(producer.partitionsFor("auto-made")).hasSize(3);
        }
        try (TestBroker manual = TestBroker.start(dir.resolve("manual"), Map.of("auto.create.topics.enable",
                "false"))) {
            KafkaProducer<String, String> producer = manual.producer(Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1500));
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("never-made", "k", "v"))
                    .get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
            try (org.apache.kafka.clients.admin.Admin admin = manual.admin()) {
                assertThat(admin.listTopics().names().get(20, TimeUnit.SECONDS)).doesNotContain("never-made");
            }
        }
    }

    @Test
    void maxMessageBytesAppliesToTheCompressedBatch() throws Exception {
        String topic = "compressible";
        broker.createTopic(topic, 1, Map.of("max.message.bytes", "10000"));
        KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "gzip", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024 * 1024));
        String value = "z".repeat(50_000);   // gzip shrinks this to well under 10000 bytes
        assertThat(producer.send(new ProducerRecord<>(topic, "k", value)).get(20, TimeUnit.SECONDS).offset()).isZero();
        List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(),
                Set.of(new TopicPartition(topic, 0)), 1, Duration.ofSeconds(20));
        assertThat(got.get(0).value()).isEqualTo(value);
    }

    @Test
    void brokerMessageMaxBytesIsTheTopicDefault() throws Exception {
        try (TestBroker small = TestBroker.start(dir.resolve("small"), Map.of("message.max.bytes", "10000"))) {
            small.createTopic("defaulted", 1, Map.of());
            KafkaProducer<String, String> producer = small.producer(Map.of(
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024 * 1024));
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("defaulted", "k", "v".repeat(20_000)))
                    .get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(RecordTooLargeException.class);
            assertThat(small.producer().send(new ProducerRecord<>("defaulted", "k", "v".repeat(5_000)))
                    .get(30, TimeUnit.SECONDS).offset()).isZero();
        }
    }

    @Test
    void clientsSurviveABrokerRestartOnTheSamePort() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (TestBroker fixed = TestBroker.start(dir.resolve("fixed"),
                Map.of("listeners", "PLAINTEXT://127.0.0.1:" + port))) {
            String topic = "continuous";
            fixed.createTopic(topic, 1, Map.of());
            TopicPartition tp = new TopicPartition(topic, 0);
            // Built by hand so restart() does not close them.
            Map<String, Object> pc = new HashMap<>();
            pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fixed.bootstrap());
            pc.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.StringSerializer.class);
            pc.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.StringSerializer.class);
            pc.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
            pc.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
            Map<String, Object> cc = new HashMap<>();
            cc.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, fixed.bootstrap());
            cc.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.StringDeserializer.class);
            cc.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.StringDeserializer.class);
            cc.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            cc.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
            cc.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(pc);
                 KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cc)) {
                consumer.assign(Set.of(tp));
                consumer.seek(tp, 0);
                List<ConsumerRecord<String, String>> got = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)).get(20, TimeUnit.SECONDS);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (got.size() < 100 && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(100)).forEach(got::add);
                }
                assertThat(got).hasSize(100);

                fixed.restart();

                // The same idempotent producer continues: no duplicates, no gaps, no fatal sequence errors.
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (int i = 100; i < 200; i++) {
                    acks.add(producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)));
                }
                for (int i = 0; i < acks.size(); i++) {
                    assertThat(acks.get(i).get(60, TimeUnit.SECONDS).offset()).isEqualTo(100 + i);
                }
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (got.size() < 200 && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(100)).forEach(got::add);
                }
                assertThat(got).extracting(ConsumerRecord::value).containsExactlyElementsOf(
                        java.util.stream.IntStream.range(0, 200).mapToObj(i -> "v" + i).toList());
            }
        }
    }
}
