package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code process.roles} in one cluster: node 1 is controller-only, nodes 2 and 3 are broker and
 * controller, node 4 is broker-only; voters {1, 2, 3}, brokers {2, 3, 4}. Clients never see node 1 and no
 * replica is placed on it; node 4 follows the metadata log without voting, across a change of quorum leader
 * and across its own kill -9 and restart, while an idempotent acks=all stream loses nothing.
 */
@Tag("cluster")
class MixedRolesClusterTest {

    private static final String TOPIC = "mixed";
    private static final int PARTITIONS = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int PROGRESS = 1_000;
    private static final int CONTROLLER_ONLY = 1;
    private static final int BROKER_ONLY = 4;

    @TempDir
    Path workDir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void controllerOnlyAndBrokerOnlyNodesServeTheirRolesThroughFailures() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.builder(workDir).controllers(3).controllerOnly(1).brokerOnly(1)
                .fastFailureDetection().override("min.insync.replicas", "2").start()) {
            Admin admin = cluster.admin();
            assertThat(cluster.brokerIds()).containsExactly(2, 3, 4);
            assertThat(ClusterChecks.ids(admin.describeCluster().nodes().get(20, TimeUnit.SECONDS)))
                    .as("a controller-only node is not a broker").containsExactly(2, 3, 4);
            ClusterChecks.createTopic(admin, TOPIC, PARTITIONS, 3, 2);
            ClusterChecks.createTopic(admin, "spread", 6, 2, 1);
            assertReplicasOnlyOn(ClusterChecks.describeWhenKnown(admin, "spread", TIMEOUT), Set.of(2, 3, 4));
            assertReplicasOnlyOn(ClusterChecks.describeWhenKnown(admin, TOPIC, TIMEOUT), Set.of(2, 3, 4));

            try (AckingProducer stream = new AckingProducer(cluster.bootstrapServers(), TOPIC, PARTITIONS, "m")) {
                stream.awaitProgress(-1, 3 * PROGRESS, TIMEOUT, "the stream to start");

                // 1. The quorum leader dies: the broker-only node must follow the new one.
                int quorumLeader = cluster.quorumLeader(2, TIMEOUT);
                cluster.node(quorumLeader).kill9();
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("after-leader-loss", 1,
                        (short) 2))).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                awaitTopicOn(cluster.node(BROKER_ONLY), "after-leader-loss");
                stream.awaitProgress(-1, PROGRESS, TIMEOUT, "records after the quorum leader's death");
                cluster.restart(quorumLeader, TIMEOUT);
                ClusterChecks.awaitFullIsr(admin, TOPIC, TIMEOUT);

                // 2. The broker-only node dies and comes back: it starts from the quorum's snapshot and log.
                cluster.node(BROKER_ONLY).kill9();
                stream.awaitProgress(-1, PROGRESS, TIMEOUT, "records while the broker-only node is down");
                cluster.restart(BROKER_ONLY, TIMEOUT);
                ClusterChecks.awaitFullIsr(admin, TOPIC, TIMEOUT);
                assertThat(MetadataProbe.topics("127.0.0.1", cluster.node(BROKER_ONLY).clientPort(), TIMEOUT))
                        .contains(TOPIC, "spread", "after-leader-loss");
                stream.awaitProgress(-1, PROGRESS, TIMEOUT, "records after the broker-only node's restart");

                stream.stopAndFlush();
                Map<Integer, List<ConsumerRecord<String, String>>> consumed =
                        ClusterChecks.readAll(cluster.bootstrapServers(), TOPIC);
                ClusterChecks.assertNoAcknowledgedRecordLost(stream, PARTITIONS, consumed);
                ClusterChecks.awaitIdenticalReplicas(cluster, TOPIC, PARTITIONS, TIMEOUT);
            }
            assertThat(ClusterChecks.ids(admin.describeCluster().nodes().get(20, TimeUnit.SECONDS)))
                    .doesNotContain(CONTROLLER_ONLY);
        }
    }

    private static void assertReplicasOnlyOn(TopicDescription topic, Set<Integer> brokers) {
        for (TopicPartitionInfo partition : topic.partitions()) {
            assertThat(ClusterChecks.ids(partition.replicas())).as("replicas of %s-%d", topic.name(),
                    partition.partition()).isSubsetOf(brokers);
        }
        assertThat(topic.partitions().stream().flatMap(p -> p.replicas().stream()).map(n -> n.id()).distinct())
                .as("placement uses every broker of %s", topic.name()).containsExactlyInAnyOrderElementsOf(brokers);
    }

    /** Waits until {@code node}'s own Metadata answer lists {@code topic}: its image has it. */
    private static void awaitTopicOn(ClusterNode node, String topic) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            try {
                Set<String> topics = MetadataProbe.topics("127.0.0.1", node.clientPort(), Duration.ofSeconds(3));
                if (topics.contains(topic)) {
                    return;
                }
                last = "lists " + topics;
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError(node + " did not list " + topic + " within " + TIMEOUT.toSeconds() + " s: " + last);
    }
}
