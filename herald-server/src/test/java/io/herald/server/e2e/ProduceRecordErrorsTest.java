package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A batch with one record the broker must refuse (librdkafka 0011_produce_batch, KIP-467): the partition answers
 * the error with {@code record_errors} naming the record, nothing of the batch is appended, and kafka-clients
 * fails only that record with the broker's message.
 *
 * <p>Reference, observed on Kafka 4.3.1 (one partition {@code T-0}, a batch of five records of which record 2
 * is bad; raw Produce v11 uncompressed and lz4, KafkaProducer uncompressed and gzip, all alike):
 * <ul>
 *   <li>compacted topic, record 2 keyless: INVALID_RECORD, base offset -1, {@code error_message} "One or more
 *       records have been rejected due to 1 record errors in total, and only showing the first three errors at
 *       most: [RecordError(batchIndex=2, message='Compacted topic cannot accept message without key in topic
 *       partition T-0')]", {@code record_errors} [(2, "Compacted topic cannot accept message without key in
 *       topic partition T-0")];</li>
 *   <li>{@code message.timestamp.before.max.ms=3600000}, record 2 two hours old: INVALID_TIMESTAMP,
 *       "One or more records have been rejected due to invalid timestamp", {@code record_errors} [(2,
 *       "Timestamp TS of message with offset 2 is out of range. The timestamp should be within
 *       [now-3600000, now+3600000]")]; two hours ahead with {@code message.timestamp.after.max.ms=3600000}
 *       the same, with the lower bound {@code now - Long.MAX_VALUE};</li>
 *   <li>the log end offset stays 0; KafkaProducer fails record 2 with {@link InvalidRecordException} (or
 *       {@link InvalidTimestampException}) carrying the record's message, and records 0, 1, 3, 4 with a
 *       {@link KafkaException} "Failed to append record because it was part of a batch which had one more more
 *       invalid records".</li>
 * </ul>
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProduceRecordErrorsTest {
    private static final long HOUR = 3_600_000L;
    private static final Path KCAT = Path.of("/usr/bin/kcat");
    private static final String IN_BAD_BATCH =
            "Failed to append record because it was part of a batch which had one more more invalid records";
    private static final Pattern TIMESTAMP_ERROR = Pattern.compile("Timestamp (-?\\d+) of message with offset 2 is "
            + "out of range\\. The timestamp should be within \\[(-?\\d+), (-?\\d+)]");

    @TempDir
    Path dir;
    TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir, Map.of("auto.create.topics.enable", "false"));
        broker.createTopic("compacted", 1, Map.of("cleanup.policy", "compact"));
        broker.createTopic("old", 1, Map.of("message.timestamp.before.max.ms", String.valueOf(HOUR)));
        broker.createTopic("ahead", 1, Map.of("message.timestamp.after.max.ms", String.valueOf(HOUR)));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static MemoryRecords five(CompressionType codec, IntFunction<SimpleRecord> record) {
        SimpleRecord[] records = new SimpleRecord[5];
        for (int i = 0; i < records.length; i++) {
            records[i] = record.apply(i);
        }
        return MemoryRecords.withRecords(Compression.of(codec).build(), records);
    }

    private PartitionProduceResponse produceV11(String topic, MemoryRecords records) throws Exception {
        return produce((short) 11, topic, records);
    }

    private PartitionProduceResponse produce(short version, String topic, MemoryRecords records) throws Exception {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(10_000);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
        try (TestBroker.RawConnection c = broker.raw()) {
            ProduceResponse response = c.roundTrip(new ProduceRequest.Builder(version, version, data)
                    .build(version));
            return response.data().responses().iterator().next().partitionResponses().get(0);
        }
    }

    private long endOffset(String topic) throws Exception {
        return broker.offset(new TopicPartition(topic, 0), OffsetSpec.latest());
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"NONE", "LZ4"})
    void aKeylessRecordOnACompactedTopicIsNamedAndNothingIsAppended(CompressionType codec) throws Exception {
        long now = System.currentTimeMillis();
        PartitionProduceResponse p = produceV11("compacted", five(codec,
                i -> new SimpleRecord(now, i == 2 ? null : utf8("k" + i), utf8("v" + i))));

        String perRecord = "Compacted topic cannot accept message without key in topic partition compacted-0";
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.INVALID_RECORD);
        assertThat(p.baseOffset()).isEqualTo(-1);
        assertThat(p.errorMessage()).isEqualTo("One or more records have been rejected due to 1 record errors in "
                + "total, and only showing the first three errors at most: [RecordError(batchIndex=2, message='"
                + perRecord + "')]");
        assertThat(p.recordErrors()).containsExactly(new BatchIndexAndErrorMessage().setBatchIndex(2)
                .setBatchIndexErrorMessage(perRecord));
        assertThat(endOffset("compacted")).isZero();

        PartitionProduceResponse good = produceV11("compacted", five(codec,
                i -> new SimpleRecord(now, utf8("k" + i), utf8("v" + i))));
        assertThat(Errors.forCode(good.errorCode())).isEqualTo(Errors.NONE);
        assertThat(good.baseOffset()).isZero();
        assertThat(good.recordErrors()).isEmpty();
    }

    /** Produce v3..v7 have neither {@code record_errors} nor {@code error_message}: the error code alone. */
    @Test
    void versionsBeforeKip467GetTheErrorCodeAlone() throws Exception {
        long now = System.currentTimeMillis();
        PartitionProduceResponse p = produce((short) 7, "compacted", five(CompressionType.NONE,
                i -> new SimpleRecord(now, i == 2 ? null : utf8("k" + i), utf8("v" + i))));
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.INVALID_RECORD);
        assertThat(p.recordErrors()).isEmpty();
        assertThat(p.errorMessage()).isNull();
        assertThat(endOffset("compacted")).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"NONE", "LZ4"})
    void aTooOldTimestampIsNamedWithTheBrokersBounds(CompressionType codec) throws Exception {
        long now = System.currentTimeMillis();
        long old = now - 2 * HOUR;
        PartitionProduceResponse p = produceV11("old", five(codec,
                i -> new SimpleRecord(i == 2 ? old : now, utf8("k" + i), utf8("v" + i))));

        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(p.errorMessage()).isEqualTo("One or more records have been rejected due to invalid timestamp");
        assertThat(p.recordErrors()).extracting(BatchIndexAndErrorMessage::batchIndex).containsExactly(2);
        Matcher m = TIMESTAMP_ERROR.matcher(p.recordErrors().get(0).batchIndexErrorMessage());
        assertThat(m.matches()).as(p.recordErrors().get(0).batchIndexErrorMessage()).isTrue();
        assertThat(Long.parseLong(m.group(1))).isEqualTo(old);
        assertThat(Long.parseLong(m.group(3)) - Long.parseLong(m.group(2))).isEqualTo(2 * HOUR);
        assertThat(endOffset("old")).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"NONE", "LZ4"})
    void aTimestampTooFarAheadIsNamedWithTheBrokersBounds(CompressionType codec) throws Exception {
        long now = System.currentTimeMillis();
        long ahead = now + 2 * HOUR;
        PartitionProduceResponse p = produceV11("ahead", five(codec,
                i -> new SimpleRecord(i == 2 ? ahead : now, utf8("k" + i), utf8("v" + i))));

        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(p.recordErrors()).extracting(BatchIndexAndErrorMessage::batchIndex).containsExactly(2);
        Matcher m = TIMESTAMP_ERROR.matcher(p.recordErrors().get(0).batchIndexErrorMessage());
        assertThat(m.matches()).as(p.recordErrors().get(0).batchIndexErrorMessage()).isTrue();
        long upper = Long.parseLong(m.group(3));
        assertThat(Long.parseLong(m.group(2))).isEqualTo(upper - HOUR - Long.MAX_VALUE);
        assertThat(endOffset("ahead")).isZero();
    }

    /** What each of the five records' futures ended with: "ok" or the exception's class and message. */
    private List<String> produceOneBatch(String compression, IntFunction<ProducerRecord<String, String>> record)
            throws Exception {
        KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 10_000,
                ProducerConfig.BATCH_SIZE_CONFIG, 100_000, ProducerConfig.RETRIES_CONFIG, 0,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.COMPRESSION_TYPE_CONFIG, compression));
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(producer.send(record.apply(i)));
        }
        producer.flush();
        List<String> outcomes = new ArrayList<>();
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get(30, TimeUnit.SECONDS);
                outcomes.add("ok");
            } catch (ExecutionException e) {
                outcomes.add(e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage());
            }
        }
        return outcomes;
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"NONE", "GZIP"})
    void kafkaProducerFailsTheKeylessRecordWithItsMessageAndTheRestOfItsBatchGenerically(CompressionType codec)
            throws Exception {
        long now = System.currentTimeMillis();
        List<String> outcomes = produceOneBatch(codec.name, i -> new ProducerRecord<>("compacted", 0, now,
                i == 2 ? null : "k" + i, "v" + i));

        String other = KafkaException.class.getSimpleName() + ": " + IN_BAD_BATCH;
        assertThat(outcomes).containsExactly(other, other, InvalidRecordException.class.getSimpleName()
                + ": Compacted topic cannot accept message without key in topic partition compacted-0", other, other);
        assertThat(endOffset("compacted")).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"NONE", "GZIP"})
    void kafkaProducerFailsTheTooOldRecordWithAnInvalidTimestampException(CompressionType codec) throws Exception {
        long now = System.currentTimeMillis();
        List<String> outcomes = produceOneBatch(codec.name, i -> new ProducerRecord<>("old", 0,
                i == 2 ? now - 2 * HOUR : now, "k" + i, "v" + i));

        String other = KafkaException.class.getSimpleName() + ": " + IN_BAD_BATCH;
        assertThat(outcomes).hasSize(5).element(2).asString().startsWith(
                InvalidTimestampException.class.getSimpleName() + ": Timestamp " + (now - 2 * HOUR)
                        + " of message with offset 2 is out of range.");
        assertThat(List.of(outcomes.get(0), outcomes.get(1), outcomes.get(3), outcomes.get(4))).containsOnly(other);
        assertThat(endOffset("old")).isZero();
    }

    /** Kafka answers every failed partition with base offset -1 (no offset was assigned), not only refused records. */
    @Test
    void aFailedPartitionHasBaseOffsetMinusOne() throws Exception {
        long now = System.currentTimeMillis();
        PartitionProduceResponse missing = produceV11("no-such-topic", five(CompressionType.NONE,
                i -> new SimpleRecord(now, utf8("k" + i), utf8("v" + i))));
        assertThat(Errors.forCode(missing.errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(missing.baseOffset()).isEqualTo(-1);
    }

    /** From v3 a partition's records must be exactly one batch (Kafka's ProduceRequest.validateRecords). */
    @Test
    void twoBatchesForOnePartitionAreRefusedAsKafkaDoes() throws Exception {
        long now = System.currentTimeMillis();
        MemoryRecords first = five(CompressionType.NONE, i -> new SimpleRecord(now, utf8("k" + i), utf8("a" + i)));
        MemoryRecords second = five(CompressionType.NONE, i -> new SimpleRecord(now, utf8("k" + i), utf8("b" + i)));
        ByteBuffer both = ByteBuffer.allocate(first.sizeInBytes() + second.sizeInBytes());
        both.put(first.buffer().duplicate()).put(second.buffer().duplicate()).flip();
        short v11 = 11;
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(10_000);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName("compacted").setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(first))));
        ProduceRequest request = new ProduceRequest.Builder(v11, v11, data).build(v11);
        // The client's builder refuses two batches, so they go in after it checked.
        request.data().topicData().iterator().next().partitionData().get(0)
                .setRecords(MemoryRecords.readableRecords(both));
        PartitionProduceResponse p;
        try (TestBroker.RawConnection c = broker.raw()) {
            ProduceResponse response = c.roundTrip(request);
            p = response.data().responses().iterator().next().partitionResponses().get(0);
        }
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.INVALID_RECORD);
        assertThat(p.baseOffset()).isEqualTo(-1);
        assertThat(endOffset("compacted")).isZero();
    }

    @Test
    void aBatchWithoutBadRecordsStillAppendsAfterARefusedOne() throws Exception {
        long now = System.currentTimeMillis();
        produceV11("ahead", five(CompressionType.NONE, i -> new SimpleRecord(now + 2 * HOUR, utf8("k"), utf8("v"))));
        PartitionProduceResponse p = produceV11("ahead", five(CompressionType.NONE,
                i -> new SimpleRecord(now, utf8("k"), utf8("v"))));
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
        assertThat(endOffset("ahead")).isEqualTo(5);
        broker.assertHealthy();
    }

    /**
     * librdkafka (kcat 5 lines, record 2 without key, one batch): Kafka 4.3.1 fails all five with "Broker: Broker
     * failed to validate record" and kcat exits 1; librdkafka keeps the per-record message out of kcat's output.
     */
    @Test
    void kcatSeesEveryRecordOfTheBatchFailAndNothingIsAppended() throws Exception {
        assumeTrue(Files.isExecutable(KCAT), "kcat is not installed");
        Process kcat = new ProcessBuilder(KCAT.toString(), "-P", "-b", broker.bootstrap(), "-t", "compacted", "-p", "0",
                "-K:", "-X", "linger.ms=500").redirectErrorStream(true).start();
        try (var in = kcat.getOutputStream()) {
            in.write(utf8("k0:v0\nk1:v1\nv2\nk3:v3\nk4:v4\n"));
        }
        boolean exited = kcat.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            kcat.destroyForcibly();
        }
        String out = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(exited).as("kcat exited; output: %s", out).isTrue();
        assertThat(kcat.exitValue()).as(out).isEqualTo(1);
        assertThat(out.lines().filter(l -> l.contains("Delivery failed"))).as(out).hasSize(5)
                .allMatch(l -> l.endsWith("Broker: Broker failed to validate record"));
        assertThat(endOffset("compacted")).isZero();
    }
}
