package io.herald.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.broker.coordinator.FindCoordinatorHandler;
import io.herald.broker.coordinator.InternalTopicCreator;
import io.herald.broker.security.Authorization;
import io.herald.metadata.controller.ControllerSettings;
import io.herald.metadata.controller.MetadataController;
import io.herald.metadata.image.Endpoint;
import io.herald.metadata.quorum.local.LocalMetadataQuorum;
import io.herald.protocol.ConnectionContext;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Brokers are given at the endpoint of the listener a request came in on, in every API that gives addresses
 * (Metadata, DescribeCluster, FindCoordinator), against a real controller on an in-memory quorum. Broker 1 has
 * endpoints on both listeners, broker 2 only on PLAINTEXT, broker 3 none at all (an older broker): Kafka leaves
 * broker 2 out for EXTERNAL clients, and gives broker 3 at its registered address to everyone.
 */
class ListenerEndpointsTest {
    private static final ConnectionContext PLAINTEXT = ConnectionContext.PLAINTEXT;
    private static final ConnectionContext EXTERNAL = new ConnectionContext("EXTERNAL", SecurityProtocol.SASL_SSL,
            KafkaPrincipal.ANONYMOUS);

    private MetadataController controller;

    @BeforeEach
    void start() throws Exception {
        controller = MetadataController.start(LocalMetadataQuorum.inMemory(1), ControllerSettings.defaults(1), "c");
        controller.registerBroker(1, "127.0.0.1", 9092, Optional.empty(), controller.incarnationId());
        controller.registerEndpoints(1, List.of(
                new Endpoint("PLAINTEXT", "127.0.0.1", 9092, SecurityProtocol.PLAINTEXT),
                new Endpoint("EXTERNAL", "b1.example", 19092, SecurityProtocol.SASL_SSL)));
        controller.registerBroker(2, "127.0.0.2", 9093, Optional.of("rack-b"), controller.incarnationId());
        controller.registerEndpoints(2, List.of(
                new Endpoint("PLAINTEXT", "127.0.0.2", 9093, SecurityProtocol.PLAINTEXT)));
        controller.registerBroker(3, "127.0.0.3", 9094, Optional.empty(), controller.incarnationId());
        Map<Integer, List<Integer>> oneLeaderEach = Map.of(0, List.of(1), 1, List.of(2), 2, List.of(3));
        controller.createTopic("t", oneLeaderEach, Map.of(), false);
        controller.createTopic(Topic.GROUP_METADATA_TOPIC_NAME, oneLeaderEach, Map.of(), false);
    }

    @AfterEach
    void stop() throws Exception {
        controller.close();
    }

    private static ApiMessage call(ServedApi api, AbstractRequest body, ConnectionContext listener) {
        KafkaRequest request = new KafkaRequest(new RequestHeader(api.key(), body.version(), "test", 1), body, 0,
                new InetSocketAddress("127.0.0.1", 1), 0, listener);
        return ((Response.Send) api.handler().handle(request).join()).data();
    }

    private MetadataResponseData metadata(ConnectionContext listener) {
        MetadataHandler handler = new MetadataHandler(controller, controller,
                new MetadataHandler.Settings(1, false, 1, (short) 1), Runnable::run, Authorization.ALLOW_ALL);
        return (MetadataResponseData) call(handler.api(), new MetadataRequest.Builder(new MetadataRequestData()
                .setTopics(null).setAllowAutoTopicCreation(false)).build((short) 12), listener);
    }

    private static Map<Integer, String> brokers(MetadataResponseData response) {
        return response.brokers().stream().collect(Collectors.toMap(b -> b.nodeId(), b -> b.host() + ":" + b.port()));
    }

    private static MetadataResponsePartition partition(MetadataResponseData response, int index) {
        return response.topics().find("t").partitions().stream().filter(p -> p.partitionIndex() == index)
                .findFirst().orElseThrow();
    }

