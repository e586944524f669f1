package io.herald.broker.sharestate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.broker.security.Authorization;
import io.herald.broker.security.GrantsAuthorizer;
import io.herald.protocol.ConnectionContext;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteShareGroupStateRequestData;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DeleteShareGroupStateRequest;
import org.apache.kafka.common.requests.DeleteShareGroupStateResponse;
import org.apache.kafka.common.requests.InitializeShareGroupStateRequest;
import org.apache.kafka.common.requests.InitializeShareGroupStateResponse;
import org.apache.kafka.common.requests.ReadShareGroupStateRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateResponse;
import org.apache.kafka.common.requests.ReadShareGroupStateSummaryRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateSummaryResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.WriteShareGroupStateRequest;
import org.apache.kafka.common.requests.WriteShareGroupStateResponse;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

/**
 * The share-state RPCs answer only principals with CLUSTER_ACTION (brokers), as Kafka's KafkaApis: anyone else
 * gets CLUSTER_AUTHORIZATION_FAILED on every partition it named, and the share coordinator is never asked.
 */
class ShareStateHandlerAuthorizationTest {
    private static final KafkaPrincipal BROKER = new KafkaPrincipal("User", "broker");
    private static final KafkaPrincipal CLIENT = new KafkaPrincipal("User", "client");
    private static final Uuid TOPIC = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");

    private final GrantsAuthorizer grants = new GrantsAuthorizer()
            .allow(BROKER, ResourceType.CLUSTER, Authorization.CLUSTER_NAME, AclOperation.CLUSTER_ACTION);
    private int served;
    private final ShareStateHandler handler = new ShareStateHandler(new ShareStateService() {
        @Override
        public CompletableFuture<InitializeShareGroupStateResponseData> initializeState(
                InitializeShareGroupStateRequestData r) {
            served++;
            return CompletableFuture.completedFuture(InitializeShareGroupStateResponse.toResponseData(TOPIC, 0));
        }

        @Override
        public CompletableFuture<ReadShareGroupStateResponseData> readState(ReadShareGroupStateRequestData r) {
            served++;
            return CompletableFuture.completedFuture(ReadShareGroupStateResponse.toResponseData(TOPIC, 0, 0, 1,
                    List.of()));
        }

        @Override
        public CompletableFuture<WriteShareGroupStateResponseData> writeState(WriteShareGroupStateRequestData r,
                                                                              short version) {
            served++;
            return CompletableFuture.completedFuture(WriteShareGroupStateResponse.toResponseData(TOPIC, 0));
        }

        @Override
        public CompletableFuture<DeleteShareGroupStateResponseData> deleteState(DeleteShareGroupStateRequestData r) {
            served++;
            return CompletableFuture.completedFuture(DeleteShareGroupStateResponse.toResponseData(TOPIC, 0));
        }

        @Override
        public CompletableFuture<ReadShareGroupStateSummaryResponseData> readStateSummary(
                ReadShareGroupStateSummaryRequestData r, short version) {
            served++;
            return CompletableFuture.completedFuture(ReadShareGroupStateSummaryResponse.toResponseData(TOPIC, 0, 0, 1,
                    0, 0));
        }

        @Override
        public int partitionFor(String coordinatorKey) {
            return 0;
        }
    }, new Authorization(grants));

    private static ApiMessage answer(ServedApi api, KafkaPrincipal principal, AbstractRequest body) {
        CompletableFuture<Response> f = api.handler().handle(new KafkaRequest(new RequestHeader(body.apiKey(),
                body.version(), "broker-2", 1), body, 100, new InetSocketAddress("127.0.0.2", 9093),
                System.nanoTime(), new ConnectionContext("BROKER", SecurityProtocol.SASL_SSL, principal)));
        assertThat(f).isDone();
        return ((Response.Send) f.join()).data();
    }

