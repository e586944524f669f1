package io.herald.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metadata.image.PartitionImage;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.jupiter.api.Test;

class ReassignmentTest {
    private static final TopicPartition T0 = new TopicPartition("t", 0);

    @Test
    void reassignmentCompletesWhenTheAddingReplicasAreInSync() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2, 3, 4);
            Uuid id = f.controller.createTopic("t", Map.of(0, List.of(1, 2, 3)), Map.of(), false).topicId();
            Map<TopicPartition, ApiError> result = f.controller.alterPartitionReassignments(
                    Map.of(T0, Optional.of(List.of(4, 2, 3))));
            assertThat(result).containsExactly(Map.entry(T0, ApiError.NONE));
            PartitionImage p = f.partition("t", 0);
            assertThat(p.replicas()).containsExactly(4, 2, 3, 1);
            assertThat(p.addingReplicas()).containsExactly(4);
            assertThat(p.removingReplicas()).containsExactly(1);
            assertThat(p.leader()).isEqualTo(1);
            assertThat(f.controller.listPartitionReassignments().get(T0).replicas()).containsExactly(4, 2, 3, 1);

            PartitionImage done = f.controller.alterPartition(1, id, 0, p.leaderEpoch(), p.partitionEpoch(),
                    List.of(1, 2, 3, 4)).get();
            assertThat(done.replicas()).containsExactly(4, 2, 3);
            assertThat(done.isr()).containsExactly(2, 3, 4);
            assertThat(done.addingReplicas()).isEmpty();
            assertThat(done.removingReplicas()).isEmpty();
            assertThat(done.leader()).isEqualTo(4);
            assertThat(done.leaderEpoch()).isEqualTo(p.leaderEpoch() + 1);
            assertThat(f.controller.listPartitionReassignments()).isEmpty();
        }
    }

    @Test
    void cancelRestoresTheOriginalReplicas() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2, 3, 4);
            f.controller.createTopic("t", Map.of(0, List.of(1, 2)), Map.of(), false);
            assertThat(f.controller.alterPartitionReassignments(Map.of(T0, Optional.empty())).get(T0).error())
                    .isEqualTo(Errors.NO_REASSIGNMENT_IN_PROGRESS);
            f.controller.alterPartitionReassignments(Map.of(T0, Optional.of(List.of(3, 4))));
            assertThat(f.partition("t", 0).replicas()).containsExactly(3, 4, 1, 2);
            assertThat(f.controller.alterPartitionReassignments(Map.of(T0, Optional.empty())).get(T0))
                    .isEqualTo(ApiError.NONE);
            PartitionImage p = f.partition("t", 0);
            assertThat(p.replicas()).containsExactly(1, 2);
            assertThat(p.isReassigning()).isFalse();
            assertThat(p.isr()).containsExactly(1, 2);
        }
    }

    @Test
    void shrinkingReassignmentCompletesAtOnceAndErrorsArePerPartition() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2, 3);
            f.controller.createTopic("t", Map.of(0, List.of(1, 2, 3), 1, List.of(2, 3, 1)), Map.of(), false);
            Map<TopicPartition, ApiError> result = f.controller.alterPartitionReassignments(Map.of(
                    T0, Optional.of(List.of(2, 3)),
                    new TopicPartition("t", 1), Optional.of(List.of(2, 2)),
                    new TopicPartition("t", 7), Optional.of(List.of(1)),
                    new TopicPartition("nope", 0), Optional.of(List.of(1))));
            assertThat(result.get(T0)).isEqualTo(ApiError.NONE);
            assertThat(result.get(new TopicPartition("t", 1)).error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
            assertThat(result.get(new TopicPartition("t", 7)).error()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(result.get(new TopicPartition("nope", 0)).error()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
            PartitionImage p = f.partition("t", 0);
            assertThat(p.replicas()).containsExactly(2, 3);
            assertThat(p.isr()).containsExactly(2, 3);
            assertThat(p.leader()).isEqualTo(2);
            assertThat(f.controller.alterPartitionReassignments(Map.of(T0, Optional.of(List.of(9)))).get(T0).error())
                    .isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        }
    }
}
