package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a shell user sees without a cluster: help on every level, exit 2 with picocli's message for a usage error
 * (including the option combinations the commands check themselves), the completion script, and one clear line
 * with exit 1 when the cluster cannot be reached.
 */
class UsageTest {

    @TempDir
    Path home;

    private Cli cli() {
        // Nothing listens on port 1: a command that got past its usage checks would fail with exit 1, not 2.
        return Cli.against("127.0.0.1:1", home);
    }

    @Test
    void helpListsStartAndEveryCommand() {
        Cli.Result r = cli().run("--help");
        assertThat(r.exitCode()).isZero();
        for (String command : new String[] {"start", "topic", "produce", "consume", "group", "cluster", "dlq",
                "completion", "help"}) {
            assertThat(r.out()).as(command).containsPattern("(?m)^\\s+" + command + "\\s");
        }
        assertThat(r.out()).contains("HERALD_BROKERS");
    }

    @Test
    void everyCommandHasHelp() {
        String[][] commands = {{"start"}, {"topic"}, {"topic", "create"}, {"topic", "list"}, {"topic", "describe"},
                {"topic", "alter-config"}, {"topic", "add-partitions"}, {"topic", "delete"}, {"produce"}, {"consume"},
                {"group"}, {"group", "list"}, {"group", "describe"}, {"group", "reset-offsets"}, {"group", "delete"},
                {"cluster"}, {"cluster", "status"}, {"cluster", "brokers"}, {"cluster", "quorum"}, {"dlq"},
                {"dlq", "list"}, {"dlq", "show"}, {"dlq", "replay"}, {"completion"}};
        for (String[] command : commands) {
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--help";
            Cli.Result r = cli().run(args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(r.out()).as(String.join(" ", args)).startsWith("Usage: herald " + String.join(" ", command));
        }
    }

    @Test
    void startHelpShowsTheBrokerFlagsWithoutStartingOne() {
        Cli.Result r = cli().run("start", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("herald start [--config FILE] [--override key=value]...");
    }

    @Test
    void versionPrintsOneLine() {
        Cli.Result r = cli().run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("herald ");
    }

    @Test
    void usageErrorsExitTwo() {
        String[][] cases = {
                {},
                {"topic"},
                {"bogus"},
                {"topic", "create"},
                {"topic", "create", "t", "--partitions", "zero"},
                {"topic", "create", "t", "--partitions", "0"},
                {"topic", "add-partitions", "t"},
                {"topic", "add-partitions", "t", "--total", "3", "--add", "1"},
                {"topic", "alter-config", "t"},
                {"produce", "t", "--acks", "7"},
                {"produce", "t", "--compression", "brotli"},
                {"produce", "t", "--delay", "30"},
                {"produce", "t", "--deliver-at", "tomorrow"},
                {"produce", "t", "--header", "novalue"},
                {"consume", "t", "--group", "g", "--share-group", "s"},
                {"consume", "t", "--format", "%x"},
                {"consume", "t", "--format", "%s", "--json"},
                {"consume", "t", "--from", "soon"},
                {"consume", "t", "--share-group", "s", "--from", "beginning"},
                {"consume", "t", "--share-group", "s", "--ack", "maybe"},
                {"consume", "t", "--ack", "reject"},
                {"consume", "t", "--group", "g", "--partition", "0"},
                {"consume", "t", "--group", "g", "--from", "5"},
                {"consume", "t", "--count", "0"},
                {"group", "reset-offsets", "g", "--topic", "t"},
                {"group", "reset-offsets", "g", "--to-earliest"},
                {"group", "reset-offsets", "g", "--topic", "t", "--to-earliest", "--to-latest"},
                {"group", "reset-offsets", "g", "--topic", "t", "--to-earliest", "--dry-run", "--execute"},
                {"group", "reset-offsets", "g", "--topic", "t", "--to-datetime", "soon"},
                {"dlq", "replay"},
        };
        for (String[] args : cases) {
            Cli.Result r = cli().run(args);
            assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).isNotBlank();
        }
    }

    @Test
    void anUnreachableClusterFailsWithOneLineAndExitOne() {
        Cli.Result r = cli().run("topic", "list", "-X", "default.api.timeout.ms=1500", "-X", "request.timeout.ms=1000");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).startsWith("herald: timed out talking to the cluster at 127.0.0.1:1 (");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void completionPrintsABashScriptForEveryCommand() {
        Cli.Result r = cli().run("completion");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("complete -F").contains("reset-offsets").contains("add-partitions")
                .contains("--bootstrap-server");
    }
}
