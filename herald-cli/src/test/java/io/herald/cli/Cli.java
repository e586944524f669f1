package io.herald.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs {@code herald} commands in-process, as the shell would: a fresh {@link CommandLine} per run, its output and
 * error captured, standard input and environment given. {@code HERALD_BROKERS} points at the test's broker, so
 * commands need no {@code -b}; the home directory is the test's, so no user profile file is read.
 */
final class Cli {

    /** What a run left behind. */
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    private final Map<String, String> env;
    private final Path home;

    private Cli(Map<String, String> env, Path home) {
        this.env = Map.copyOf(env);
        this.home = home;
    }

    static Cli against(String bootstrap, Path home) {
        return new Cli(Map.of(ClientSettings.BROKERS_VARIABLE, bootstrap), home);
    }

    static Cli withEnv(Map<String, String> env, Path home) {
        return new Cli(env, home);
    }

    Cli withVariable(String name, String value) {
        Map<String, String> more = new HashMap<>(env);
        more.put(name, value);
        return new Cli(more, home);
    }

    Result run(String... args) {
        return runWithInput(new ByteArrayInputStream(new byte[0]), args);
    }

    Result runWithInput(String stdin, String... args) {
        return runWithInput(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
    }

    Result runWithInput(InputStream stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new HeraldCli(new CliEnvironment(stdin, env, home, false)))
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
