package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness's own mechanics on a one-voter cluster (which a single-node build runs too): free ports, the
 * per-node Metadata probe, kill -9 and restart in place, SIGSTOP/SIGCONT, SIGTERM, and close() of a paused
 * node.
 */
class ClusterHarnessTest {

    @TempDir
    Path workDir;

    @Test
    void freePortsAreDistinct() {
        List<Integer> ports = ClusterHarness.freePorts(12);

        assertThat(ports).hasSize(12).doesNotHaveDuplicates().allMatch(port -> port > 0 && port < 65536);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void nodeSurvivesKillPauseAndRestartInPlace() throws Exception {
        long pausedPid;
        try (ClusterHarness cluster = ClusterHarness.builder(workDir).controllers(1)
                .override("num.partitions", "1")
                // One broker: the shipped cluster files' replication settings (3, 2, 3) cannot be met.
                .override("default.replication.factor", "1")
                .override("min.insync.replicas", "1")
                .override("offsets.topic.replication.factor", "1")
                .start()) {
            ClusterNode node = cluster.node(1);
            assertThat(node.clientPort()).isNotEqualTo(19092);
            assertThat(node.controllerPort()).isPresent();
            assertThat(node.controllerPort().getAsInt()).isNotEqualTo(node.clientPort());
            assertThat(cluster.bootstrapServers()).isEqualTo("127.0.0.1:" + node.clientPort());
            assertThat(node.probeBrokers(Duration.ofSeconds(5))).containsExactly(1);
            assertThat(Files.readString(node.logFile())).contains("Herald started");

            List<String> values = IntStream.range(0, 10).mapToObj(i -> "h" + i).toList();
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(AckingProducer.props(cluster.bootstrapServers()))) {
                for (String value : values) {
                    producer.send(new ProducerRecord<>("harness", 0, null, value)).get(30, TimeUnit.SECONDS);
                }
            }

            node.kill9();
            assertThat(node.isAlive()).isFalse();
            assertThatThrownBy(() -> node.probeBrokers(Duration.ofSeconds(1)))
                    .as(() -> "a killed process answers nothing; " + node.diagnostics()).isInstanceOf(IOException.class);
            Path firstLog = node.logFile();
            cluster.restart(1, Duration.ofSeconds(60));
            assertThat(node.logFile()).isNotEqualTo(firstLog);
            assertThat(node.output()).contains(firstLog.getFileName().toString());
            assertThat(ClusterChecks.readAll(cluster.bootstrapServers(), "harness").get(0))
                    .extracting(ConsumerRecord::value)
                    .containsExactlyElementsOf(values);

            node.pause();
            assertThat(node.isAlive()).isTrue();
            assertThat(node.isRunning()).isFalse();
            assertThatThrownBy(() -> node.probeBrokers(Duration.ofSeconds(2)))
                    .as(() -> "a stopped process answers nothing; " + node.diagnostics())
                    .isInstanceOf(IOException.class);
            node.resume();
            assertThat(node.probeBrokers(Duration.ofSeconds(10))).containsExactly(1);

            OptionalInt exit = node.sigterm(Duration.ofSeconds(20));
            // 143 = 128 + SIGTERM: how a JVM ends once its shutdown hook has run.
            assertThat(exit).as("exits within 20 s of SIGTERM; output:%n%s", node.tail(50)).isPresent();
            assertThat(node.output()).contains("Herald stopped");

            cluster.restart(1, Duration.ofSeconds(60));
            node.pause();
            pausedPid = node.pid();
        }
        // close() continued and killed the paused node.
        assertThat(ProcessHandle.of(pausedPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void streamAndReadBackChecksPassAcrossAKillOnOneNode() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.builder(workDir).controllers(1)
                .override("default.replication.factor", "1")
                .override("min.insync.replicas", "1")
                .override("offsets.topic.replication.factor", "1")
                .start()) {
            ClusterChecks.createTopic(cluster.admin(), "checked", 2, 1, 1);
            assertThat(ClusterChecks.leader(cluster.admin(), "checked", 1, Duration.ofSeconds(10))).isEqualTo(1);
            try (AckingProducer stream = new AckingProducer(cluster.bootstrapServers(), "checked", 2, "c")) {
                stream.awaitProgress(-1, 2_000, Duration.ofSeconds(60), "the stream to start");
                long killNanos = System.nanoTime();
                cluster.node(1).kill9();
                cluster.restart(1, Duration.ofSeconds(60));
                AckingProducer.Ack first = stream.awaitAckSentAfter(0, killNanos, Duration.ofSeconds(60),
                        "partition 0 after the restart");
                assertThat(first.ackedNanos()).isGreaterThan(killNanos);
                stream.awaitProgress(0, 500, Duration.ofSeconds(60), "partition 0 after the restart");
                stream.stopAndFlush();

                ClusterChecks.assertNoAcknowledgedRecordLost(stream, 2,
                        ClusterChecks.readAll(cluster.bootstrapServers(), "checked"));
                ClusterChecks.awaitIdenticalReplicas(cluster, "checked", 2, Duration.ofSeconds(10));
                assertThat(ClusterChecks.replicaLogBytes(cluster.node(1).dataDir(), "checked", 5)).isEmpty();
            }
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void startFailsFastWithTheNodesOutputWhenANodeCannotStart() {
        assertThatThrownBy(() -> ClusterHarness.builder(workDir).controllers(1)
                .override("num.partitions", "many").start())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("node 1 exited")
                .hasMessageContaining("num.partitions");
    }

    @Test
    void nodeConfigComesFromTheShippedFileWithOverrides() {
        ClusterNode node = new ClusterNode(2, ClusterNode.Role.COMBINED, loopback(1, OptionalInt.of(2)), workDir,
                Map.of());

        assertThat(node.configFile()).endsWith(Path.of("config", "cluster", "node2.properties")).isRegularFile();
        assertThat(new ClusterNode(7, ClusterNode.Role.BROKER, loopback(1, OptionalInt.empty()), workDir, Map.of())
                .configFile())
                .endsWith(Path.of("config", "cluster", "node1.properties"));
    }

    private static ClusterNode.Placement loopback(int clientPort, OptionalInt controllerPort) {
        return new ClusterNode.Placement("127.0.0.1", clientPort, controllerPort, List.of());
    }
}
