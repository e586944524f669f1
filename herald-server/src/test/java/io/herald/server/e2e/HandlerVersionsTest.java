package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.EndpointType;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raw requests at the versions whose fields change an answer, for the APIs the Java clients only send at their
 * newest version (the group APIs have {@code GroupProtocolVersionsTest}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandlerVersionsTest {
    @TempDir
    Path dir;

    @Test
    void metadataV0WithAnEmptyTopicListDescribesEveryTopic() throws Exception {
        try (TestBroker broker = TestBroker.start(dir); TestBroker.RawConnection c = broker.raw()) {
            broker.createTopic("first", 1, Map.of());
            broker.createTopic("second", 1, Map.of());

            // v0 has no null topic list: an empty one is how it asks for every topic.
            MetadataResponseData all = c.<MetadataResponse>roundTrip(
                    new MetadataRequest(new MetadataRequestData().setTopics(List.of()), (short) 0)).data();
            MetadataResponseData none = c.<MetadataResponse>roundTrip(
                    new MetadataRequest(new MetadataRequestData().setTopics(List.of()), (short) 1)).data();

            assertThat(all.topics()).extracting(MetadataResponseData.MetadataResponseTopic::name)
                    .contains("first", "second");
            assertThat(none.topics()).as("from v1 an empty list asks for no topic").isEmpty();
        }
    }

    @Test
    void describeClusterForControllerEndpointsIsAMismatchedEndpointType() throws Exception {
        try (TestBroker broker = TestBroker.start(dir); TestBroker.RawConnection c = broker.raw()) {
            DescribeClusterResponseData controllers = c.<DescribeClusterResponse>roundTrip(
                    new DescribeClusterRequest.Builder(new DescribeClusterRequestData()
                            .setEndpointType(EndpointType.CONTROLLER.id())).build((short) 1)).data();
            DescribeClusterResponseData brokers = c.<DescribeClusterResponse>roundTrip(
                    new DescribeClusterRequest.Builder(new DescribeClusterRequestData()
                            .setEndpointType(EndpointType.BROKER.id())).build((short) 1)).data();

            assertThat(Errors.forCode(controllers.errorCode())).isEqualTo(Errors.MISMATCHED_ENDPOINT_TYPE);
            assertThat(controllers.brokers()).isEmpty();
            assertThat(Errors.forCode(brokers.errorCode())).isEqualTo(Errors.NONE);
            assertThat(brokers.endpointType()).isEqualTo(EndpointType.BROKER.id());
            assertThat(brokers.brokers()).extracting(DescribeClusterResponseData.DescribeClusterBroker::brokerId)
                    .containsExactly(broker.broker().config().node().nodeId());
        }
    }
}
