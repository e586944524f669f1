package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against Apache Kafka 4.3.1 (a KRaft node in this JVM): it speaks only the Kafka protocol through
 * kafka-clients, so topics, produce, consume, groups and the cluster commands work there as on Herald.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KafkaCompatibilityTest {

    @TempDir
    static Path dir;
    static TestKafka kafka;
    static Cli cli;

    @BeforeAll
    static void start() throws Exception {
        kafka = TestKafka.start(dir.resolve("kafka"));
        cli = Cli.against(kafka.bootstrap(), dir);
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Cli.Result ok(Cli.Result r) {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }

    private static Cli.Result ok(String... args) {
        return ok(cli.run(args));
    }

    @Test
    void topicsProduceConsumeAndGroupLag() {
        // A fresh KRaft node may answer before its broker is unfenced: the first create is retried until it is.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                ok("topic", "create", "kafka-orders", "-p", "2", "-c", "retention.ms=3600000"));
        assertThat(ok("topic", "list").out().lines()).contains("kafka-orders");
        assertThat(ok("topic", "describe", "kafka-orders").out())
                .contains("Topic: kafka-orders", "PartitionCount: 2", "Configs: retention.ms=3600000");
        ok("topic", "alter-config", "kafka-orders", "--set", "retention.ms=7200000");
        assertThat(ok("topic", "describe", "kafka-orders").out()).contains("Configs: retention.ms=7200000");

        ok(cli.runWithInput("k1:a\nk2:b\nk3:c\n", "produce", "kafka-orders", "-p", "0", "-K", ":", "-H", "h=1"));
        ok(cli.runWithInput("d\n", "produce", "kafka-orders", "-p", "1", "-z", "zstd"));
        assertThat(ok("consume", "kafka-orders", "-p", "0", "--from", "beginning", "-e", "-f", "%p %o %k=%s %h\\n")
                .out()).isEqualTo("0 0 k1=a h=1\n0 1 k2=b h=1\n0 2 k3=c h=1\n");
        assertThat(ok("consume", "kafka-orders", "--from", "beginning", "-e", "--json").out().lines()).hasSize(4);

        assertThat(ok("consume", "kafka-orders", "-g", "kafka-readers", "--from", "beginning", "-e").out().lines())
                .containsExactlyInAnyOrder("a", "b", "c", "d");
    }

    @Test
    void groupDescribeShowsLagOnKafka() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> ok("topic", "create", "kafka-lag", "--if-not-exists"));
        ok(cli.runWithInput("1\n2\n3\n4\n", "produce", "kafka-lag"));
        assertThat(ok("consume", "kafka-lag", "-g", "kafka-group", "--from", "beginning", "-c", "1").out())
                .isEqualTo("1\n");
        Cli.Result described = ok("group", "describe", "kafka-group");
        assertThat(described.out()).contains("Group: kafka-group").containsPattern("(?m)^kafka-lag\\s+0\\s+1\\s+4\\s+3\\s");
        ok("group", "reset-offsets", "kafka-group", "--topic", "kafka-lag", "--to-latest", "--execute");
        assertThat(ok("group", "describe", "kafka-group").out()).containsPattern("(?m)^kafka-lag\\s+0\\s+4\\s+4\\s+0\\s");
    }

    @Test
    void clusterCommandsAndUnknownTopicsOnKafka() {
        assertThat(ok("cluster", "brokers").out()).containsPattern("(?m)^1\\s+127\\.0\\.0\\.1\\s+\\d+\\s+-\\s");
        assertThat(ok("cluster", "status").out()).contains("Brokers:     1 (1)").containsPattern("Quorum:      leader 1");
        assertThat(ok("cluster", "quorum").out()).containsPattern("(?m)^1\\s+leader\\s");
        Cli.Result missing = cli.run("topic", "describe", "kafka-nope");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("herald: topic 'kafka-nope' does not exist\n");
    }
}
