package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code herald consume --group} and {@code herald group ...} against a Herald broker in this JVM. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GroupCommandsTest extends AgainstHerald {


    private static void produce(String topic, int n) {
        StringBuilder lines = new StringBuilder();
        IntStream.range(0, n).forEach(i -> lines.append("v").append(i).append('\n'));
        ok(cli.runWithInput(lines.toString(), "produce", topic));
    }

    /** The data row of {@code partition} in a describe table: its whitespace-separated cells. */
    private static List<String> row(String describe, String topic, int partition) {
        return describe.lines().map(l -> List.of(l.split("\\s+")))
                .filter(cells -> cells.size() > 1 && cells.get(0).equals(topic)
                        && cells.get(1).equals(Integer.toString(partition)))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + topic + "-" + partition + " in\n"
                        + describe));
    }

    @Test
    void describeShowsCommittedOffsetEndAndLagAfterAGroupConsumed() throws Exception {
        herald.createTopic("lagging", 1, Map.of());
        produce("lagging", 5);
        // The group commits exactly what it printed: three records, not the whole poll.
        assertThat(ok("consume", "lagging", "-g", "readers", "--from", "beginning", "-c", "3").out())
                .isEqualTo("v0\nv1\nv2\n");

        Cli.Result described = ok("group", "describe", "readers");
        assertThat(described.out().lines().findFirst().orElseThrow())
                .startsWith("Group: readers  Type: ").contains("State: Empty", "Members: 0");
        assertThat(row(described.out(), "lagging", 0).subList(0, 6))
                .containsExactly("lagging", "0", "3", "5", "2", "-");
        assertThat(described.out()).contains("Total lag: 2");
        assertThat(ok("group", "list").out().lines()).anyMatch(l -> l.matches("readers\\s+\\S+\\s+Empty"));

        // The group goes on from its committed offset; --from only applies where it has none.
        assertThat(ok("consume", "lagging", "-g", "readers", "--from", "beginning", "-e").out()).isEqualTo("v3\nv4\n");
        assertThat(row(ok("group", "describe", "readers").out(), "lagging", 0).subList(2, 5))
                .containsExactly("5", "5", "0");
    }

    @Test
    void describeShowsTheMemberAPartitionIsAssignedTo() throws Exception {
        herald.createTopic("watched", 1, Map.of());
        produce("watched", 2);
        try (KafkaConsumer<String, String> member = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, herald.bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "watchers",
                ConsumerConfig.CLIENT_ID_CONFIG, "watcher-1",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            member.subscribe(List.of("watched"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                member.poll(Duration.ofMillis(100));
                return !member.assignment().isEmpty();
            });
            member.commitSync();
            Cli.Result described = ok("group", "describe", "watchers");
            assertThat(described.out()).contains("State: Stable", "Members: 1");
            List<String> cells = row(described.out(), "watched", 0);
            assertThat(cells.get(5)).isNotEqualTo("-");
            assertThat(cells.get(cells.size() - 1)).isEqualTo("watcher-1");

            // An active member would overwrite a reset with its next commit: refused.
            Cli.Result reset = cli.run("group", "reset-offsets", "watchers", "--topic", "watched", "--to-earliest",
                    "--execute");
            assertThat(reset.exitCode()).isEqualTo(1);
            assertThat(reset.err()).isEqualTo("herald: group 'watchers' has 1 active member (state Stable); stop "
                    + "them before resetting its offsets\n");
            Cli.Result delete = cli.run("group", "delete", "watchers");
            assertThat(delete.exitCode()).isEqualTo(1);
            assertThat(delete.err()).isEqualTo("herald: group 'watchers' has active members; stop them before "
                    + "deleting it\n");
        }
    }

    @Test
    void resetOffsetsIsADryRunUnlessExecuted() throws Exception {
        herald.createTopic("rewind", 2, Map.of());
        ok(cli.runWithInput("a\nb\nc\nd\n", "produce", "rewind", "-p", "0"));
        ok(cli.runWithInput("e\nf\n", "produce", "rewind", "-p", "1"));
        ok("consume", "rewind", "-g", "rewinder", "--from", "beginning", "-c", "6");

        Cli.Result dry = ok("group", "reset-offsets", "rewinder", "--topic", "rewind", "--to-earliest");
        assertThat(dry.out()).isEqualTo("""
                TOPIC   PARTITION  CURRENT-OFFSET  NEW-OFFSET
                rewind  0          4               0
                rewind  1          2               0
                """);
        assertThat(dry.err()).isEqualTo("dry run: no offsets changed; run again with --execute to apply them\n");
        assertThat(row(ok("group", "describe", "rewinder").out(), "rewind", 0).get(2)).isEqualTo("4");

        Cli.Result executed = ok("group", "reset-offsets", "rewinder", "--topic", "rewind:0", "--to-offset", "1",
                "--execute");
        assertThat(executed.out()).contains("rewind  0          4               1")
                .endsWith("reset the offsets of group rewinder on 1 partitions\n");
        String described = ok("group", "describe", "rewinder").out();
        assertThat(row(described, "rewind", 0).subList(2, 5)).containsExactly("1", "4", "3");
        assertThat(row(described, "rewind", 1).subList(2, 5)).containsExactly("2", "2", "0");

        ok("group", "reset-offsets", "rewinder", "--all-topics", "--shift-by", "-1", "--execute");
        described = ok("group", "describe", "rewinder").out();
        assertThat(row(described, "rewind", 0).get(2)).isEqualTo("0");
        assertThat(row(described, "rewind", 1).get(2)).isEqualTo("1");

        ok("group", "reset-offsets", "rewinder", "--all-topics", "--to-datetime", "2999-01-01T00:00:00Z", "--execute");
        assertThat(row(ok("group", "describe", "rewinder").out(), "rewind", 0).get(2)).isEqualTo("4");
        ok("group", "reset-offsets", "rewinder", "--all-topics", "--to-datetime", "2000-01-01", "--execute");
        assertThat(row(ok("group", "describe", "rewinder").out(), "rewind", 1).get(2)).isEqualTo("0");

        // The group reads again from where it was reset to.
        assertThat(ok("consume", "rewind", "-g", "rewinder", "-e", "-f", "%s").out()).hasSize(6);
    }

    @Test
    void resetOffsetsCanStartANewGroup() throws Exception {
        herald.createTopic("fresh", 1, Map.of());
        produce("fresh", 3);
        ok("group", "reset-offsets", "newcomer", "--topic", "fresh", "--to-latest", "--execute");
        assertThat(row(ok("group", "describe", "newcomer").out(), "fresh", 0).subList(2, 5))
                .containsExactly("3", "3", "0");
    }

    @Test
    void unknownGroupsExitOneWithOneClearLine() {
        for (String[] args : new String[][] {{"group", "describe", "ghost"}, {"group", "delete", "ghost"},
                {"group", "reset-offsets", "ghost", "--all-topics", "--to-earliest"}}) {
            Cli.Result r = cli.run(args);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("herald: group 'ghost' does not exist\n");
        }
    }

    @Test
    void deleteRemovesAGroupWithoutMembers() throws Exception {
        herald.createTopic("gone", 1, Map.of());
        produce("gone", 1);
        ok("consume", "gone", "-g", "doomed", "--from", "beginning", "-c", "1");
        assertThat(ok("group", "delete", "doomed").out()).isEqualTo("deleted group doomed\n");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ok("group", "list").out()).doesNotContain("doomed"));
    }
}
