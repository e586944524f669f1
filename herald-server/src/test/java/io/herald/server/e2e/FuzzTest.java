package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of every served API over raw sockets while a real producer writes acknowledged
 * records. Any single outcome (answer, error, close) is fine; afterwards the broker must answer ApiVersions and
 * Metadata and every acknowledged record must read back intact and in order. Reproduce with
 * {@code -Dherald.fuzz.seed=N}.
 */
@Timeout(value = 100, unit = TimeUnit.SECONDS)
class FuzzTest {
    private static final String FUZZ_TOPIC = "fuzz-target";
    private static final String ACKED_TOPIC = "acked";
    private static final long FUZZ_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final int MAX_ITERATIONS = 20_000;
    /** Valid requests that would create more partitions than this are not sent (a resource limit, not parsing). */
    private static final int MAX_PARTITIONS = 64;

    @TempDir
    Path dir;

    @Test
    void mutatedRequestsNeverHurtAcknowledgedData() throws Exception {
        long seed = Long.getLong("herald.fuzz.seed", System.nanoTime());
        System.out.println("FuzzTest seed = " + seed + " (rerun with -Dherald.fuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        try (TestBroker broker = TestBroker.start(dir)) {
            broker.createTopic(FUZZ_TOPIC, 2, Map.of());
            broker.createTopic(ACKED_TOPIC, 2, Map.of());
            List<byte[]> seeds = validRequests();

            // index -> value and (partition, offset) of every acknowledged record
            Map<Integer, long[]> acked = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger sent = new AtomicInteger();
            KafkaProducer<String, String> producer = broker.producer(Map.of("linger.ms", 2));
            Thread writer = new Thread(() -> {
                while (!stop.get() && sent.get() < 200_000) {
                    int i = sent.getAndIncrement();
                    producer.send(new ProducerRecord<>(ACKED_TOPIC, i % 2, "k" + i, value(i)), (md, e) -> {
                        if (e == null) {
                            acked.put(i, new long[] {md.partition(), md.offset()});
                        }
                    });
                    if (i % 20 == 0) {
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "fuzz-acked-writer");
            writer.start();

            Map<String, Integer> outcomes = new HashMap<>();
            long deadline = System.nanoTime() + FUZZ_NANOS;
            int iterations = 0;
            try {
                while (System.nanoTime() < deadline && iterations < MAX_ITERATIONS) {
                    iterations++;
                    byte[] original = seeds.get(random.nextInt(seeds.size()));
                    Mutation m = mutate(original, random);
                    if (!safeToSend(m.payload)) {
                        outcomes.merge("skipped-resource", 1, Integer::sum);
                        continue;
                    }
                    outcomes.merge(m.kind + ":" + exchange(broker.port(), m), 1, Integer::sum);
                }
            } finally {
                stop.set(true);
                writer.join(10_000);
            }
            producer.flush();
            System.out.println("FuzzTest seed " + seed + ": " + iterations + " requests, outcomes " + outcomes
                    + ", acked " + acked.size() + "/" + sent.get());

            // The broker still answers.
            try (TestBroker.RawConnection c = broker.raw()) {
                ApiVersionsResponse versions = c.roundTrip(new ApiVersionsRequest.Builder().build((short) 3));
                assertThat(versions.data().errorCode()).as("seed %d", seed).isZero();
                assertThat(versions.data().apiKeys()).isNotEmpty();
                MetadataResponse md = c.roundTrip(new MetadataRequest.Builder(List.of(ACKED_TOPIC), false)
                        .build((short) 12));
                assertThat(md.brokers()).as("seed %d", seed).hasSize(1);
                assertThat(md.topicMetadata()).singleElement()
                        .satisfies(t -> assertThat(t.partitionMetadata()).hasSize(2));
            }

            // Every acknowledged record reads back intact, in send order per partition.
            assertThat(acked).as("seed %d: the real producer made progress", seed).isNotEmpty();
            Set<TopicPartition> tps = Set.of(new TopicPartition(ACKED_TOPIC, 0), new TopicPartition(ACKED_TOPIC, 1));
            long end0 = broker.offset(new TopicPartition(ACKED_TOPIC, 0),
                    org.apache.kafka.clients.admin.OffsetSpec.latest());
            long end1 = broker.offset(new TopicPartition(ACKED_TOPIC, 1),
                    org.apache.kafka.clients.admin.OffsetSpec.latest());
            KafkaConsumer<String, String> consumer = broker.consumer(Map.of("max.poll.records", 5000));
            List<ConsumerRecord<String, String>> all = TestBroker.readAll(consumer, tps, (int) (end0 + end1),
                    Duration.ofSeconds(30));
            Map<String, String> byPosition = new HashMap<>();
            int[] lastIndex = {-1, -1};
            for (ConsumerRecord<String, String> r : all) {
                byPosition.put(r.partition() + "@" + r.offset(), r.value());
                int index = Integer.parseInt(r.key().substring(1));
                assertThat(index).as("seed %d: partition %d order at offset %d", seed, r.partition(), r.offset())
                        .isGreaterThan(lastIndex[r.partition()]);
                lastIndex[r.partition()] = index;
                assertThat(r.value()).isEqualTo(value(index));
            }
            for (Map.Entry<Integer, long[]> e : acked.entrySet()) {
                String position = e.getValue()[0] + "@" + e.getValue()[1];
                assertThat(byPosition.get(position)).as("seed %d: acked record %d at %s", seed, e.getKey(), position)
                        .isEqualTo(value(e.getKey()));
            }
        }
    }

    private static String value(int i) {
        return "value-" + i + "-" + Integer.toHexString(i * 31 + 7);
    }

    record Mutation(String kind, byte[] payload, int sizePrefix) {
    }

    /** A serialized request (header + body, no size prefix) for every API the broker serves. */
    private static List<byte[]> validRequests() {
        List<AbstractRequest> requests = new ArrayList<>();
        requests.add(new ApiVersionsRequest.Builder().build((short) 3));
        requests.add(new ApiVersionsRequest.Builder().build((short) 0));
        requests.add(new MetadataRequest.Builder(List.of(FUZZ_TOPIC), true).build((short) 12));
        requests.add(new MetadataRequest.Builder(List.of(FUZZ_TOPIC), false).build((short) 4));
        requests.add(MetadataRequest.Builder.allTopics().build((short) 9));
        SimpleRecord[] records = {new SimpleRecord(1L, "k".getBytes(StandardCharsets.UTF_8),
                "fuzz-value".getBytes(StandardCharsets.UTF_8)), new SimpleRecord(2L, null, new byte[40])};
        requests.add(BadInputTest.produceRequest(FUZZ_TOPIC, 0, MemoryRecords.withRecords(Compression.NONE, records)));
        requests.add(BadInputTest.produceRequest(FUZZ_TOPIC, 1,
                MemoryRecords.withRecords(Compression.gzip().build(), records)));
        requests.add(BadInputTest.fetchRequest(FUZZ_TOPIC, 0, 0));
        requests.add(BadInputTest.fetchRequest(FUZZ_TOPIC, 1, 5));
        requests.add(ListOffsetsRequest.Builder.forConsumer(true, IsolationLevel.READ_UNCOMMITTED)
                .setTargetTimes(List.of(new ListOffsetsRequestData.ListOffsetsTopic().setName(FUZZ_TOPIC)
                        .setPartitions(List.of(new ListOffsetsRequestData.ListOffsetsPartition()
                                .setPartitionIndex(0).setTimestamp(-1L)))))
                .build((short) 7));
        CreateTopicsRequestData.CreatableTopicCollection creatable = new CreateTopicsRequestData.CreatableTopicCollection();
        creatable.add(new CreateTopicsRequestData.CreatableTopic().setName("fuzz-new").setNumPartitions(1)
                .setReplicationFactor((short) 1));
        requests.add(new CreateTopicsRequest.Builder(new CreateTopicsRequestData().setTopics(creatable)
                .setTimeoutMs(5000)).build());
        requests.add(new DeleteTopicsRequest.Builder(new DeleteTopicsRequestData()
                .setTopicNames(List.of("fuzz-new")).setTimeoutMs(5000)).build((short) 5));
        CreatePartitionsRequestData.CreatePartitionsTopicCollection grow =
                new CreatePartitionsRequestData.CreatePartitionsTopicCollection();
        grow.add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName(FUZZ_TOPIC).setCount(3)
                .setAssignments(null));
        requests.add(new CreatePartitionsRequest.Builder(new CreatePartitionsRequestData().setTopics(grow)
                .setTimeoutMs(5000).setValidateOnly(true)).build());
        requests.add(new DescribeConfigsRequest.Builder(new DescribeConfigsRequestData().setResources(List.of(
                new DescribeConfigsRequestData.DescribeConfigsResource()
                        .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(FUZZ_TOPIC)
                        .setConfigurationKeys(null)))).build());
        IncrementalAlterConfigsRequestData.AlterableConfigCollection configs =
                new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
        configs.add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms")
                .setConfigOperation((byte) 0).setValue("86400000"));
        IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection resources =
                new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
        resources.add(new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(FUZZ_TOPIC).setConfigs(configs));
        requests.add(new IncrementalAlterConfigsRequest.Builder(new IncrementalAlterConfigsRequestData()
                .setResources(resources)).build());
        requests.add(new DescribeClusterRequest.Builder(new DescribeClusterRequestData()).build());
        requests.add(new DescribeLogDirsRequest.Builder(new DescribeLogDirsRequestData().setTopics(null)).build());
        requests.add(new DeleteRecordsRequest.Builder(new DeleteRecordsRequestData().setTimeoutMs(5000)
                .setTopics(List.of(new DeleteRecordsRequestData.DeleteRecordsTopic().setName(FUZZ_TOPIC)
                        .setPartitions(List.of(new DeleteRecordsRequestData.DeleteRecordsPartition()
                                .setPartitionIndex(0).setOffset(1L)))))).build());
        OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection epochs =
                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
        epochs.add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(FUZZ_TOPIC)
                .setPartitions(List.of(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                        .setPartition(0).setLeaderEpoch(0).setCurrentLeaderEpoch(-1))));
        requests.add(OffsetsForLeaderEpochRequest.Builder.forConsumer(epochs).build());
        requests.add(new InitProducerIdRequest.Builder(new InitProducerIdRequestData().setTransactionalId(null)
                .setTransactionTimeoutMs(60_000).setProducerId(-1L).setProducerEpoch((short) -1)).build());

        List<byte[]> out = new ArrayList<>();
        int corr = 1;
        for (AbstractRequest r : requests) {
            out.add(TestBroker.RawConnection.toBytes(TestBroker.RawConnection.serialize(r, corr++)));
        }
        return out;
    }

