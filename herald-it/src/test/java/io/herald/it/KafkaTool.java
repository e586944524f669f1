package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of Kafka's command-line tools (its main class from kafka-tools 4.3.1, on this test's class path) in its
 * own JVM, as its script would, against a bootstrap server; waits at most a minute for it.
 *
 * <p>Stateless and thread-safe.
 */
final class KafkaTool {
    private static final long TIMEOUT_SECONDS = 60;

    /** What a tool run printed, and its exit code. */
    record Run(int exitCode, String stdout, String stderr) {
        /** The non-blank stdout lines, stripped. */
        List<String> lines() {
            return stdout.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        }

        /** What a terminal shows: stdout and stderr. */
        String shown() {
            return stdout + stderr;
        }
    }

    private KafkaTool() {
    }

    /** Runs {@code mainClass --bootstrap-server bootstrap args...}; its output goes through files in workDir. */
    static Run run(Path workDir, String mainClass, String bootstrap, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), mainClass, "--bootstrap-server", bootstrap));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "tool", ".out");
        Path err = Files.createTempFile(workDir, "tool", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
        try {
            assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("%s %s finished", mainClass,
                    List.of(args)).isTrue();
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            process.destroyForcibly();
        }
    }
}
