package io.herald.it.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short system command ({@code ip}, {@code iptables}, {@code tc}, {@code mount}) with a deadline: every
 * call returns or fails within its timeout, killing the command if it overstays, so a wedged tool cannot hang a
 * test. Stateless and thread-safe.
 */
final class Shell {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    /** What a command did: its exit code (-1 when it was killed at the deadline) and its merged output. */
    record Result(List<String> command, int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + exitCode + (output.isBlank() ? "" : ": " + output.strip());
        }
    }

    private Shell() {
    }

    /** Runs the command; never throws for a failing command, only reports it. */
    static Result tryRun(String... command) {
        List<String> argv = List.of(command);
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!process.waitFor(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                return new Result(argv, -1, "timed out after " + DEFAULT_TIMEOUT.toSeconds() + " s");
            }
            return new Result(argv, process.exitValue(),
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(argv, -1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(argv, -1, "interrupted");
        }
    }

    /** Runs the command and fails with its output unless it exits 0. */
    static Result run(String... command) {
        Result result = tryRun(command);
        if (!result.ok()) {
            throw new IllegalStateException("command failed: " + result);
        }
        return result;
    }
}
