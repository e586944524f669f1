package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code herald topic ...} against a Herald broker in this JVM. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopicCommandsTest extends AgainstHerald {


    @Test
    void createListDescribeAlterGrowAndDelete() {
        assertThat(ok("topic", "create", "orders", "-p", "3", "-c", "retention.ms=86400000").out())
                .isEqualTo("created topic orders\n");
        assertThat(ok("topic", "list").out().lines()).contains("orders");

        Cli.Result described = ok("topic", "describe", "orders");
        assertThat(described.out()).contains("Topic: orders", "PartitionCount: 3", "ReplicationFactor: 1",
                "Configs: retention.ms=86400000");
        assertThat(described.out().lines().filter(l -> l.matches("\\d+\\s+\\d+\\s+\\d+\\s+\\d+"))).hasSize(3);

        ok("topic", "alter-config", "orders", "--set", "cleanup.policy=compact", "--delete", "retention.ms");
        assertThat(ok("topic", "describe", "orders").out()).contains("Configs: cleanup.policy=compact\n");
        assertThat(ok("topic", "describe", "orders", "--all-configs").out()).contains("retention.ms=");

        assertThat(ok("topic", "add-partitions", "orders", "--total", "5").out())
                .isEqualTo("topic orders now has 5 partitions (was 3)\n");
        assertThat(ok("topic", "add-partitions", "orders", "--add", "1").out()).contains("now has 6 partitions");
        assertThat(ok("topic", "describe", "orders").out()).contains("PartitionCount: 6");

        Cli.Result shrink = cli.run("topic", "add-partitions", "orders", "--total", "2");
        assertThat(shrink.exitCode()).isEqualTo(1);
        assertThat(shrink.err()).isEqualTo("herald: topic 'orders' has 6 partitions already; the new count must be "
                + "more (got 2)\n");

        assertThat(ok("topic", "delete", "orders").out()).isEqualTo("deleted topic orders\n");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ok("topic", "list").out().lines()).doesNotContain("orders"));
    }

    @Test
    void createTwiceFailsUnlessIfNotExists() {
        ok("topic", "create", "twice");
        Cli.Result again = cli.run("topic", "create", "twice");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("herald: topic 'twice' already exists\n");
        assertThat(ok("topic", "create", "twice", "--if-not-exists").out()).isEmpty();
    }

    @Test
    void anUnknownTopicExitsOneWithOneClearLine() {
        for (String[] args : new String[][] {{"topic", "describe", "nope"}, {"topic", "delete", "nope"},
                {"topic", "alter-config", "nope", "--set", "retention.ms=1"},
                {"topic", "add-partitions", "nope", "--add", "1"}, {"consume", "nope", "-e"},
                {"produce", "nope"}, {"dlq", "show", "nope"}, {"dlq", "replay", "nope"}}) {
            Cli.Result r = cli.run(args);
            assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r).isEqualTo(1);
            assertThat(r.err()).as(String.join(" ", args)).isEqualTo("herald: topic 'nope' does not exist\n");
            assertThat(r.out()).isEmpty();
        }
        assertThat(ok("topic", "delete", "nope", "--if-exists").out()).isEmpty();
    }

    @Test
    void anInvalidConfigIsTheBrokersAnswerOnOneLine() {
        Cli.Result r = cli.run("topic", "create", "badconfig", "-c", "retention.ms=soon");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("herald: cannot create topic 'badconfig': ");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void listHidesInternalTopicsUnlessAsked() throws Exception {
        ok("topic", "create", "visible");
        // A group commit creates __consumer_offsets.
        ok("produce", "visible");
        cli.run("consume", "visible", "-g", "lister", "--from", "beginning", "--idle-timeout", "1s");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ok("topic", "list", "--internal").out().lines()).anyMatch(l -> l.startsWith("__")));
        assertThat(ok("topic", "list").out().lines()).noneMatch(l -> l.startsWith("__")).contains("visible");
    }
}