    @Test
    void initializeNeedsClusterAction() {
        var data = new InitializeShareGroupStateRequestData().setGroupId("sg").setTopics(List.of(
                new InitializeShareGroupStateRequestData.InitializeStateData().setTopicId(TOPIC).setPartitions(List.of(
                        new InitializeShareGroupStateRequestData.PartitionData().setPartition(0),
                        new InitializeShareGroupStateRequestData.PartitionData().setPartition(1)))));
        var refused = (InitializeShareGroupStateResponseData) answer(handler.initialize(), CLIENT,
                new InitializeShareGroupStateRequest(data, (short) 0));
        assertThat(refused.results().get(0).partitions()).extracting(p -> p.partition(), p -> p.errorCode())
                .containsExactly(tuple(0, Errors.CLUSTER_AUTHORIZATION_FAILED.code()),
                        tuple(1, Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
        assertThat(served).isZero();

        var allowed = (InitializeShareGroupStateResponseData) answer(handler.initialize(), BROKER,
                new InitializeShareGroupStateRequest(data, (short) 0));
        assertThat(allowed.results().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(served).isEqualTo(1);
    }

    @Test
    void readWriteDeleteAndReadSummaryNeedClusterAction() {
        var read = new ReadShareGroupStateRequest(new ReadShareGroupStateRequestData().setGroupId("sg").setTopics(
                List.of(new ReadShareGroupStateRequestData.ReadStateData().setTopicId(TOPIC).setPartitions(List.of(
                        new ReadShareGroupStateRequestData.PartitionData().setPartition(0))))), (short) 0);
        var write = new WriteShareGroupStateRequest(new WriteShareGroupStateRequestData().setGroupId("sg").setTopics(
                List.of(new WriteShareGroupStateRequestData.WriteStateData().setTopicId(TOPIC).setPartitions(List.of(
                        new WriteShareGroupStateRequestData.PartitionData().setPartition(0))))), (short) 1);
        var delete = new DeleteShareGroupStateRequest(new DeleteShareGroupStateRequestData().setGroupId("sg")
                .setTopics(List.of(new DeleteShareGroupStateRequestData.DeleteStateData().setTopicId(TOPIC)
                        .setPartitions(List.of(new DeleteShareGroupStateRequestData.PartitionData()
                                .setPartition(0))))), (short) 0);
        var summary = new ReadShareGroupStateSummaryRequest(new ReadShareGroupStateSummaryRequestData()
                .setGroupId("sg").setTopics(List.of(new ReadShareGroupStateSummaryRequestData.ReadStateSummaryData()
                        .setTopicId(TOPIC).setPartitions(List.of(new ReadShareGroupStateSummaryRequestData
                                .PartitionData().setPartition(0))))), (short) 1);

        short denied = Errors.CLUSTER_AUTHORIZATION_FAILED.code();
        assertThat(((ReadShareGroupStateResponseData) answer(handler.read(), CLIENT, read)).results().get(0)
                .partitions().get(0).errorCode()).isEqualTo(denied);
        assertThat(((WriteShareGroupStateResponseData) answer(handler.write(), CLIENT, write)).results().get(0)
                .partitions().get(0).errorCode()).isEqualTo(denied);
        assertThat(((DeleteShareGroupStateResponseData) answer(handler.delete(), CLIENT, delete)).results().get(0)
                .partitions().get(0).errorCode()).isEqualTo(denied);
        assertThat(((ReadShareGroupStateSummaryResponseData) answer(handler.readSummary(), CLIENT, summary))
                .results().get(0).partitions().get(0).errorCode()).isEqualTo(denied);
        assertThat(served).isZero();

        short none = Errors.NONE.code();
        assertThat(((ReadShareGroupStateResponseData) answer(handler.read(), BROKER, read)).results().get(0)
                .partitions().get(0).errorCode()).isEqualTo(none);
        assertThat(((WriteShareGroupStateResponseData) answer(handler.write(), BROKER, write)).results().get(0)
                .partitions().get(0).errorCode()).isEqualTo(none);
        assertThat(((DeleteShareGroupStateResponseData) answer(handler.delete(), BROKER, delete)).results().get(0)
                .partitions().get(0).errorCode()).isEqualTo(none);
        assertThat(((ReadShareGroupStateSummaryResponseData) answer(handler.readSummary(), BROKER, summary))
                .results().get(0).partitions().get(0).errorCode()).isEqualTo(none);
        assertThat(served).isEqualTo(4);
    }
}
