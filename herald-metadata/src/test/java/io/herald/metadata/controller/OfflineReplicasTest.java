package io.herald.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.ReplicaKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.IneligibleReplicaException;
import org.apache.kafka.common.errors.StaleBrokerEpochException;
import org.junit.jupiter.api.Test;

/** A broker reports replicas offline after a log dir failure (KIP-858) and online again after it healed. */
class OfflineReplicasTest {

    private static void report(ControllerFixture f, int broker, Set<ReplicaKey> offline) throws Exception {
        f.controller.reportOfflineReplicas(broker, offline).get(10, TimeUnit.SECONDS);
    }

    @Test
    void offlineReplicasLeaveTheIsrAndTheirLeadershipMovesToAnotherInSyncReplica() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2, 3);
            Uuid id = f.controller.createTopic("t", Map.of(0, List.of(1, 2, 3), 1, List.of(2, 1, 3),
                    2, List.of(3, 2, 1)), Map.of(), false).topicId();
            Uuid other = f.controller.createTopic("u", Map.of(0, List.of(1, 2)), Map.of(), false).topicId();

            // Broker 1's dir holding t-0 and t-1 failed; u-0 lives on its healthy dir.
            report(f, 1, Set.of(new ReplicaKey(id, 0), new ReplicaKey(id, 1)));

            PartitionImage t0 = f.partition("t", 0);
            assertThat(t0.leader()).isEqualTo(2);
            assertThat(t0.isr()).containsExactly(2, 3);
            assertThat(t0.leaderEpoch()).isEqualTo(1);
            assertThat(f.partition("t", 1).leader()).isEqualTo(2);
            assertThat(f.partition("t", 1).isr()).containsExactly(2, 3);
            assertThat(f.partition("t", 1).leaderEpoch()).as("the leader did not change").isZero();
            assertThat(f.partition("t", 2).isr()).containsExactly(3, 2, 1);
            assertThat(f.partition("u", 0).leader()).isEqualTo(1);
            assertThat(f.broker(1).fenced()).isFalse();
            assertThat(f.broker(1).offlineReplicas()).containsExactlyInAnyOrder(new ReplicaKey(id, 0),
                    new ReplicaKey(id, 1));

            // The leader cannot put it back while the replica is offline...
            assertThatThrownBy(() -> f.controller.alterPartition(2, id, 0, 1, t0.partitionEpoch(),
                    List.of(2, 3, 1)).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IneligibleReplicaException.class);
            // ...nor does a preferred-leader election pick it.
            f.controller.electLeaders(false, Set.of(new org.apache.kafka.common.TopicPartition("t", 0)));
            assertThat(f.partition("t", 0).leader()).isEqualTo(2);

            // Healed: the leader adds it back once it caught up.
            report(f, 1, Set.of());
            assertThat(f.broker(1).offlineReplicas()).isEmpty();
            PartitionImage back = f.controller.alterPartition(2, id, 0, 1, f.partition("t", 0).partitionEpoch(),
                    List.of(2, 3, 1)).get(10, TimeUnit.SECONDS);
            assertThat(back.isr()).containsExactly(2, 3, 1);
            assertThat(other).isNotNull();
        }
    }

    @Test
    void theLastIsrMemberKeepsItsPlaceAndLeadsAgainWhenItsReplicaIsBack() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2);
            Uuid id = f.controller.createTopic("t", Map.of(0, List.of(1, 2)), Map.of(), false).topicId();
            PartitionImage alone = f.controller.alterPartition(1, id, 0, 0, 0, List.of(1)).get(10, TimeUnit.SECONDS);
            assertThat(alone.isr()).containsExactly(1);

            report(f, 1, Set.of(new ReplicaKey(id, 0)));
            assertThat(f.partition("t", 0).leader()).isEqualTo(-1);
            assertThat(f.partition("t", 0).isr()).containsExactly(1);

            report(f, 1, Set.of());
            assertThat(f.partition("t", 0).leader()).isEqualTo(1);
        }
    }

    @Test
    void aReportOfAnEarlierIncarnationIsRefusedAndARestartForgetsTheOfflineSet() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2);
            Uuid id = f.controller.createTopic("t", Map.of(0, List.of(1, 2)), Map.of(), false).topicId();
            report(f, 1, Set.of(new ReplicaKey(id, 0)));
            f.controller.registerBroker(1, "127.0.0.1", 9001, Optional.empty(), Uuid.randomUuid());
            assertThat(f.broker(1).offlineReplicas()).isEmpty();
            assertThatThrownBy(() -> report(f, 1, Set.of(new ReplicaKey(id, 0))))
                    .hasCauseInstanceOf(StaleBrokerEpochException.class);
        }
    }

    @Test
    void aSnapshotKeepsTheOfflineSet() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2);
            Uuid id = f.controller.createTopic("t", Map.of(0, List.of(1, 2)), Map.of(), false).topicId();
            report(f, 1, Set.of(new ReplicaKey(id, 0)));
            ClusterImage restored = ControllerSnapshot.read(ControllerSnapshot.write(f.controller.image()));
            assertThat(restored.brokers().get(1).offlineReplicas()).containsExactly(new ReplicaKey(id, 0));
            assertThat(restored).isEqualTo(f.controller.image());
        }
    }
}
