package io.herald.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.image.PartitionImage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.IneligibleReplicaException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

class AlterPartitionTest {

    private static PartitionImage alter(ControllerFixture f, int broker, Uuid id, int partition, int leaderEpoch,
                                        int partitionEpoch, List<Integer> isr) throws Exception {
        return f.controller.alterPartition(broker, id, partition, leaderEpoch, partitionEpoch, isr)
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void shrinkAndExpandBumpOnlyThePartitionEpoch() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2, 3);
            Uuid id = f.controller.createTopic("t", Map.of(0, List.of(1, 2, 3)), Map.of(), false).topicId();
            List<PartitionImage> seen = new java.util.ArrayList<>();
            f.controller.addListener((previous, current) -> seen.add(current.topic(id).orElseThrow().partitions().get(0)));
            PartitionImage shrunk = alter(f, 1, id, 0, 0, 0, List.of(1, 3));
            assertThat(shrunk.isr()).containsExactly(1, 3);
            assertThat(shrunk.leaderEpoch()).isZero();
            assertThat(shrunk.partitionEpoch()).isEqualTo(1);
            assertThat(f.partition("t", 0)).isEqualTo(shrunk);
            assertThat(seen).containsExactly(shrunk);
            PartitionImage expanded = alter(f, 1, id, 0, 0, 1, List.of(1, 3, 2));
            assertThat(expanded.isr()).containsExactly(1, 3, 2);
            assertThat(expanded.partitionEpoch()).isEqualTo(2);
        }
    }

    @Test
    void rejectsLikeKafka() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2, 3, 4);
            Uuid id = f.controller.createTopic("t", Map.of(0, List.of(1, 2, 3)), Map.of(), false).topicId();
            alter(f, 1, id, 0, 0, 0, List.of(1, 2));
            expect(f, 1, Uuid.randomUuid(), 0, 0, 1, List.of(1), UnknownTopicOrPartitionException.class);
            expect(f, 1, id, 5, 0, 1, List.of(1), UnknownTopicOrPartitionException.class);
            expect(f, 2, id, 0, 0, 1, List.of(1, 2), NotLeaderOrFollowerException.class);
            expect(f, 1, id, 0, 1, 1, List.of(1, 2), FencedLeaderEpochException.class);
            expect(f, 1, id, 0, 0, 0, List.of(1), InvalidUpdateVersionException.class);
            expect(f, 1, id, 0, 0, 1, List.of(), InvalidRequestException.class);
            expect(f, 1, id, 0, 0, 1, List.of(2), InvalidRequestException.class);
            expect(f, 1, id, 0, 0, 1, List.of(1, 4), InvalidRequestException.class);
            expect(f, 1, id, 0, 0, 1, List.of(1, 1), InvalidRequestException.class);
            // A fenced replica may not join the ISR.
            f.clock.advance(9000);
            f.heartbeat(1, 2, 4);
            f.pollLeader();
            expect(f, 1, id, 0, 0, 1, List.of(1, 2, 3), IneligibleReplicaException.class);
            assertThat(f.partition("t", 0).isr()).containsExactly(1, 2);
        }
    }

    private static void expect(ControllerFixture f, int broker, Uuid id, int partition, int leaderEpoch,
                               int partitionEpoch, List<Integer> isr, Class<? extends Throwable> error) {
        assertThatThrownBy(() -> alter(f, broker, id, partition, leaderEpoch, partitionEpoch, isr))
                .as("isr %s epochs %s/%s", isr, leaderEpoch, partitionEpoch)
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(error);
    }
}
