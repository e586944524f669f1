package io.herald.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.junit.jupiter.api.Test;

class PlacementTest {

    @Test
    void leadersSpreadRoundRobinAndReplicasAreDistinct() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2, 3, 4);
            TopicImage t = f.controller.createTopic("t", 8, 3, Map.of(), false);
            Map<Integer, Integer> leaders = new HashMap<>();
            for (PartitionImage p : t.partitions().values()) {
                assertThat(new HashSet<>(p.replicas())).hasSize(3);
                assertThat(p.isr()).isEqualTo(p.replicas());
                assertThat(p.leader()).isEqualTo(p.replicas().get(0));
                leaders.merge(p.leader(), 1, Integer::sum);
            }
            assertThat(leaders).containsOnlyKeys(1, 2, 3, 4).allSatisfy((broker, count) -> assertThat(count).isEqualTo(2));
            assertThat(t.topicId()).isNotIn(Uuid.ZERO_UUID, Uuid.METADATA_TOPIC_ID);
        }
    }

    @Test
    void fencedBrokersGetNoReplicas() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2, 3);
            f.clock.advance(9000);
            f.heartbeat(1, 2);
            f.pollLeader();
            TopicImage t = f.controller.createTopic("t", 6, 2, Map.of(), false);
            t.partitions().values().forEach(p -> assertThat(p.replicas()).doesNotContain(3));
            assertThatThrownBy(() -> f.controller.createTopic("u", 1, 3, Map.of(), false))
                    .isInstanceOf(InvalidReplicationFactorException.class);
            f.controller.createPartitions("t", 8, false);
            assertThat(f.partition("t", 7).replicas()).doesNotContain(3);
        }
    }

    @Test
    void rackAwarePlacementPutsEveryReplicaInAnotherRack() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.registerInRack(1, "a");
            f.registerInRack(2, "a");
            f.registerInRack(3, "b");
            f.registerInRack(4, "b");
            f.registerInRack(5, "c");
            f.registerInRack(6, "c");
            Map<Integer, String> rack = Map.of(1, "a", 2, "a", 3, "b", 4, "b", 5, "c", 6, "c");
            TopicImage t = f.controller.createTopic("t", 12, 3, Map.of(), false);
            Map<Integer, Integer> leaders = new HashMap<>();
            for (PartitionImage p : t.partitions().values()) {
                Set<String> racks = new HashSet<>();
                p.replicas().forEach(r -> racks.add(rack.get(r)));
                assertThat(racks).as("partition %s: %s", p.partition(), p.replicas()).hasSize(3);
                leaders.merge(p.leader(), 1, Integer::sum);
            }
            assertThat(leaders).hasSize(6).allSatisfy((broker, count) -> assertThat(count).isEqualTo(2));
        }
    }

    @Test
    void explicitAssignmentsAreValidated() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2, 3);
            TopicImage t = f.controller.createTopic("t", Map.of(0, List.of(3, 1), 1, List.of(2, 3)), Map.of("a", "b"),
                    false);
            assertThat(t.partitions().get(0).replicas()).containsExactly(3, 1);
            assertThat(t.partitions().get(0).leader()).isEqualTo(3);
            assertThat(t.configs()).containsEntry("a", "b");
            assertThat(f.controller.createTopic("v", Map.of(0, List.of(1)), Map.of(), true).partitions()).hasSize(1);
            assertThat(f.controller.image().topic("v")).isEmpty();
            for (Map<Integer, List<Integer>> bad : List.of(
                    Map.of(0, List.of(1, 1)),
                    Map.of(0, List.of(1, 9)),
                    Map.of(0, List.<Integer>of()),
                    Map.of(0, List.of(1, 2), 1, List.of(3)),
                    Map.of(1, List.of(1)))) {
                assertThatThrownBy(() -> f.controller.createTopic("u", bad, Map.of(), false))
                        .as("%s", bad).isInstanceOf(InvalidReplicaAssignmentException.class);
            }
            f.controller.createPartitions("t", 4, List.of(List.of(1, 2), List.of(2, 1)), false);
            assertThat(f.partition("t", 3).replicas()).containsExactly(2, 1);
            assertThatThrownBy(() -> f.controller.createPartitions("t", 6, List.of(List.of(1, 2)), false))
                    .isInstanceOf(InvalidReplicaAssignmentException.class);
            assertThatThrownBy(() -> f.controller.createPartitions("t", 5, List.of(List.of(1)), false))
                    .isInstanceOf(InvalidReplicaAssignmentException.class);
            assertThatThrownBy(() -> f.controller.createPartitions("t", 5, List.of(List.of(1, 7)), false))
                    .isInstanceOf(InvalidReplicaAssignmentException.class);
            f.controller.createPartitions("t", 5, List.of(List.of(1, 3)), true);
            assertThat(f.controller.image().topic("t").orElseThrow().partitionCount()).isEqualTo(4);
        }
    }

    @Test
    void concurrentCreatesOfOneTopicHaveOneWinner() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1);
            List<Thread> threads = new java.util.ArrayList<>();
            java.util.concurrent.atomic.AtomicInteger wins = new java.util.concurrent.atomic.AtomicInteger();
            for (int i = 0; i < 8; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        f.controller.createTopic("same", 1, 1, Map.of(), false);
                        wins.incrementAndGet();
                    } catch (org.apache.kafka.common.errors.TopicExistsException expected) {
                        // lost the race
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(10_000);
            }
            assertThat(wins.get()).isEqualTo(1);
        }
    }
}
