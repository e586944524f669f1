package io.herald.broker.handler;

import static io.herald.broker.handler.AuthorizedCalls.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.broker.fetch.FetchSessionCache;
import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.replica.ReplicationConfig;
import io.herald.broker.security.Authorization;
import io.herald.broker.txn.TransactionVerifier;
import io.herald.common.purgatory.Purgatory;
import io.herald.common.time.ManualTime;
import io.herald.common.time.Time;
import io.herald.common.timer.ManualTimer;
import io.herald.metadata.authz.Authorizer;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.Response;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.LogManager;
import io.herald.storage.log.LogManagerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Produce, Fetch and the offset APIs with Kafka's ACL rules, on a real replica manager leading {@code orders} (two
 * partitions) and {@code secret} (one). ALICE may do what each test grants, nothing else.
 */
@Timeout(30)
class DataPathAuthorizationTest {
    private static final Uuid ORDERS_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final Uuid SECRET_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");

    @TempDir
    Path dir;
    private final ManualTime time = new ManualTime();
    private final ManualTimer timer = new ManualTimer(time);
    private final AuthorizedCalls calls = new AuthorizedCalls();
    private LogManager logs;
    private ReplicaManager replicas;
    private ClusterImage image;

    @BeforeEach
    void start() throws Exception {
        logs = new LogManager(List.of(dir), LogConfig.defaults(), LogManagerConfig.defaults(), Time.SYSTEM);
        logs.startup();
        replicas = new ReplicaManager(1, logs, ReplicationConfig.defaults(), Map.of(),
                (broker, topicId, partition, epoch, partitionEpoch, isr) -> new CompletableFuture<>(), time, timer);
        image = new ClusterImage("c", 1, Map.of(1, new BrokerImage(1, "127.0.0.1", 9092, Optional.empty())),
                Map.of("orders", topic("orders", ORDERS_ID, 2), "secret", topic("secret", SECRET_ID, 1)),
                Map.of(ORDERS_ID, "orders", SECRET_ID, "secret"), Map.of(), 0);
        replicas.onImage(ClusterImage.empty("c"), image);
    }

    @AfterEach
    void stop() {
        replicas.close();
        logs.close();
    }

    private static TopicImage topic(String name, Uuid id, int partitions) {
        TreeMap<Integer, PartitionImage> images = new TreeMap<>();
        for (int p = 0; p < partitions; p++) {
            images.put(p, new PartitionImage(p, List.of(1), List.of(1), 1, 1, 0));
        }
        return new TopicImage(name, id, images, Map.of());
    }

    private ProduceHandler produceHandler(Authorization authorization) {
        return new ProduceHandler(replicas, () -> image, Runnable::run, TransactionVerifier.unavailable(),
                Optional.empty(), io.herald.broker.metrics.TopicTraffic.NONE, authorization);
    }

    private FetchHandler fetchHandler(Authorization authorization) {
        return new FetchHandler(replicas, () -> image, new Purgatory<>("fetch", timer), Runnable::run,
                new FetchSessionCache(100, time), time, io.herald.broker.metrics.TopicTraffic.NONE, authorization,
                io.herald.broker.quota.FetchQuota.NONE);
    }

