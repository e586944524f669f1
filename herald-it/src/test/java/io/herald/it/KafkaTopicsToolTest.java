package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.it.KafkaTool.Run;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's own {@code kafka-topics.sh} (org.apache.kafka.tools.TopicCommand 4.3.1, run as its own JVM) against the
 * launched broker. Its {@code --describe} goes through DescribeTopicPartitions (API 75) where the broker offers it.
 *
 * <p>The reference, Kafka 4.3.1 (single node, KRaft), after {@code --create --topic dtp --partitions 3
 * --replication-factor 1}; {@code --describe --topic dtp} prints, tab-separated:
 * <pre>
 * Topic: dtp	TopicId: EQawa8pXS0usCRIHfj-c7Q	PartitionCount: 3	ReplicationFactor: 1	Configs: min.insync.replicas=1
 * 	Topic: dtp	Partition: 0	Leader: 1	Replicas: 1	Isr: 1	Elr: 	LastKnownElr:
 * 	Topic: dtp	Partition: 1	Leader: 1	Replicas: 1	Isr: 1	Elr: 	LastKnownElr:
 * 	Topic: dtp	Partition: 2	Leader: 1	Replicas: 1	Isr: 1	Elr: 	LastKnownElr:
 * </pre>
 * (each partition line ends with a space after "LastKnownElr:"), the same with
 * {@code --partition-size-limit-per-response 2} (the tool pages), and for a missing topic exit code 1
 * with "Error while executing topic command : Topic 'nope' does not exist as expected". The Configs column lists
 * the topic's non-default configs: Kafka 4.3 formats a new cluster with a cluster-level min.insync.replicas (for
 * eligible leader replicas), Herald does not, so it is left out of the comparison.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaTopicsToolTest {

    @TempDir
    static Path workDir;

    private static LaunchedBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new LaunchedBroker(workDir, Map.of("num.partitions", "1"));
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Run tool(String... args) throws Exception {
        return KafkaTool.run(workDir, "org.apache.kafka.tools.TopicCommand", broker.bootstrapServers(), args);
    }

    /** The partition lines of a describe, as Kafka 4.3.1 prints them for a 3-partition topic on node 1. */
    private static List<String> expectedPartitionLines(String topic) {
        List<String> lines = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            lines.add("\tTopic: " + topic + "\tPartition: " + p + "\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \t"
                    + "LastKnownElr: ");
        }
        return lines;
    }

    @Test
    void describeMatchesKafka() throws Exception {
        Run created = tool("--create", "--topic", "dtp", "--partitions", "3", "--replication-factor", "1");
        assertThat(created.exitCode()).as("create; stderr: %s", created.stderr()).isZero();
        assertThat(created.stdout()).contains("Created topic dtp.");

        for (List<String> extra : List.of(List.<String>of(), List.of("--partition-size-limit-per-response", "2"))) {
            List<String> args = new ArrayList<>(List.of("--describe", "--topic", "dtp"));
            args.addAll(extra);
            Run described = tool(args.toArray(String[]::new));
            assertThat(described.exitCode()).as("%s; stderr: %s", args, described.stderr()).isZero();
            List<String> lines = described.stdout().lines().toList();
            assertThat(lines).as("%s", args).hasSize(4);
            assertThat(lines.get(0)).as("%s", args)
                    .matches("Topic: dtp\tTopicId: \\S{22}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: .*");
            assertThat(lines.subList(1, 4)).as("%s", args).isEqualTo(expectedPartitionLines("dtp"));
        }

        Run missing = tool("--describe", "--topic", "nope");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stdout() + missing.stderr())
                .contains("Error while executing topic command : Topic 'nope' does not exist as expected");
    }
}