    @Test
    void metadataGivesEachBrokerAtItsEndpointForTheRequestsListener() {
        MetadataResponseData external = metadata(EXTERNAL);
        assertThat(brokers(external)).containsExactlyInAnyOrderEntriesOf(Map.of(
                1, "b1.example:19092", 3, "127.0.0.3:9094"));

        MetadataResponseData plaintext = metadata(PLAINTEXT);
        assertThat(brokers(plaintext)).containsExactlyInAnyOrderEntriesOf(Map.of(
                1, "127.0.0.1:9092", 2, "127.0.0.2:9093", 3, "127.0.0.3:9094"));
        assertThat(plaintext.brokers().find(2).rack()).isEqualTo("rack-b");
    }

    @Test
    void aPartitionLedByABrokerWithoutTheListenerIsListenerNotFound() {
        MetadataResponseData external = metadata(EXTERNAL);
        assertThat(partition(external, 1).errorCode()).isEqualTo(Errors.LISTENER_NOT_FOUND.code());
        assertThat(partition(external, 1).leaderId()).isEqualTo(-1);
        assertThat(partition(external, 1).replicaNodes()).containsExactly(2);
        assertThat(partition(external, 0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(partition(external, 2).leaderId()).as("an older broker is reached at its registered address")
                .isEqualTo(3);

        MetadataResponseData plaintext = metadata(PLAINTEXT);
        assertThat(partition(plaintext, 1).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(partition(plaintext, 1).leaderId()).isEqualTo(2);
    }

    @Test
    void describeClusterLeavesOutBrokersWithoutAnEndpointOnTheListener() {
        ClusterHandler handler = new ClusterHandler(controller, null, 1, Runnable::run, Authorization.ALLOW_ALL);
        AbstractRequest body = new DescribeClusterRequest.Builder(new DescribeClusterRequestData()).build((short) 1);

        DescribeClusterResponseData external = (DescribeClusterResponseData) call(handler.describeCluster(), body,
                EXTERNAL);
        assertThat(external.brokers().stream().collect(Collectors.toMap(b -> b.brokerId(),
                b -> b.host() + ":" + b.port()))).containsExactlyInAnyOrderEntriesOf(Map.of(
                1, "b1.example:19092", 3, "127.0.0.3:9094"));

        DescribeClusterResponseData plaintext = (DescribeClusterResponseData) call(handler.describeCluster(), body,
                PLAINTEXT);
        assertThat(plaintext.brokers()).extracting(b -> b.brokerId()).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void aCoordinatorOnABrokerWithoutTheListenerIsNotAvailable() {
        InternalTopicCreator offsets = new InternalTopicCreator(controller::image, (name, partitions, rf, configs) -> {
            throw new AssertionError("the topic exists");
        }, new InternalTopicCreator.Spec(Topic.GROUP_METADATA_TOPIC_NAME, 3, 1, "offsets.topic.replication.factor",
                Map.of()), Runnable::run);
        FindCoordinatorHandler handler = new FindCoordinatorHandler(Map.of(CoordinatorType.GROUP,
                new FindCoordinatorHandler.Placement(offsets, Integer::parseInt)), controller::image,
                Authorization.ALLOW_ALL);
        AbstractRequest body = new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                .setKeyType(CoordinatorType.GROUP.id()).setCoordinatorKeys(List.of("0", "1", "2"))).build((short) 4);

        List<FindCoordinatorResponseData.Coordinator> external = ((FindCoordinatorResponseData) call(handler.api(),
                body, EXTERNAL)).coordinators();
        assertThat(external.get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(external.get(0).host() + ":" + external.get(0).port()).isEqualTo("b1.example:19092");
        assertThat(external.get(1).errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(external.get(1).nodeId()).isEqualTo(-1);
        assertThat(external.get(1).errorMessage()).contains("listener EXTERNAL");
        assertThat(external.get(2).host() + ":" + external.get(2).port()).isEqualTo("127.0.0.3:9094");

        List<FindCoordinatorResponseData.Coordinator> plaintext = ((FindCoordinatorResponseData) call(handler.api(),
                body, PLAINTEXT)).coordinators();
        assertThat(plaintext.get(1).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(plaintext.get(1).host() + ":" + plaintext.get(1).port()).isEqualTo("127.0.0.2:9093");
    }
}
