package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moves a partition from brokers {1,2,3} to {1,2,4} with Admin alterPartitionReassignments (what
 * kafka-reassign-partitions.sh does) while an idempotent acks=all stream writes to it: the reassignment
 * completes (no reassignment listed, replicas and ISR {1,2,4}), broker 3 drops its replica, and no
 * acknowledged record is lost.
 *
 * <p>Node 4 is a broker-only node (process.roles=broker, not a voter) that follows the metadata log as an
 * observer; {@code -Dherald.it.node4=voter} runs it as a fourth broker+controller voter instead.
 */
@Tag("cluster")
class PartitionReassignmentTest {

    private static final String TOPIC = "moving";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REASSIGN_TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path workDir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void partitionMovesToTheNewBrokerUnderLoadWithoutLosingRecords() throws Exception {
        boolean node4Votes = "voter".equals(System.getProperty("herald.it.node4", "broker"));
        ClusterHarness.Builder builder = ClusterHarness.builder(workDir).fastFailureDetection()
                .override("min.insync.replicas", "2");
        builder = node4Votes ? builder.controllers(4) : builder.controllers(3).brokerOnly(1);
        try (ClusterHarness cluster = builder.start()) {
            Admin admin = cluster.admin();
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1, 2, 3)))
                            .configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(30, TimeUnit.SECONDS);
            ClusterChecks.awaitFullIsr(admin, TOPIC, SETTLE_TIMEOUT);

            try (AckingProducer stream = new AckingProducer(cluster.bootstrapServers(), TOPIC, 1, "r")) {
                stream.awaitProgress(0, 2_000, SETTLE_TIMEOUT, "records before the move");

                admin.alterPartitionReassignments(Map.of(PARTITION,
                                Optional.of(new NewPartitionReassignment(List.of(1, 2, 4)))))
                        .all().get(30, TimeUnit.SECONDS);
                awaitReassigned(admin, List.of(1, 2, 4));

                stream.awaitProgress(0, 1_000, SETTLE_TIMEOUT, "records after the move");
                stream.stopAndFlush();

                Map<Integer, List<ConsumerRecord<String, String>>> consumed =
                        ClusterChecks.readAll(cluster.bootstrapServers(), TOPIC);
                ClusterChecks.assertNoAcknowledgedRecordLost(stream, 1, consumed);
                awaitReplicaHostedOnlyBy(admin, Set.of(1, 2, 4), Set.of(3));
            }
        }
    }

    /** Waits until no reassignment is in progress and the partition's replicas and ISR are {@code target}. */
    private static void awaitReassigned(Admin admin, List<Integer> target) throws Exception {
        long deadline = System.nanoTime() + REASSIGN_TIMEOUT.toNanos();
        String last = "not described yet";
        while (System.nanoTime() < deadline) {
            boolean ongoing = !admin.listPartitionReassignments().reassignments().get(20, TimeUnit.SECONDS).isEmpty();
            TopicDescription description = ClusterChecks.describe(admin, TOPIC);
            TopicPartitionInfo info = description.partitions().get(0);
            List<Integer> replicas = info.replicas().stream().map(Node::id).toList();
            if (!ongoing && replicas.equals(target) && ClusterChecks.ids(info.isr()).equals(Set.copyOf(target))) {
                return;
            }
            last = "reassignment ongoing: " + ongoing + ", " + info;
            Thread.sleep(500);
        }
        throw new AssertionError("reassignment of " + PARTITION + " to " + target + " not done within "
                + REASSIGN_TIMEOUT.toSeconds() + " s: " + last);
    }

    /** DescribeLogDirs: the brokers in {@code hosts} hold a replica, those in {@code removed} no longer do. */
    private static void awaitReplicaHostedOnlyBy(Admin admin, Set<Integer> hosts, Set<Integer> removed)
            throws Exception {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        Map<Integer, Boolean> hosting = Map.of();
        while (System.nanoTime() < deadline) {
            Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(
                            Stream.concat(hosts.stream(), removed.stream()).toList())
                    .allDescriptions().get(20, TimeUnit.SECONDS);
            Map<Integer, Boolean> now = new TreeMap<>();
            dirs.forEach((broker, byDir) -> now.put(broker, byDir.values().stream()
                    .anyMatch(dir -> dir.replicaInfos().containsKey(PARTITION))));
            hosting = now;
            boolean done = hosts.stream().allMatch(b -> now.getOrDefault(b, false))
                    && removed.stream().noneMatch(b -> now.getOrDefault(b, true));
            if (done) {
                return;
            }
            Thread.sleep(500);
        }
        Map<Integer, Boolean> expected = new TreeMap<>();
        hosts.forEach(broker -> expected.put(broker, true));
        removed.forEach(broker -> expected.put(broker, false));
        assertThat(hosting).as("which brokers host a replica of %s (DescribeLogDirs)", PARTITION)
                .containsAllEntriesOf(expected);
    }
}
