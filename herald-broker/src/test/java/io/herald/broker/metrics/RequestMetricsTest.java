package io.herald.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RequestMetrics metrics = new RequestMetrics(registry);

    @Test
    void latencyIsRecordedPerApi() {
        metrics.completed(ApiKeys.METADATA, TimeUnit.MILLISECONDS.toNanos(3), null);
        metrics.completed(ApiKeys.METADATA, TimeUnit.MILLISECONDS.toNanos(5), null);
        metrics.completed(ApiKeys.PRODUCE, TimeUnit.MILLISECONDS.toNanos(1), null);
        assertThat(registry.get("herald.requests").tag("api", "Metadata").timer().count()).isEqualTo(2);
        assertThat(registry.get("herald.requests").tag("api", "Metadata").timer().totalTime(TimeUnit.MILLISECONDS))
                .isEqualTo(8.0);
        assertThat(registry.get("herald.requests").tag("api", "Produce").timer().count()).isEqualTo(1);
    }

    @Test
    void partitionErrorsOfProduceAreCountedByName() {
        ProduceResponseData produce = new ProduceResponseData();
        ProduceResponseData.TopicProduceResponse topic = new ProduceResponseData.TopicProduceResponse().setName("t");
        topic.partitionResponses().addAll(List.of(
                new ProduceResponseData.PartitionProduceResponse().setIndex(0),
                new ProduceResponseData.PartitionProduceResponse().setIndex(1)
                        .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()),
                new ProduceResponseData.PartitionProduceResponse().setIndex(2)
                        .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code())));
        produce.responses().add(topic);
        metrics.completed(ApiKeys.PRODUCE, 1, produce);
        assertThat(registry.get("herald.request.errors").tag("api", "Produce")
                .tag("error", "NOT_LEADER_OR_FOLLOWER").counter().count()).isEqualTo(2.0);
        assertThat(registry.find("herald.request.errors").tag("error", "NONE").counter()).isNull();
    }

    @Test
    void theTopLevelErrorCodeCountsAndResponsesWithoutOneCountNothing() {
        metrics.completed(ApiKeys.FIND_COORDINATOR, 1, new FindCoordinatorResponseData()
                .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
        metrics.completed(ApiKeys.CREATE_TOPICS, 1, new CreateTopicsResponseData());
        assertThat(registry.get("herald.request.errors").tag("api", "FindCoordinator")
                .tag("error", "COORDINATOR_NOT_AVAILABLE").counter().count()).isEqualTo(1.0);
        assertThat(registry.find("herald.request.errors").tag("api", "CreateTopics").counters()).isEmpty();
    }

    @Test
    void aFailedRequestCountsAsClosed() {
        metrics.failed(ApiKeys.JOIN_GROUP, 1);
        assertThat(registry.get("herald.request.errors").tag("api", "JoinGroup").tag("error", "CLOSED").counter()
                .count()).isEqualTo(1.0);
    }
}
