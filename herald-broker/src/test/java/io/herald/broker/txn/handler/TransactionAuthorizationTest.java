package io.herald.broker.txn.handler;

import static io.herald.broker.handler.AuthorizedCalls.ALICE;
import static io.herald.broker.handler.AuthorizedCalls.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.broker.handler.AuthorizedCalls;
import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.replica.ReplicationConfig;
import io.herald.broker.security.Authorization;
import io.herald.broker.txn.ProducerIdBlocks;
import io.herald.broker.txn.TransactionVerifier;
import io.herald.common.concurrent.ManualExecutor;
import io.herald.common.config.ConfigValues;
import io.herald.common.time.ManualTime;
import io.herald.common.time.Time;
import io.herald.common.timer.ManualTimer;
import io.herald.coordinator.runtime.MemoryLog;
import io.herald.coordinator.share.InMemoryShareStatePersister;
import io.herald.group.GroupConfig;
import io.herald.group.GroupCoordinator;
import io.herald.group.config.GroupConfigView;
import io.herald.group.config.ShareAutoOffsetReset;
import io.herald.group.config.ShareGroupSettings;
import io.herald.group.record.GroupCoordinatorRecord;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.Response;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.LogManager;
import io.herald.storage.log.LogManagerConfig;
import io.herald.transaction.TransactionConfig;
import io.herald.transaction.TransactionCoordinator;
import io.herald.transaction.record.TransactionRecord;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transaction APIs with Kafka's ACL rules: a transaction coordinator and a group coordinator on a manual loop
 * with in-memory logs, a replica manager leading {@code orders} and {@code secret}, and ALICE granted what each test
 * grants. {@link #admin} sets transactions up with every permission.
 */
@Timeout(30)
class TransactionAuthorizationTest {
    private static final Uuid ORDERS_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final Uuid SECRET_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");

    @TempDir
    Path dir;
    private final ManualTime time = new ManualTime();
    private final ManualTimer timer = new ManualTimer(time);
    private final ManualExecutor loop = new ManualExecutor();
    private final MemoryLog<TransactionRecord> txnLog = new MemoryLog<>(timer);
    private final MemoryLog<GroupCoordinatorRecord> groupLog = new MemoryLog<>(timer);
    private final AtomicLong producerIds = new AtomicLong(1000);
    private final AuthorizedCalls calls = new AuthorizedCalls();
    private final ClusterImage image = new ClusterImage("c", 1,
            Map.of(1, new BrokerImage(1, "127.0.0.1", 9092, Optional.empty())),
            Map.of("orders", topic("orders", ORDERS_ID), "secret", topic("secret", SECRET_ID)),
            Map.of(ORDERS_ID, "orders", SECRET_ID, "secret"), Map.of(), 0);
    private TransactionCoordinator transactions;
    private GroupCoordinator groups;
    private LogManager logs;
    private ReplicaManager replicas;

    @BeforeEach
    void start() throws Exception {
        transactions = TransactionCoordinator.onLoop(TransactionConfig.defaults().withStateLogPartitions(1)
                        .withOffsetsTopicPartitions(1), txnLog, producerIds::getAndIncrement,
                markers -> CompletableFuture.completedFuture(null), time, timer, loop);
        transactions.onBecomeLeader(0, 1);
        GroupConfig config = GroupConfig.from(ConfigValues.parse(GroupConfig.CONFIG_DEF, Map.of(
                GroupConfig.OFFSETS_TOPIC_NUM_PARTITIONS, "1", GroupConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0")));
        GroupConfigView shareConfigs = GroupConfigView.fixed(new ShareGroupSettings(45_000, 5_000, 200, 30_000, 5,
                2000, new ShareAutoOffsetReset.Earliest(), IsolationLevel.READ_UNCOMMITTED, true, Optional.empty(),
                false, 0, 60_000, 2.0));
        groups = GroupCoordinator.onLoop(config, groupLog, time, timer, new InMemoryShareStatePersister(),
                shareConfigs, loop);
        groups.onBecomeLeader(0, 1);
        settle();
        logs = new LogManager(List.of(dir), LogConfig.defaults(), LogManagerConfig.defaults(), Time.SYSTEM);
        logs.startup();
        replicas = new ReplicaManager(1, logs, ReplicationConfig.defaults(), Map.of(),
                (broker, topicId, partition, epoch, partitionEpoch, isr) -> new CompletableFuture<>(), time, timer);
        replicas.onImage(ClusterImage.empty("c"), image);
    }

    @AfterEach
    void stop() {
        replicas.close();
        logs.close();
    }

    private static TopicImage topic(String name, Uuid id) {
        return new TopicImage(name, id, new TreeMap<>(Map.of(0, new PartitionImage(0, List.of(1), List.of(1), 1, 1,
                0))), Map.of());
    }

    private void settle() {
        for (int i = 0; i < 100; i++) {
            loop.runAll();
            txnLog.commit(0);
            groupLog.commit(0);
            timer.runDue();
            if (loop.queued() == 0) {
                return;
            }
        }
        throw new AssertionError("the coordinators do not settle");
    }

    /** {@code handler}'s answer to ALICE's {@code data}, once the coordinators did their part. */
    @SuppressWarnings("unchecked")
    private <T extends ApiMessage> T call(ApiHandler handler, ApiMessage data, short version) {
        CompletableFuture<Response> future = handler.handle(calls.request(body(data, version)));
        for (int i = 0; i < 20 && !future.isDone(); i++) {
            settle();
        }
        assertThat(future).as("answered").isDone();
        return (T) ((Response.Send) future.join()).data();
    }

    private TransactionHandler txn(Authorization authorization) {
        return new TransactionHandler(transactions, () -> image, authorization);
    }

    private TransactionAdminHandler admin(Authorization authorization) {
        return new TransactionAdminHandler(transactions, replicas, () -> image, authorization);
    }

    private static AddPartitionsToTxnRequestData addV3(String id, long producerId, short epoch, String... topics) {
        var data = new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
        for (String t : topics) {
            data.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName(t).setPartitions(List.of(0)));
        }
        return new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(id).setV3AndBelowProducerId(producerId)
                .setV3AndBelowProducerEpoch(epoch).setV3AndBelowTopics(data);
    }

    private static Map<String, Short> errors(AddPartitionsToTxnResponseData response) {
        Map<String, Short> errors = new TreeMap<>();
        response.resultsByTopicV3AndBelow().forEach(t -> t.resultsByPartition()
                .forEach(p -> errors.put(t.name(), p.partitionErrorCode())));
        return errors;
    }

    // ---- InitProducerId ----

    private InitProducerIdHandler init() {
        return new InitProducerIdHandler(transactions, new ProducerIdBlocks((broker, size) -> 5000, 1,
                Runnable::run), Runnable::run, calls.authorization);
    }

    @Test
    void initProducerIdOfATransactionalProducerNeedsWriteOnItsTransactionalId() {
        InitProducerIdRequestData data = new InitProducerIdRequestData().setTransactionalId("tx")
                .setTransactionTimeoutMs(60_000).setProducerId(-1).setProducerEpoch((short) -1);

        InitProducerIdResponseData refused = call(init(), data, (short) 5);
        assertThat(refused.errorCode()).isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
        assertThat(refused.producerId()).isEqualTo(-1);

        calls.grants.allow(ALICE, ResourceType.TRANSACTIONAL_ID, "tx", AclOperation.WRITE);
        InitProducerIdResponseData allowed = call(init(), data, (short) 5);
        assertThat(allowed.errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void initProducerIdOfAnIdempotentProducerNeedsIdempotentWriteOrWriteOnSomeTopic() {
        InitProducerIdRequestData data = new InitProducerIdRequestData().setTransactionalId(null)
                .setTransactionTimeoutMs(60_000).setProducerId(-1).setProducerEpoch((short) -1);

        assertThat(((InitProducerIdResponseData) call(init(), data, (short) 5)).errorCode())
                .isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());

        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.WRITE);
        InitProducerIdResponseData allowed = call(init(), data, (short) 5);
        assertThat(allowed.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(allowed.producerId()).isEqualTo(5000);
    }

    // ---- AddPartitionsToTxn, AddOffsetsToTxn, EndTxn ----

    @Test
    void addPartitionsToTxnNeedsWriteOnTheTransactionalIdThenOnEachTopic() {
        AddPartitionsToTxnResponseData noTxn = call(txn(calls.authorization).addPartitionsToTxn().handler(),
                addV3("tx", 1, (short) 0, "orders", "secret"), (short) 3);
        assertThat(errors(noTxn)).containsOnly(
                Map.entry("orders", Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()),
                Map.entry("secret", Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));

        calls.grants.allow(ALICE, ResourceType.TRANSACTIONAL_ID, "tx", AclOperation.WRITE);
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.WRITE);
        AddPartitionsToTxnResponseData oneTopic = call(txn(calls.authorization).addPartitionsToTxn().handler(),
                addV3("tx", 1, (short) 0, "orders", "secret"), (short) 3);
        // One refused topic fails the whole transaction, as an unknown one does.
        assertThat(errors(oneTopic)).containsOnly(Map.entry("orders", Errors.OPERATION_NOT_ATTEMPTED.code()),
                Map.entry("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code()));
    }

    @Test
    void anInternalTopicIsNeverAddedByAClientEvenWithoutAnAuthorizer() {
        AddPartitionsToTxnResponseData r = call(txn(Authorization.ALLOW_ALL).addPartitionsToTxn().handler(),
                addV3("tx", 1, (short) 0, Topic.GROUP_METADATA_TOPIC_NAME), (short) 3);

        assertThat(errors(r)).containsOnly(
                Map.entry(Topic.GROUP_METADATA_TOPIC_NAME, Errors.TOPIC_AUTHORIZATION_FAILED.code()));
    }

    @Test
    void addPartitionsToTxnFromABrokerNeedsClusterAction() {
        AddPartitionsToTxnRequestData data = new AddPartitionsToTxnRequestData();
        data.transactions().add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction()
                .setTransactionalId("tx").setProducerId(1).setProducerEpoch((short) 0).setVerifyOnly(true));

        AddPartitionsToTxnResponseData r = call(txn(calls.authorization).addPartitionsToTxn().handler(), data,
                (short) 5);

        assertThat(r.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(r.resultsByTransaction()).isEmpty();
    }

    @Test
    void addOffsetsToTxnNeedsWriteOnTheTransactionalIdThenReadOnTheGroup() {
        AddOffsetsToTxnRequestData data = new AddOffsetsToTxnRequestData().setTransactionalId("tx").setGroupId("g")
                .setProducerId(1).setProducerEpoch((short) 0);

        assertThat(((AddOffsetsToTxnResponseData) call(txn(calls.authorization).addOffsetsToTxn().handler(), data,
                (short) 3)).errorCode()).isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
        calls.grants.allow(ALICE, ResourceType.TRANSACTIONAL_ID, "tx", AclOperation.WRITE);
        assertThat(((AddOffsetsToTxnResponseData) call(txn(calls.authorization).addOffsetsToTxn().handler(), data,
                (short) 3)).errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        calls.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.READ);
        assertThat(((AddOffsetsToTxnResponseData) call(txn(calls.authorization).addOffsetsToTxn().handler(), data,
                (short) 3)).errorCode()).isNotIn(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code(),
                Errors.GROUP_AUTHORIZATION_FAILED.code());
    }

    @Test
    void endTxnNeedsWriteOnTheTransactionalId() {
        EndTxnRequestData data = new EndTxnRequestData().setTransactionalId("tx").setProducerId(1)
                .setProducerEpoch((short) 0).setCommitted(true);

        assertThat(((EndTxnResponseData) call(txn(calls.authorization).endTxn().handler(), data, (short) 4))
                .errorCode()).isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
        calls.grants.allow(ALICE, ResourceType.TRANSACTIONAL_ID, "tx", AclOperation.WRITE);
        assertThat(((EndTxnResponseData) call(txn(calls.authorization).endTxn().handler(), data, (short) 4))
                .errorCode()).isNotEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
    }

    // ---- TxnOffsetCommit ----

    private static TxnOffsetCommitRequestData offsets(String... topics) {
        TxnOffsetCommitRequestData data = new TxnOffsetCommitRequestData().setTransactionalId("tx").setGroupId("g")
                .setProducerId(1).setProducerEpoch((short) 0).setGenerationId(-1).setMemberId("");
        for (String t : topics) {
            data.topics().add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName(t).setPartitions(
                    List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(0)
                            .setCommittedOffset(3))));
        }
        return data;
    }

    private static Map<String, Short> errors(TxnOffsetCommitResponseData response) {
        Map<String, Short> errors = new TreeMap<>();
        response.topics().forEach(t -> t.partitions().forEach(p -> errors.put(t.name(), p.errorCode())));
        return errors;
    }

    @Test
    void txnOffsetCommitNeedsWriteOnTheTransactionalIdReadOnTheGroupAndReadOnEachTopic() {
        TxnOffsetCommitHandler handler = new TxnOffsetCommitHandler(groups, TransactionVerifier.unavailable(),
                replicas, () -> image, calls.authorization);

        assertThat(errors((TxnOffsetCommitResponseData) call(handler.api().handler(), offsets("orders"), (short) 3)))
                .containsOnly(Map.entry("orders", Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
        calls.grants.allow(ALICE, ResourceType.TRANSACTIONAL_ID, "tx", AclOperation.WRITE);
        assertThat(errors((TxnOffsetCommitResponseData) call(handler.api().handler(), offsets("orders"), (short) 3)))
                .containsOnly(Map.entry("orders", Errors.GROUP_AUTHORIZATION_FAILED.code()));
        calls.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.READ);
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.READ);

        TxnOffsetCommitResponseData r = call(handler.api().handler(), offsets("orders", "secret"), (short) 3);

        assertThat(errors(r)).containsOnly(Map.entry("orders", Errors.NONE.code()),
                Map.entry("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code()));
    }

    // ---- WriteTxnMarkers ----

    @Test
    void writeTxnMarkersNeedsAlterOrClusterActionOnTheCluster() {
        AtomicInteger written = new AtomicInteger();
        WriteTxnMarkersHandler handler = new WriteTxnMarkersHandler(entry -> {
            written.incrementAndGet();
            Map<TopicPartition, Errors> none = new HashMap<>();
            entry.partitions().forEach(tp -> none.put(tp, Errors.NONE));
            return CompletableFuture.completedFuture(none);
        }, Runnable::run, calls.authorization);
        WriteTxnMarkersRequestData data = new WriteTxnMarkersRequestData().setMarkers(List.of(
                new WriteTxnMarkersRequestData.WritableTxnMarker().setProducerId(7).setProducerEpoch((short) 0)
                        .setTransactionResult(true).setCoordinatorEpoch(1).setTopics(List.of(
                                new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName("orders")
                                        .setPartitionIndexes(List.of(0))))));

        WriteTxnMarkersResponseData refused = call(handler.api().handler(), data, (short) 1);
        assertThat(refused.markers().get(0).topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(written).hasValue(0);

        calls.grants.allow(ALICE, ResourceType.CLUSTER, Authorization.CLUSTER_NAME, AclOperation.CLUSTER_ACTION);
        WriteTxnMarkersResponseData allowed = call(handler.api().handler(), data, (short) 1);
        assertThat(allowed.markers().get(0).topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.NONE.code());
        assertThat(written).hasValue(1);
    }

    // ---- the operator's view ----

    @Test
    void describeProducersNeedsReadOnEachTopic() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.READ);
        DescribeProducersRequestData data = new DescribeProducersRequestData().setTopics(List.of(
                new DescribeProducersRequestData.TopicRequest().setName("orders").setPartitionIndexes(List.of(0)),
                new DescribeProducersRequestData.TopicRequest().setName("secret").setPartitionIndexes(List.of(0))));

        DescribeProducersResponseData r = call(admin(calls.authorization).describeProducers().handler(), data,
                (short) 0);

        assertThat(r.topics()).extracting(t -> t.name(), t -> t.partitions().get(0).errorCode(),
                t -> t.partitions().get(0).errorMessage()).containsExactly(
                tuple("orders", Errors.NONE.code(), null),
                tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code(), Errors.TOPIC_AUTHORIZATION_FAILED.message()));
    }

    /** An ongoing transaction of {@code tx} on orders-0 and secret-0, set up with every permission. */
    private void ongoingTransaction() {
        InitProducerIdResponseData init = call(new InitProducerIdHandler(transactions, null, Runnable::run,
                Authorization.ALLOW_ALL), new InitProducerIdRequestData().setTransactionalId("tx")
                .setTransactionTimeoutMs(60_000).setProducerId(-1).setProducerEpoch((short) -1), (short) 4);
        AddPartitionsToTxnResponseData added = call(txn(Authorization.ALLOW_ALL).addPartitionsToTxn().handler(),
                addV3("tx", init.producerId(), init.producerEpoch(), "orders", "secret"), (short) 3);
        assertThat(errors(added).values()).containsOnly(Errors.NONE.code());
    }

    @Test
    void describeTransactionsRefusesIdsThePrincipalMayNotDescribeAndHidesTopicsItMayNotDescribe() {
        ongoingTransaction();
        DescribeTransactionsRequestData data = new DescribeTransactionsRequestData()
                .setTransactionalIds(List.of("tx"));

        DescribeTransactionsResponseData refused = call(admin(calls.authorization).describeTransactions().handler(),
                data, (short) 0);
        assertThat(refused.transactionStates()).extracting(s -> s.transactionalId(), s -> s.errorCode())
                .containsExactly(tuple("tx", Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));

        calls.grants.allow(ALICE, ResourceType.TRANSACTIONAL_ID, "tx", AclOperation.DESCRIBE);
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        DescribeTransactionsResponseData allowed = call(admin(calls.authorization).describeTransactions().handler(),
                data, (short) 0);
        assertThat(allowed.transactionStates().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(allowed.transactionStates().get(0).topics()).extracting(t -> t.topic()).containsExactly("orders");
    }

    @Test
    void listTransactionsListsOnlyTheIdsThePrincipalMayDescribe() {
        ongoingTransaction();

        ListTransactionsResponseData hidden = call(admin(calls.authorization).listTransactions().handler(),
                new ListTransactionsRequestData(), (short) 1);
        assertThat(hidden.transactionStates()).isEmpty();

        calls.grants.allow(ALICE, ResourceType.TRANSACTIONAL_ID, "tx", AclOperation.DESCRIBE);
        ListTransactionsResponseData listed = call(admin(calls.authorization).listTransactions().handler(),
                new ListTransactionsRequestData(), (short) 1);
        assertThat(listed.transactionStates()).extracting(s -> s.transactionalId()).containsExactly("tx");
    }
}
