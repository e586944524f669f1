package io.herald.cli;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a command reads from the process around it: standard input, the environment variables, the home directory
 * and whether standard error is a terminal. The real process supplies {@link #system()}; tests pass their own, so
 * that no command reads {@code System.in} or {@code System.getenv} directly.
 *
 * @param stdin          the records {@code herald produce} reads when no file is given
 * @param env            environment variables ({@code HERALD_BROKERS}, {@code XDG_CONFIG_HOME})
 * @param userHome       the home directory, for {@code ~/.config/herald/profiles.properties}
 * @param stderrTerminal whether standard error is a terminal (progress bars are drawn only then, unless asked for)
 */
public record CliEnvironment(InputStream stdin, Map<String, String> env, Path userHome, boolean stderrTerminal) {

    /**
     * Set by {@code bin/herald} from {@code [ -t 2 ]}: Java 21 cannot tell whether standard error alone is a
     * terminal ({@code System.console()} looks at standard input and output).
     */
    public static final String STDERR_TERMINAL_PROPERTY = "herald.stderr.terminal";

    public CliEnvironment {
        Objects.requireNonNull(stdin, "stdin");
        env = Map.copyOf(env);
        Objects.requireNonNull(userHome, "userHome");
    }

    /** This process's standard input, environment and home directory. */
    public static CliEnvironment system() {
        String flag = System.getProperty(STDERR_TERMINAL_PROPERTY);
        boolean terminal = flag != null ? Boolean.parseBoolean(flag) : System.console() != null;
        return new CliEnvironment(System.in, System.getenv(), Path.of(System.getProperty("user.home")), terminal);
    }

    /** An environment variable, empty when unset or blank. */
    public Optional<String> variable(String name) {
        return Optional.ofNullable(env.get(name)).filter(value -> !value.isBlank());
    }
}
