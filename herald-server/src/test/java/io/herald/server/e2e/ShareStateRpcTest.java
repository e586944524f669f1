package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitializeShareGroupStateRequest;
import org.apache.kafka.common.requests.InitializeShareGroupStateResponse;
import org.apache.kafka.common.requests.ReadShareGroupStateRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateResponse;
import org.apache.kafka.common.requests.ReadShareGroupStateSummaryRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateSummaryResponse;
import org.apache.kafka.common.requests.WriteShareGroupStateRequest;
import org.apache.kafka.common.requests.WriteShareGroupStateResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The share coordinator on a running broker, through its inter-broker RPCs as another broker would call them:
 * FindCoordinator with a share key creates {@code __share_group_state}; a share-partition's state is initialized,
 * written, read back merged and summarized; an older leader epoch is fenced.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShareStateRpcTest {
    @TempDir
    Path dir;

    @Test
    void stateIsInitializedWrittenAndReadBackThroughTheRpcs() throws Exception {
        try (TestBroker broker = TestBroker.start(dir, Map.of("share.coordinator.state.topic.num.partitions", "3"));
             TestBroker.RawConnection raw = broker.raw()) {
            broker.createTopic("shared", 1, Map.of());
            Uuid topicId = broker.admin().describeTopics(List.of("shared")).allTopicNames().get(20, TimeUnit.SECONDS)
                    .get("shared").topicId();
            String key = "g:" + topicId + ":0";
            await().atMost(Duration.ofSeconds(20)).until(() -> raw.<FindCoordinatorResponse>roundTrip(
                    new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData().setKeyType((byte) 2)
                            .setCoordinatorKeys(List.of(key))).build((short) 6)).data().coordinators().get(0)
                    .errorCode() == Errors.NONE.code());

            InitializeShareGroupStateRequestData init = new InitializeShareGroupStateRequestData().setGroupId("g");
            init.topics().add(new InitializeShareGroupStateRequestData.InitializeStateData().setTopicId(topicId)
                    .setPartitions(List.of(new InitializeShareGroupStateRequestData.PartitionData().setPartition(0)
                            .setStateEpoch(1).setStartOffset(5))));
            await().atMost(Duration.ofSeconds(20)).until(() -> raw.<InitializeShareGroupStateResponse>roundTrip(
                    new InitializeShareGroupStateRequest.Builder(init).build((short) 0)).data().results().get(0)
                    .partitions().get(0).errorCode() == Errors.NONE.code());

            WriteShareGroupStateRequestData write = new WriteShareGroupStateRequestData().setGroupId("g");
            write.topics().add(new WriteShareGroupStateRequestData.WriteStateData().setTopicId(topicId)
                    .setPartitions(List.of(new WriteShareGroupStateRequestData.PartitionData().setPartition(0)
                            .setStateEpoch(1).setLeaderEpoch(3).setStartOffset(5).setDeliveryCompleteCount(2)
                            .setStateBatches(List.of(new WriteShareGroupStateRequestData.StateBatch()
                                    .setFirstOffset(5).setLastOffset(6).setDeliveryState((byte) 2)
                                    .setDeliveryCount((short) 1))))));
            WriteShareGroupStateResponse written = raw.roundTrip(new WriteShareGroupStateRequest.Builder(write)
                    .build((short) 1));
            assertThat(Errors.forCode(written.data().results().get(0).partitions().get(0).errorCode()))
                    .isEqualTo(Errors.NONE);

            ReadShareGroupStateResponseData.PartitionResult read = read(raw, topicId, 3);
            assertThat(Errors.forCode(read.errorCode())).isEqualTo(Errors.NONE);
            assertThat(read.stateEpoch()).isEqualTo(1);
            assertThat(read.startOffset()).isEqualTo(5);
            assertThat(read.stateBatches()).singleElement().satisfies(b -> {
                assertThat(b.firstOffset()).isEqualTo(5);
                assertThat(b.lastOffset()).isEqualTo(6);
                assertThat(b.deliveryState()).isEqualTo((byte) 2);
                assertThat(b.deliveryCount()).isEqualTo((short) 1);
            });
            assertThat(Errors.forCode(read(raw, topicId, 2).errorCode())).isEqualTo(Errors.FENCED_LEADER_EPOCH);

            ReadShareGroupStateSummaryRequestData summary = new ReadShareGroupStateSummaryRequestData()
                    .setGroupId("g");
            summary.topics().add(new ReadShareGroupStateSummaryRequestData.ReadStateSummaryData().setTopicId(topicId)
                    .setPartitions(List.of(new ReadShareGroupStateSummaryRequestData.PartitionData().setPartition(0)
                            .setLeaderEpoch(3))));
            ReadShareGroupStateSummaryResponse summarized = raw.roundTrip(
                    new ReadShareGroupStateSummaryRequest.Builder(summary).build((short) 1));
            var s = summarized.data().results().get(0).partitions().get(0);
            assertThat(s.startOffset()).isEqualTo(5);
            assertThat(s.deliveryCompleteCount()).isEqualTo(2);
        }
    }

    private static ReadShareGroupStateResponseData.PartitionResult read(TestBroker.RawConnection raw, Uuid topicId,
                                                                      int leaderEpoch) throws Exception {
        ReadShareGroupStateRequestData read = new ReadShareGroupStateRequestData().setGroupId("g");
        read.topics().add(new ReadShareGroupStateRequestData.ReadStateData().setTopicId(topicId)
                .setPartitions(List.of(new ReadShareGroupStateRequestData.PartitionData().setPartition(0)
                        .setLeaderEpoch(leaderEpoch))));
        ReadShareGroupStateResponse response = raw.roundTrip(new ReadShareGroupStateRequest.Builder(read)
                .build((short) 0));
        return response.data().results().get(0).partitions().get(0);
    }
}
