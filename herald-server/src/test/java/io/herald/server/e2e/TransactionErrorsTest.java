package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad transactional input over the raw protocol gets Kafka's error codes and leaves nothing visible. Each expected
 * answer is what Apache Kafka 4.3.1 (single node, defaults) answers to the same request.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransactionErrorsTest {
    private static final String TOPIC = "raw-txn";
    private static final String ID = "raw-producer";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    @TempDir
    Path dir;
    TestBroker broker;
    TestBroker.RawConnection raw;
    long producerId;
    short epoch;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir, Map.of("transaction.state.log.num.partitions", "2"));
        broker.createTopic(TOPIC, 1, Map.of());
        raw = broker.raw();
        // the first transaction key creates __transaction_state; the coordinator answers once it has loaded
        await().atMost(Duration.ofSeconds(20)).until(() -> raw.<FindCoordinatorResponse>roundTrip(
                new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData().setKeyType((byte) 1)
                        .setCoordinatorKeys(List.of(ID))).build((short) 4)).data().coordinators().get(0)
                .errorCode() == Errors.NONE.code());
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            InitProducerIdResponse init = initProducerId(ID, 60_000);
            producerId = init.data().producerId();
            epoch = init.data().producerEpoch();
            return init.data().errorCode() == Errors.NONE.code();
        });
    }

    @AfterEach
    void stop() throws Exception {
        raw.close();
        broker.close();
    }

    private InitProducerIdResponse initProducerId(String id, int timeoutMs) throws Exception {
        return raw.roundTrip(new InitProducerIdRequest.Builder(new InitProducerIdRequestData().setTransactionalId(id)
                .setTransactionTimeoutMs(timeoutMs)).build((short) 4));
    }

    private ProduceResponseData.PartitionProduceResponse produceTransactional(short version) throws Exception {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5000)
                .setTransactionalId(ID);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName(TOPIC);
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, epoch, 0,
                        new SimpleRecord("k".getBytes(), "v".getBytes()))));
        data.topicData().add(topic);
        ProduceResponse response = raw.roundTrip(new ProduceRequest.Builder(version, version, data).build(version));
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }

    @Test
    void aTimeoutAboveTheMaximumIsRefused() throws Exception {
        assertThat(Errors.forCode(initProducerId(ID + "-slow", 1_000_000).data().errorCode()))
                .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
    }

    @Test
    void aTransactionalWriteToAPartitionNeverAddedIsRefusedAndNothingIsAppended() throws Exception {
        assertThat(Errors.forCode(produceTransactional((short) 3).errorCode())).isEqualTo(Errors.INVALID_TXN_STATE);
        ProduceResponseData.PartitionProduceResponse v10 = produceTransactional((short) 10);
        assertThat(Errors.forCode(v10.errorCode())).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(v10.errorMessage()).isEqualTo("Partition was not added to the transaction");
        // v11 clients know TRANSACTION_ABORTABLE (KIP-890)
        assertThat(Errors.forCode(produceTransactional((short) 11).errorCode()))
                .isEqualTo(Errors.TRANSACTION_ABORTABLE);
        assertThat(broker.offset(TP, OffsetSpec.latest())).isZero();
        assertThat(broker.admin().listOffsets(Map.of(TP, OffsetSpec.latest()),
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).partitionResult(TP).get(20, TimeUnit.SECONDS)
                .offset()).isZero();
    }

    @Test
    void staleEpochsUnknownIdsAndUnknownPartitionsGetKafkasErrors() throws Exception {
        AddPartitionsToTxnResponse stale = raw.roundTrip(AddPartitionsToTxnRequest.Builder.forClient(ID, producerId,
                (short) (epoch - 1), List.of(TP)).build((short) 3));
        assertThat(stale.errors().values().iterator().next()).containsEntry(TP, Errors.PRODUCER_FENCED);

        AddPartitionsToTxnResponse unknownTopic = raw.roundTrip(AddPartitionsToTxnRequest.Builder.forClient(ID,
                producerId, epoch, List.of(TP, new TopicPartition("no-such-topic", 0))).build((short) 3));
        assertThat(unknownTopic.errors().values().iterator().next()).containsEntry(TP, Errors.OPERATION_NOT_ATTEMPTED)
                .containsEntry(new TopicPartition("no-such-topic", 0), Errors.UNKNOWN_TOPIC_OR_PARTITION);

        EndTxnResponse unknownId = raw.roundTrip(new EndTxnRequest.Builder(new EndTxnRequestData()
                .setTransactionalId("nobody").setProducerId(producerId).setProducerEpoch(epoch).setCommitted(true),
                false).build((short) 3));
        assertThat(Errors.forCode(unknownId.data().errorCode())).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);

        EndTxnResponse newerEpoch = raw.roundTrip(new EndTxnRequest.Builder(new EndTxnRequestData()
                .setTransactionalId(ID).setProducerId(producerId).setProducerEpoch((short) (epoch + 5))
                .setCommitted(true), false).build((short) 3));
        assertThat(Errors.forCode(newerEpoch.data().errorCode())).isEqualTo(Errors.PRODUCER_FENCED);

        AddOffsetsToTxnResponse wrongProducer = raw.roundTrip(new AddOffsetsToTxnRequest.Builder(
                new AddOffsetsToTxnRequestData().setTransactionalId(ID).setProducerId(producerId + 1000)
                        .setProducerEpoch(epoch).setGroupId("g")).build((short) 3));
        assertThat(Errors.forCode(wrongProducer.data().errorCode())).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        broker.assertHealthy();
    }
}
