package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed, oversized, corrupt and impossible requests get a Kafka error code or a closed connection, and
 * the broker keeps serving normal clients afterwards (every test ends with {@link TestBroker#assertHealthy}).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BadInputTest {
    private static final int MAX_REQUEST = 1024 * 1024;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    @TempDir
    Path dir;
    TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir, Map.of("socket.request.max.bytes", String.valueOf(MAX_REQUEST),
                "auto.create.topics.enable", "false", "herald.log.dir.recheck.interval.ms", "200"));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void frameOverSocketRequestMaxBytesClosesTheConnection() throws Exception {
        try (TestBroker.RawConnection c = broker.raw()) {
            ByteBuffer prefix = ByteBuffer.allocate(4 + 1024).putInt(2 * MAX_REQUEST);
            c.sendRaw(prefix.array());
            assertThat(c.closedWithin(CLOSE_WAIT)).isTrue();
        }
        broker.assertHealthy();
    }

    @Test
    void negativeFrameSizeClosesTheConnection() throws Exception {
        try (TestBroker.RawConnection c = broker.raw()) {
            c.sendRaw(ByteBuffer.allocate(8).putInt(-7).array());
            assertThat(c.closedWithin(CLOSE_WAIT)).isTrue();
        }
        broker.assertHealthy();
    }

    @Test
    void unknownApiKeyClosesTheConnection() throws Exception {
        byte[] clientId = "herald-e2e".getBytes(StandardCharsets.UTF_8);
        ByteBuffer header = ByteBuffer.allocate(2 + 2 + 4 + 2 + clientId.length + 16);
        header.putShort((short) 999).putShort((short) 0).putInt(42).putShort((short) clientId.length).put(clientId);
        try (TestBroker.RawConnection c = broker.raw()) {
            c.sendFrame(header.array());
            assertThat(c.closedWithin(CLOSE_WAIT)).isTrue();
        }
        broker.assertHealthy();
    }

    @Test
    void apiVersionsWithUnsupportedVersionAnswersUnsupportedVersion() throws Exception {
        ApiVersionsRequest request = new ApiVersionsRequest.Builder().build((short) 3);
        byte[] bytes = TestBroker.RawConnection.toBytes(TestBroker.RawConnection.serialize(request, 77));
        ByteBuffer.wrap(bytes).putShort(2, (short) 99);   // api_version in the header
        try (TestBroker.RawConnection c = broker.raw()) {
            c.sendFrame(bytes);
            ByteBuffer response = c.readFrame();
            assertThat(response).as("ApiVersions v99 must be answered, not closed").isNotNull();
            assertThat(response.getInt()).as("correlation id").isEqualTo(77);
            // ApiVersionsResponse v0 body starts with error_code (response header v0, no tagged fields).
            assertThat(response.getShort()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            // The connection stays usable: a supported ApiVersions on it works.
            assertThat(c.<org.apache.kafka.common.requests.ApiVersionsResponse>roundTrip(
                    new ApiVersionsRequest.Builder().build((short) 3)).data().errorCode()).isZero();
        }
        broker.assertHealthy();
    }

    @Test
    void truncatedBodyClosesTheConnection() throws Exception {
        MetadataRequest request = new MetadataRequest.Builder(List.of("a-topic", "another-topic"), false)
                .build((short) 12);
        byte[] full = TestBroker.RawConnection.toBytes(TestBroker.RawConnection.serialize(request, 5));
        byte[] truncated = java.util.Arrays.copyOf(full, full.length - 12);
        try (TestBroker.RawConnection c = broker.raw()) {
            c.sendFrame(truncated);
            assertThat(c.closedWithin(CLOSE_WAIT)).isTrue();
        }
        broker.assertHealthy();
    }

    @Test
    void garbageBodyClosesTheConnection() throws Exception {
        byte[] clientId = "herald-e2e".getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(2 + 2 + 4 + 2 + clientId.length + 1 + 64);
        // Produce v9 (flexible): header v2, then a body of 0xFF bytes (varints that never end / huge lengths).
        frame.putShort((short) 0).putShort((short) 9).putInt(9).putShort((short) clientId.length).put(clientId)
                .put((byte) 0);
        while (frame.hasRemaining()) {
            frame.put((byte) 0xFF);
        }
        try (TestBroker.RawConnection c = broker.raw()) {
            c.sendFrame(frame.array());
            assertThat(c.closedWithin(CLOSE_WAIT)).isTrue();
        }
        broker.assertHealthy();
    }

    @Test
    void corruptCrcIsRejectedWithCorruptMessageAndNotAppended() throws Exception {
        broker.createTopic("crc", 1, Map.of());
        TopicPartition tp = new TopicPartition("crc", 0);
        try (TestBroker.RawConnection c = broker.raw()) {
            assertThat(produce(c, "crc", 0, batch("good"))).isEqualTo(Errors.NONE.code());
            long latest = broker.offset(tp, OffsetSpec.latest());
            assertThat(latest).isEqualTo(1);

            MemoryRecords bad = batch("corrupt-me");
            ByteBuffer buf = bad.buffer();
            int last = buf.limit() - 2;                     // inside the last record's value, after the CRC
            buf.put(last, (byte) (buf.get(last) ^ 0x5A));
            assertThat(produce(c, "crc", 0, MemoryRecords.readableRecords(buf)))
                    .isEqualTo(Errors.CORRUPT_MESSAGE.code());
            assertThat(broker.offset(tp, OffsetSpec.latest())).isEqualTo(latest);

            assertThat(produce(c, "crc", 0, batch("good-again"))).isEqualTo(Errors.NONE.code());
            assertThat(broker.offset(tp, OffsetSpec.latest())).isEqualTo(latest + 1);
        }
        broker.assertHealthy();
    }

    @Test
    void invalidTopicNameInCreateTopicsIsRejected() throws Exception {
        try (Admin admin = broker.admin()) {
            for (String bad : List.of("has space", "slash/", "..", ".", "x".repeat(300), "emoji-\u2603")) {
                assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic(bad, 1, (short) 1)))
                        .all().get(20, TimeUnit.SECONDS))
                        .as(bad).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(InvalidTopicException.class);
            }
        }
        broker.assertHealthy();
    }

    @Test
    void produceToMissingTopicWithoutAutoCreateIsUnknownTopic() throws Exception {
        try (TestBroker.RawConnection c = broker.raw()) {
            assertThat(produce(c, "ghost", 0, batch("boo"))).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            MetadataResponse md = c.roundTrip(new MetadataRequest.Builder(List.of("ghost"), true)
                    .build((short) 12));
            assertThat(md.topicMetadata()).singleElement()
                    .satisfies(t -> assertThat(t.error()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        broker.createTopic("one-partition", 1, Map.of());
        try (TestBroker.RawConnection c = broker.raw()) {
            assertThat(produce(c, "one-partition", 5, batch("nope")))
                    .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        broker.assertHealthy();
    }

    @Test
    void fetchBeyondLogEndIsOffsetOutOfRange() throws Exception {
        broker.createTopic("short", 1, Map.of());
        try (TestBroker.RawConnection c = broker.raw()) {
            for (int i = 0; i < 3; i++) {
                assertThat(produce(c, "short", 0, batch("r" + i))).isZero();
            }
            assertThat(fetchError(c, "short", 1000)).isEqualTo(Errors.OFFSET_OUT_OF_RANGE.code());
            assertThat(fetchError(c, "short", -5)).isEqualTo(Errors.OFFSET_OUT_OF_RANGE.code());
            assertThat(fetchError(c, "short", 3)).isEqualTo(Errors.NONE.code());  // log end: empty, no error
            assertThat(fetchError(c, "short", 0)).isEqualTo(Errors.NONE.code());
        }
        broker.assertHealthy();
    }

    /**
     * Disk error: the partition directory is removed and replaced by a regular file while the broker runs. The
     * open segment keeps accepting appends until it must roll; the roll cannot create files, the partition
     * goes offline and produce answers KAFKA_STORAGE_ERROR. The other partition of the topic keeps working.
     */
    @Test
    void aDiskErrorTakesTheLogDirOfflineAndItComesBackOnceRepaired() throws Exception {
        broker.createTopic("disk", 2, Map.of("internal.segment.bytes", "1024"));
        try (TestBroker.RawConnection c = broker.raw()) {
            assertThat(produce(c, "disk", 0, batch("first"))).isZero();
            assertThat(produce(c, "disk", 1, batch("first"))).isZero();

            Path partitionDir = dir.resolve("disk-0");
            assertThat(partitionDir).isDirectory();
            try (Stream<Path> files = Files.walk(partitionDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            Files.writeString(partitionDir, "not a directory");

            short error = Errors.NONE.code();
            for (int i = 0; i < 20 && error == Errors.NONE.code(); i++) {
                error = produce(c, "disk", 0, batch("x".repeat(400)));
            }
            assertThat(error).isEqualTo(Errors.KAFKA_STORAGE_ERROR.code());
            // Kafka's rule: a failure takes the whole log dir offline, so its other partitions answer the same.
            assertThat(awaitProduce(c, 1, Errors.KAFKA_STORAGE_ERROR, Duration.ofSeconds(5)))
                    .isEqualTo(Errors.KAFKA_STORAGE_ERROR.code());

            // Repaired: the next recheck recovers the dir and both partitions take writes again, no restart.
            Files.delete(partitionDir);
            assertThat(awaitProduce(c, 1, Errors.NONE, Duration.ofSeconds(20))).isZero();
            assertThat(awaitProduce(c, 0, Errors.NONE, Duration.ofSeconds(20))).isZero();
        }
        broker.assertHealthy();
    }

    /** Produces to disk-{@code partition} until it answers {@code expected} or the time is up; the last answer. */
    private static short awaitProduce(TestBroker.RawConnection c, int partition, Errors expected, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        short error;
        do {
            error = produce(c, "disk", partition, batch("x".repeat(400)));
            if (error != expected.code()) {
                Thread.sleep(50); // bounded: waits for the dir-health thread, which the test cannot drive here
            }
        } while (error != expected.code() && System.nanoTime() < deadline);
        return error;
    }

    static MemoryRecords batch(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), ("k" + i).getBytes(StandardCharsets.UTF_8),
                    values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    static ProduceRequest produceRequest(String topic, int partition, MemoryRecords records) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000)
                .setTopicData(new ProduceRequestData.TopicProduceDataCollection(List.of(
                        new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                                new ProduceRequestData.PartitionProduceData().setIndex(partition)
                                        .setRecords(records)))).iterator()));
        return new ProduceRequest.Builder((short) 3, (short) 12, data).build((short) 12);
    }

    /** The partition's error code in the produce response. */
    static short produce(TestBroker.RawConnection c, String topic, int partition, MemoryRecords records)
            throws IOException {
        ProduceResponse response = c.roundTrip(produceRequest(topic, partition, records));
        ProduceResponseData.TopicProduceResponse t = response.data().responses().iterator().next();
        assertThat(t.name()).isEqualTo(topic);
        ProduceResponseData.PartitionProduceResponse p = t.partitionResponses().get(0);
        assertThat(p.index()).isEqualTo(partition);
        return p.errorCode();
    }

    static FetchRequest fetchRequest(String topic, int partition, long offset) {
        Map<TopicPartition, FetchRequest.PartitionData> m = new LinkedHashMap<>();
        m.put(new TopicPartition(topic, partition), new FetchRequest.PartitionData(Uuid.ZERO_UUID, offset, -1L,
                1 << 20, Optional.empty()));
        return FetchRequest.Builder.forConsumer((short) 12, 100, 1, m).build((short) 12);
    }

    static short fetchError(TestBroker.RawConnection c, String topic, long offset) throws IOException {
        FetchResponse response = c.roundTrip(fetchRequest(topic, 0, offset));
        assertThat(response.error()).isEqualTo(Errors.NONE);
        return response.data().responses().get(0).partitions().get(0).errorCode();
    }
    @Test
    void idempotentDuplicatesAreDeduplicatedAndGapsRejected() throws Exception {
        broker.createTopic("idem", 1, Map.of());
        TopicPartition tp = new TopicPartition("idem", 0);
        try (TestBroker.RawConnection c = broker.raw()) {
            org.apache.kafka.common.requests.InitProducerIdResponse init = c.roundTrip(
                    new org.apache.kafka.common.requests.InitProducerIdRequest.Builder(
                            new org.apache.kafka.common.message.InitProducerIdRequestData()
                                    .setTransactionalId(null).setTransactionTimeoutMs(60_000)
                                    .setProducerId(-1L).setProducerEpoch((short) -1)).build());
            assertThat(init.data().errorCode()).isZero();
            long pid = init.data().producerId();
            short epoch = init.data().producerEpoch();
            assertThat(pid).isGreaterThanOrEqualTo(0);

            assertThat(produceFull(c, "idem", idempotent(pid, epoch, 0, "a", "b")).errorCode()).isZero();
            assertThat(produceFull(c, "idem", idempotent(pid, epoch, 2, "c")).errorCode()).isZero();
            // Retry of the first batch: acknowledged again with its original offset, not appended twice.
            ProduceResponseData.PartitionProduceResponse dup = produceFull(c, "idem", idempotent(pid, epoch, 0, "a", "b"));
            assertThat(dup.errorCode()).isIn(Errors.NONE.code(), Errors.DUPLICATE_SEQUENCE_NUMBER.code());
            if (dup.errorCode() == Errors.NONE.code()) {
                assertThat(dup.baseOffset()).isZero();
            }
            assertThat(broker.offset(tp, OffsetSpec.latest())).isEqualTo(3);
            // A gap in the sequence is out of order.
            assertThat(produceFull(c, "idem", idempotent(pid, epoch, 10, "z")).errorCode())
                    .isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code());
            assertThat(broker.offset(tp, OffsetSpec.latest())).isEqualTo(3);
            // The next in-order batch still works.
            assertThat(produceFull(c, "idem", idempotent(pid, epoch, 3, "d")).baseOffset()).isEqualTo(3);
        }
        broker.assertHealthy();
    }

    static MemoryRecords idempotent(long pid, short epoch, int baseSequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, baseSequence, records);
    }

    static ProduceResponseData.PartitionProduceResponse produceFull(TestBroker.RawConnection c, String topic,
                                                                    MemoryRecords records) throws IOException {
        ProduceResponse response = c.roundTrip(produceRequest(topic, 0, records));
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }
    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        broker.createTopic("idle", 1, Map.of());
        broker.createTopic("busy", 1, Map.of());
        List<org.apache.kafka.common.requests.AbstractRequest> pattern = List.of(
                longPoll("idle", 0, 300),                                  // parks in the fetch purgatory
                new MetadataRequest.Builder(List.of("busy"), false).build((short) 12),
                new ApiVersionsRequest.Builder().build((short) 3),
                produceRequest("busy", 0, batch("p")),
                fetchRequest("busy", 0, 0));
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        int corr = 1000;
        int count = 0;
        for (int round = 0; round < 10; round++) {
            for (org.apache.kafka.common.requests.AbstractRequest r : pattern) {
                byte[] payload = TestBroker.RawConnection.toBytes(TestBroker.RawConnection.serialize(r, corr++));
                all.write(ByteBuffer.allocate(4).putInt(payload.length).array());
                all.write(payload);
                count++;
            }
        }
        try (TestBroker.RawConnection c = broker.raw()) {
            c.sendRaw(all.toByteArray());
            for (int i = 0; i < count; i++) {
                ByteBuffer response = c.readFrame();
                assertThat(response).as("response %d", i).isNotNull();
                assertThat(response.getInt()).as("correlation id of response %d", i).isEqualTo(1000 + i);
            }
        }
        assertThat(broker.offset(new TopicPartition("busy", 0), OffsetSpec.latest())).isEqualTo(10);
        broker.assertHealthy();
    }

    @Test
    void acksZeroProduceIsNotAnsweredAndAnErrorClosesTheConnection() throws Exception {
        broker.createTopic("fire-and-forget", 1, Map.of());
        try (TestBroker.RawConnection c = broker.raw()) {
            c.sendFrame(TestBroker.RawConnection.toBytes(TestBroker.RawConnection.serialize(
                    acksZero("fire-and-forget", batch("a")), 1)));
            // No response for acks=0: the next answer on the connection is the ApiVersions one.
            assertThat(c.<org.apache.kafka.common.requests.ApiVersionsResponse>roundTrip(
                    new ApiVersionsRequest.Builder().build((short) 3)).data().errorCode()).isZero();
            assertThat(broker.offset(new TopicPartition("fire-and-forget", 0), OffsetSpec.latest())).isEqualTo(1);
        }
        try (TestBroker.RawConnection c = broker.raw()) {
            // Kafka closes an acks=0 connection on error so the client notices and refreshes metadata.
            c.sendFrame(TestBroker.RawConnection.toBytes(TestBroker.RawConnection.serialize(
                    acksZero("no-such-topic", batch("a")), 2)));
            assertThat(c.closedWithin(CLOSE_WAIT)).isTrue();
        }
        broker.assertHealthy();
    }

    @Test
    void invalidRequiredAcksIsRejected() throws Exception {
        broker.createTopic("acks", 1, Map.of());
        ProduceRequestData data = produceRequest("acks", 0, batch("x")).data().duplicate().setAcks((short) 2);
        try (TestBroker.RawConnection c = broker.raw()) {
            ProduceResponse r = c.roundTrip(new ProduceRequest.Builder((short) 3, (short) 12, data).build((short) 12));
            assertThat(r.data().responses().iterator().next().partitionResponses().get(0).errorCode())
                    .isEqualTo(Errors.INVALID_REQUIRED_ACKS.code());
        }
        assertThat(broker.offset(new TopicPartition("acks", 0), OffsetSpec.latest())).isZero();
        broker.assertHealthy();
    }

    static ProduceRequest acksZero(String topic, MemoryRecords records) {
        ProduceRequestData data = produceRequest(topic, 0, records).data().duplicate().setAcks((short) 0);
        return new ProduceRequest.Builder((short) 3, (short) 12, data).build((short) 12);
    }

    static FetchRequest longPoll(String topic, long offset, int maxWaitMs) {
        Map<TopicPartition, FetchRequest.PartitionData> m = new LinkedHashMap<>();
        m.put(new TopicPartition(topic, 0), new FetchRequest.PartitionData(Uuid.ZERO_UUID, offset, -1L,
                1 << 20, Optional.empty()));
        return FetchRequest.Builder.forConsumer((short) 12, maxWaitMs, 1, m).build((short) 12);
    }
}