    private static MemoryRecords records() {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1L, "k".getBytes(), "v".getBytes()));
    }

    /** One batch for each of {@code topics}' partition 0. */
    private static ProduceRequestData produce(short acks, String transactionalId, MemoryRecords records,
                                              String... topics) {
        ProduceRequestData.TopicProduceDataCollection data = new ProduceRequestData.TopicProduceDataCollection();
        for (String topic : topics) {
            data.add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                    new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
        }
        return new ProduceRequestData().setAcks(acks).setTimeoutMs(5_000).setTransactionalId(transactionalId)
                .setTopicData(data);
    }

    private static List<Object> produced(ProduceResponseData response) {
        return response.responses().stream().flatMap(t -> t.partitionResponses().stream()
                .map(p -> (Object) tuple(t.name(), p.errorCode()))).toList();
    }

    private long logEnd(String topic) {
        return replicas.partition(new TopicPartition(topic, 0)).orElseThrow().log().logEndOffset();
    }

    @Test
    void produceAppendsToWritableTopicsAndRefusesEachOtherTopicsPartitions() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.WRITE);

        ProduceResponseData r = calls.answer(produceHandler(calls.authorization).api().handler(),
                produce((short) 1, null, records(), "orders", "secret", "ghost"), (short) 9);

        assertThat(produced(r)).containsExactly(tuple("orders", Errors.NONE.code()),
                tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code()),
                // Not UNKNOWN_TOPIC_OR_PARTITION: a refused topic's existence is not disclosed.
                tuple("ghost", Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        assertThat(logEnd("orders")).isEqualTo(1);
        assertThat(logEnd("secret")).isZero();
    }

    @Test
    void transactionalProduceWithoutWriteOnItsTransactionalIdIsRefusedOnEveryPartition() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.WRITE);
        MemoryRecords txn = MemoryRecords.withTransactionalRecords(Compression.NONE, 7L, (short) 0, 0,
                new SimpleRecord(1L, "k".getBytes(), "v".getBytes()));

        ProduceResponseData r = calls.answer(produceHandler(calls.authorization).api().handler(),
                produce((short) -1, "tx", txn, "orders"), (short) 9);

        assertThat(produced(r)).containsExactly(tuple("orders", Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
        assertThat(logEnd("orders")).isZero();
    }

    @Test
    void anAcksZeroProduceToARefusedTopicClosesTheConnection() {
        Response r = calls.respond(produceHandler(calls.authorization).api().handler(),
                produce((short) 0, null, records(), "orders"), (short) 9);

        assertThat(r).isInstanceOf(Response.Close.class);
        assertThat(logEnd("orders")).isZero();
    }

    private static FetchRequestData fetch(int replicaId, String... topics) {
        FetchRequestData data = new FetchRequestData().setReplicaId(replicaId).setMaxWaitMs(0).setMinBytes(0)
                .setMaxBytes(1 << 20).setSessionId(0).setSessionEpoch(-1);
        for (String topic : topics) {
            data.topics().add(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                            .setPartitionMaxBytes(1 << 20))));
        }
        return data;
    }

    private static Map<String, Short> fetchErrors(FetchResponseData response) {
        Map<String, Short> errors = new TreeMap<>();
        response.responses().forEach(t -> t.partitions().forEach(p -> errors.put(t.topic(), p.errorCode())));
        return errors;
    }

    @Test
    void consumerFetchReadsReadableTopicsAndRefusesTheOthersPerPartition() {
        calls.answer(produceHandler(Authorization.ALLOW_ALL).api().handler(),
                produce((short) 1, null, records(), "orders", "secret"), (short) 9);
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.READ);

        FetchResponseData r = calls.answer(fetchHandler(calls.authorization).api().handler(),
                fetch(-1, "orders", "secret", "ghost"), (short) 12);

        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(fetchErrors(r)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "orders", Errors.NONE.code(),
                "secret", Errors.TOPIC_AUTHORIZATION_FAILED.code(),
                "ghost", Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        FetchResponseData.PartitionData secret = r.responses().stream().filter(t -> t.topic().equals("secret"))
                .findFirst().orElseThrow().partitions().get(0);
        assertThat(secret.records().sizeInBytes()).isZero();
        assertThat(secret.highWatermark()).isEqualTo(-1);
    }

    @Test
    void followerFetchWithoutClusterActionIsRefusedOnEveryPartitionNotAtTheTop() {
        // Kafka answers a follower without CLUSTER_ACTION per partition, even for topics it may read.
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.READ);

        FetchResponseData refused = calls.answer(fetchHandler(calls.authorization).api().handler(),
                fetch(2, "orders", "secret"), (short) 12);

        assertThat(refused.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(fetchErrors(refused)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "orders", Errors.TOPIC_AUTHORIZATION_FAILED.code(),
                "secret", Errors.TOPIC_AUTHORIZATION_FAILED.code()));

        calls.grants.allow(ALICE, ResourceType.CLUSTER, Authorization.CLUSTER_NAME, AclOperation.CLUSTER_ACTION);
        FetchResponseData allowed = calls.answer(fetchHandler(calls.authorization).api().handler(),
                fetch(2, "orders", "secret"), (short) 12);
        assertThat(fetchErrors(allowed).values()).doesNotContain(Errors.TOPIC_AUTHORIZATION_FAILED.code());
    }

    @Test
    void withoutAnAuthorizerTheDataPathAsksNothing() {
        AtomicInteger asked = new AtomicInteger();
        Authorization off = new Authorization(new Authorizer() {
            @Override
            public boolean authorize(KafkaPrincipal principal, String host, AclOperation operation,
                                     ResourceType type, String name) {
                asked.incrementAndGet();
                return true;
            }

            @Override
            public boolean authorizeAny(KafkaPrincipal principal, String host, AclOperation operation,
                                        ResourceType type) {
                asked.incrementAndGet();
                return true;
            }

            @Override
            public boolean enabled() {
                return false;
            }
        });

        ProduceResponseData produced = calls.answer(produceHandler(off).api().handler(),
                produce((short) 1, null, records(), "orders", "secret"), (short) 9);
        FetchResponseData fetched = calls.answer(fetchHandler(off).api().handler(), fetch(-1, "orders", "secret"),
                (short) 12);

        assertThat(produced(produced)).containsOnly(tuple("orders", Errors.NONE.code()),
                tuple("secret", Errors.NONE.code()));
        assertThat(fetchErrors(fetched).values()).containsOnly(Errors.NONE.code());
        assertThat(asked).hasValue(0);
    }

    @Test
    void listOffsetsNeedsDescribeOnTheTopic() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        ListOffsetsRequestData data = new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(
                new ListOffsetsRequestData.ListOffsetsTopic().setName("orders").setPartitions(List.of(
                        new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1))),
                new ListOffsetsRequestData.ListOffsetsTopic().setName("secret").setPartitions(List.of(
                        new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1)))));

        ListOffsetsResponseData r = calls.answer(new OffsetsHandler(replicas, Runnable::run, calls.authorization)
                .listOffsets().handler(), data, (short) 7);

        assertThat(r.topics()).extracting(t -> t.name(), t -> t.partitions().get(0).errorCode(),
                t -> t.partitions().get(0).offset()).containsExactly(tuple("orders", Errors.NONE.code(), 0L),
                tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code(), -1L));
    }

    @Test
    void deleteRecordsNeedsDeleteOnTheTopic() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DELETE);
        DeleteRecordsRequestData data = new DeleteRecordsRequestData().setTimeoutMs(1000).setTopics(List.of(
                new DeleteRecordsRequestData.DeleteRecordsTopic().setName("orders").setPartitions(List.of(
                        new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(0))),
                new DeleteRecordsRequestData.DeleteRecordsTopic().setName("secret").setPartitions(List.of(
                        new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(0)))));

        DeleteRecordsResponseData r = calls.answer(new OffsetsHandler(replicas, Runnable::run, calls.authorization)
                .deleteRecords().handler(), data, (short) 2);

        assertThat(r.topics()).extracting(t -> t.name(), t -> t.partitions().iterator().next().errorCode(),
                t -> t.partitions().iterator().next().lowWatermark()).containsExactly(
                tuple("orders", Errors.NONE.code(), 0L),
                tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code(), -1L));
    }

    private static OffsetForLeaderEpochRequestData epochs(String... topics) {
        OffsetForLeaderEpochRequestData data = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
        for (String topic : topics) {
            data.topics().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(topic)
                    .setPartitions(List.of(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                            .setPartition(0).setCurrentLeaderEpoch(1).setLeaderEpoch(1))));
        }
        return data;
    }

    @Test
    void offsetForLeaderEpochNeedsDescribeOnTheTopicOrClusterActionOnTheCluster() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        OffsetsHandler handler = new OffsetsHandler(replicas, Runnable::run, calls.authorization);

        OffsetForLeaderEpochResponseData consumer = calls.answer(handler.offsetForLeaderEpoch().handler(),
                epochs("orders", "secret"), (short) 4);
        assertThat(consumer.topics()).extracting(t -> t.topic(), t -> t.partitions().get(0).errorCode())
                .containsExactly(tuple("orders", Errors.NONE.code()),
                        tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code()));

        calls.grants.allow(ALICE, ResourceType.CLUSTER, Authorization.CLUSTER_NAME, AclOperation.CLUSTER_ACTION);
        OffsetForLeaderEpochResponseData follower = calls.answer(handler.offsetForLeaderEpoch().handler(),
                epochs("orders", "secret"), (short) 4);
        assertThat(follower.topics()).extracting(t -> t.partitions().get(0).errorCode())
                .containsOnly(Errors.NONE.code());
    }
}
