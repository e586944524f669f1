package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterPartitionReassignmentsOptions;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Placement and leadership admin calls on one broker, through the Java Admin client: explicit replica
 * assignments, reassignment validation, listing and leader elections. (Moving data between brokers is
 * covered by the multi-process cluster tests in herald-it.)
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PlacementAdminTest {

    @TempDir
    Path dir;

    @Test
    void explicitAssignmentsInCreateTopicsAndCreatePartitions() throws Exception {
        try (TestBroker broker = TestBroker.start(dir); Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("placed", Map.of(0, List.of(1), 1, List.of(1))))).all().get();
            TopicDescription placed = admin.describeTopics(List.of("placed")).allTopicNames().get().get("placed");
            assertThat(placed.partitions()).hasSize(2)
                    .allSatisfy(p -> assertThat(p.replicas()).extracting(n -> n.id()).containsExactly(1));

            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("badly-placed",
                    Map.of(0, List.of(7))))).all().get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidReplicaAssignmentException.class);

            admin.createPartitions(Map.of("placed", NewPartitions.increaseTo(3, List.of(List.of(1))))).all().get();
            assertThat(admin.describeTopics(List.of("placed")).allTopicNames().get().get("placed").partitions())
                    .hasSize(3);
        }
    }

    @Test
    void reassignmentsAreValidatedAndListed() throws Exception {
        try (TestBroker broker = TestBroker.start(dir); Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("moving", 1, (short) 1))).all().get();
            TopicPartition tp = new TopicPartition("moving", 0);

            assertThatThrownBy(() -> admin.alterPartitionReassignments(
                    Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(9))))).all().get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidReplicaAssignmentException.class);
            assertThatThrownBy(() -> admin.alterPartitionReassignments(Map.of(tp, Optional.empty())).all().get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(NoReassignmentInProgressException.class);
            // Reassigning to the current replicas is a no-op that completes at once.
            admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(1)))))
                    .all().get();
            assertThat(admin.listPartitionReassignments().reassignments().get()).isEmpty();
        }
    }

    @Test
    void reassignmentThatChangesTheReplicationFactorIsRefusedWhenTheClientForbidsIt() throws Exception {
        try (TestBroker broker = TestBroker.start(dir); Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("fixed", 1, (short) 1))).all().get();
            TopicPartition tp = new TopicPartition("fixed", 0);
            broker.broker().controller().registerBroker(2, "127.0.0.1", 1, Optional.empty());
            AlterPartitionReassignmentsOptions fixedFactor =
                    new AlterPartitionReassignmentsOptions().allowReplicationFactorChange(false);

            assertThatThrownBy(() -> admin.alterPartitionReassignments(
                    Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(1, 2)))), fixedFactor).all().get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(InvalidReplicationFactorException.class);
            // The same factor is fine.
            admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(1)))),
                    fixedFactor).all().get();
            assertThat(admin.describeTopics(List.of("fixed")).allTopicNames().get().get("fixed").partitions()
                    .getFirst().replicas()).extracting(n -> n.id()).containsExactly(1);
        }
    }

    @Test
    void preferredElectionIsNotNeededWhenThePreferredReplicaLeads() throws Exception {
        try (TestBroker broker = TestBroker.start(dir); Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("led", 2, (short) 1))).all().get();
            TopicPartition tp = new TopicPartition("led", 0);
            assertThatThrownBy(() -> admin.electLeaders(ElectionType.PREFERRED, Set.of(tp)).partitions().get()
                    .get(tp).ifPresent(e -> {
                        throw new RuntimeException(e);
                    }))
                    .hasCauseInstanceOf(ElectionNotNeededException.class);
        }
    }
}
