package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code herald produce} and {@code herald consume} (assigned partitions) against a Herald broker in this JVM. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProduceConsumeTest extends AgainstHerald {


    private static String numbered(int n) {
        StringBuilder s = new StringBuilder();
        IntStream.range(0, n).forEach(i -> s.append("v").append(i).append('\n'));
        return s.toString();
    }

    @Test
    void producesKeysAndHeadersFromStdinAndConsumesThemWithATemplate() throws Exception {
        herald.createTopic("keyed", 1, Map.of());
        Cli.Result produced = cli.runWithInput("k1:hello\nk2:wo:rld\n:nokey\n", "produce", "keyed", "-K", ":",
                "-H", "trace=abc", "-H", "source=cli");
        ok(produced);
        assertThat(produced.out()).isEmpty();
        assertThat(produced.err()).isEmpty();

        Cli.Result consumed = ok(cli.run("consume", "keyed", "--from", "beginning", "-e",
                "-f", "%t %p %o %k=%s [%h] %K\\n"));
        assertThat(consumed.out()).isEqualTo("""
                keyed 0 0 k1=hello [trace=abc,source=cli] 2
                keyed 0 1 k2=wo:rld [trace=abc,source=cli] 2
                keyed 0 2 =nokey [trace=abc,source=cli] 0
                """);
    }

    @Test
    void theDefaultOutputIsOneValueALineAndTimestampsAreEpochMillis() throws Exception {
        herald.createTopic("plain", 1, Map.of());
        long before = System.currentTimeMillis();
        ok(cli.runWithInput("a\nb\n", "produce", "plain"));
        assertThat(ok(cli.run("consume", "plain", "--from", "beginning", "-e")).out()).isEqualTo("a\nb\n");
        long ts = Long.parseLong(ok(cli.run("consume", "plain", "--from", "beginning", "-c", "1", "-f", "%T"))
                .out());
        assertThat(ts).isBetween(before - 1_000, System.currentTimeMillis() + 1_000);
    }

    @Test
    void consumesAsJsonLines() throws Exception {
        herald.createTopic("json", 1, Map.of());
        ok(cli.runWithInput("k:v\n", "produce", "json", "-K", ":", "-H", "h=x"));
        ok(cli.runWithInput("tombstone-less\n", "produce", "json"));
        List<String> lines = ok(cli.run("consume", "json", "--from", "beginning", "-e", "--json")).out().lines()
                .toList();
        assertThat(lines).hasSize(2);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode first = mapper.readTree(lines.get(0));
        assertThat(first.get("topic").asText()).isEqualTo("json");
        assertThat(first.get("partition").asInt()).isZero();
        assertThat(first.get("offset").asLong()).isZero();
        assertThat(first.get("key").asText()).isEqualTo("k");
        assertThat(first.get("value").asText()).isEqualTo("v");
        assertThat(first.get("timestamp").asLong()).isPositive();
        assertThat(first.get("headers").get(0).get("key").asText()).isEqualTo("h");
        assertThat(first.get("headers").get(0).get("value").asText()).isEqualTo("x");
        JsonNode second = mapper.readTree(lines.get(1));
        assertThat(second.get("key").isNull()).isTrue();
        assertThat(second.get("headers")).isEmpty();
    }

    @Test
    void consumeCountFromAnOffsetAndFromTheEnd() throws Exception {
        herald.createTopic("counted", 1, Map.of());
        ok(cli.runWithInput(numbered(10), "produce", "counted"));
        assertThat(ok(cli.run("consume", "counted", "--from", "3", "--count", "4", "-f", "%o:%s\\n")).out())
                .isEqualTo("3:v3\n4:v4\n5:v5\n6:v6\n");
        assertThat(ok(cli.run("consume", "counted", "--from", "-2", "-e")).out()).isEqualTo("v8\nv9\n");
        // An offset past the end is clamped to it: nothing to read.
        assertThat(ok(cli.run("consume", "counted", "--from", "99", "-e")).out()).isEmpty();
        // A time before every record starts at the first; one after all of them at the end.
        assertThat(ok(cli.run("consume", "counted", "--from", "2000-01-01T00:00:00Z", "-c", "1")).out())
                .isEqualTo("v0\n");
        assertThat(ok(cli.run("consume", "counted", "--from", "2999-01-01", "-e")).out()).isEmpty();
    }

    @Test
    void producesToAPartitionAndConsumesOnlyThatPartition() throws Exception {
        herald.createTopic("parted", 3, Map.of());
        ok(cli.runWithInput("p2\n", "produce", "parted", "-p", "2", "--acks", "1", "-z", "lz4"));
        ok(cli.runWithInput("p0\n", "produce", "parted", "--partition", "0", "-z", "gzip"));
        assertThat(ok(cli.run("consume", "parted", "-p", "2", "--from", "beginning", "-e", "-f", "%p %s\\n")).out())
                .isEqualTo("2 p2\n");
        assertThat(ok(cli.run("consume", "parted", "--from", "beginning", "-e", "-f", "%p %s\\n")).out().lines())
                .containsExactlyInAnyOrder("0 p0", "2 p2");

        Cli.Result missing = cli.runWithInput("x\n", "produce", "parted", "-p", "3");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("herald: topic 'parted' has no partition 3 (it has 3)\n");
        Cli.Result consumeMissing = cli.run("consume", "parted", "-p", "7", "-e");
        assertThat(consumeMissing.exitCode()).isEqualTo(1);
        assertThat(consumeMissing.err()).isEqualTo("herald: topic 'parted' has no partition 7 (it has 3)\n");
    }

    @Test
    void aLineWithoutTheKeySeparatorFailsAfterTheLinesBeforeIt() throws Exception {
        herald.createTopic("strict", 1, Map.of());
        Cli.Result r = cli.runWithInput("a:1\nbroken\nc:3\n", "produce", "strict", "-K", ":");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("herald: line 2 has no key separator ':'");
        assertThat(ok(cli.run("consume", "strict", "--from", "beginning", "-e", "-f", "%k=%s\\n")).out())
                .isEqualTo("a=1\n");
    }

    @Test
    void producesAFileWithAProgressBarOnStderr() throws Exception {
        herald.createTopic("filed", 1, Map.of());
        Path file = dir.resolve("records.txt");
        Files.writeString(file, numbered(500));
        Cli.Result r = ok(cli.run("produce", "filed", "--file", file.toString(), "--progress"));
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("produce [", "100%", "ETA").endsWith("produced 500 records to filed\n");
        // Not a terminal and not asked for: no bar.
        assertThat(ok(cli.run("produce", "filed", "--file", file.toString())).err()).isEmpty();
        assertThat(ok(cli.run("consume", "filed", "--from", "beginning", "-e")).out().lines()).hasSize(1000);

        Cli.Result missing = cli.run("produce", "filed", "--file", dir.resolve("absent.txt").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).startsWith("herald: file ").endsWith("absent.txt does not exist\n");
    }

    @Test
    void delayHeadersHoldRecordsOnADelayEnabledTopicAndWarnElsewhere() throws Exception {
        herald.createTopic("later", 1, Map.of("herald.delivery.delay.enable", "true"));
        long sent = System.currentTimeMillis();
        Cli.Result produced = ok(cli.runWithInput("soon\n", "produce", "later", "--delay", "1s"));
        assertThat(produced.err()).isEmpty();
        // --count waits until the broker releases the record (bounded by the test's timeout), which is never
        // before it is due.
        Cli.Result consumed = ok(cli.run("consume", "later", "--from", "beginning", "-c", "1"));
        assertThat(consumed.out()).isEqualTo("soon\n");
        assertThat(System.currentTimeMillis() - sent).isGreaterThanOrEqualTo(1_000);

        herald.createTopic("nodelay", 1, Map.of());
        Cli.Result warned = ok(cli.runWithInput("now\n", "produce", "nodelay", "--delay", "30s"));
        assertThat(warned.err()).isEqualTo("herald: warning: topic 'nodelay' does not have "
                + "herald.delivery.delay.enable=true: records are delivered at once\n");
        assertThat(ok(cli.run("consume", "nodelay", "--from", "beginning", "-e", "-f", "%s %h\\n")).out())
                .isEqualTo("now herald.delay.ms=30000\n");
        ok(cli.runWithInput("at\n", "produce", "nodelay", "--deliver-at", "1735689600000"));
        assertThat(ok(cli.run("consume", "nodelay", "--from", "-1", "-e", "-f", "%h\\n")).out())
                .isEqualTo("herald.deliver.at=1735689600000\n");
    }
}