    private static final ApiKeys[] SERVED = {ApiKeys.PRODUCE, ApiKeys.FETCH, ApiKeys.LIST_OFFSETS, ApiKeys.METADATA,
        ApiKeys.API_VERSIONS, ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS, ApiKeys.CREATE_PARTITIONS,
        ApiKeys.DESCRIBE_CONFIGS, ApiKeys.INCREMENTAL_ALTER_CONFIGS, ApiKeys.DESCRIBE_CLUSTER,
        ApiKeys.DESCRIBE_LOG_DIRS, ApiKeys.DELETE_RECORDS, ApiKeys.OFFSET_FOR_LEADER_EPOCH,
        ApiKeys.INIT_PRODUCER_ID};

    private static Mutation mutate(byte[] original, Random random) {
        byte[] b = original.clone();
        switch (random.nextInt(8)) {
            case 0 -> {
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    int pos = random.nextInt(b.length);
                    b[pos] ^= (byte) (1 << random.nextInt(8));
                }
                return new Mutation("flip", b, b.length);
            }
            case 1 -> {
                byte[] t = Arrays.copyOf(b, random.nextInt(b.length));
                return new Mutation("truncate", t, t.length);
            }
            case 2 -> {
                byte[] e = Arrays.copyOf(b, b.length + 1 + random.nextInt(256));
                for (int i = b.length; i < e.length; i++) {
                    e[i] = (byte) random.nextInt(256);
                }
                return new Mutation("extend", e, e.length);
            }
            case 3 -> {
                // Size prefix disagrees with the bytes sent: shorter (the rest is parsed as the next frame) or
                // longer (the broker waits for bytes that never come; our read times out).
                int size = Math.max(0, b.length + random.nextInt(65) - 48);
                return new Mutation("size", b, size);
            }
            case 4 -> {
                ByteBuffer.wrap(b).putShort(2, (short) (random.nextInt(40) - 2));
                return new Mutation("version", b, b.length);
            }
            case 5 -> {
                ByteBuffer.wrap(b).putShort(0, SERVED[random.nextInt(SERVED.length)].id);
                return new Mutation("apikey", b, b.length);
            }
            case 6 -> {
                int pos = random.nextInt(b.length);
                b[pos] = (byte) (random.nextBoolean() ? 0xFF : random.nextInt(256));
                if (b.length > 1) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                return new Mutation("byte", b, b.length);
            }
            default -> {
                for (int i = 10; i < b.length; i++) {
                    if (random.nextInt(20) == 0) {
                        b[i] = (byte) random.nextInt(256);
                    }
                }
                return new Mutation("scramble", b, b.length);
            }
        }
    }

    /**
     * False for a request that still parses and asks to create many partitions: a valid resource-exhausting
     * request is a quota question, not what this test is about.
     */
    private static boolean safeToSend(byte[] payload) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(payload);
            RequestHeader header = RequestHeader.parse(buf);
            AbstractRequest request = AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(),
                    new ByteBufferAccessor(buf)).request;
            if (request instanceof CreateTopicsRequest ct) {
                return ct.data().topics().stream().allMatch(t -> t.numPartitions() <= MAX_PARTITIONS
                        && t.assignments().size() <= MAX_PARTITIONS) && ct.data().topics().size() <= 4;
            }
            if (request instanceof CreatePartitionsRequest cp) {
                return cp.data().topics().stream().allMatch(t -> t.count() <= MAX_PARTITIONS);
            }
            return true;
        } catch (RuntimeException unparseable) {
            return true;
        }
    }

    /** Sends one mutated frame on a fresh connection; returns "answer", "closed" or "timeout". */
    private static String exchange(int port, Mutation m) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            s.setSoTimeout(300);
            byte[] frame = new byte[4 + m.payload.length];
            ByteBuffer.wrap(frame).putInt(m.sizePrefix).put(m.payload);
            s.getOutputStream().write(frame);
            s.getOutputStream().flush();
            int first = s.getInputStream().read();
            return first < 0 ? "closed" : "answer";
        } catch (java.net.SocketTimeoutException e) {
            return "timeout";
        } catch (IOException e) {
            return "closed";
        }
    }
}
