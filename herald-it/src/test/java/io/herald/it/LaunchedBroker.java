package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A broker run the way an operator runs it: {@code bin/herald start --override ...} as a
 * separate OS process, on a fixed port and log dir so it can be killed and restarted in place.
 *
 * <p>The launcher is told {@code HERALD_SKIP_BUILD=1}: in {@code mvn verify} the reactor has
 * already packaged herald-server before herald-it's tests, and a nested mvn inside a test would
 * be slow and racy. Its {@code JAVA_HOME} is the test JVM's, a JDK 21+ by construction.
 * Every launch's stdout+stderr goes to its own file under the work dir, shown in failure
 * messages and printed on {@link #close()}.
 *
 * <p>Not thread-safe: drive it from the test thread.
 */
final class LaunchedBroker implements AutoCloseable {

    static final Path REPO_ROOT = findRepoRoot();
    static final Path SERVER_JAR = REPO_ROOT.resolve("herald-server/target/herald-server.jar");
    static final String CLEAN_SHUTDOWN_MARKER = ".herald_cleanshutdown";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final int port;
    private final Path logDir;
    private final Path workDir;
    private final Map<String, String> overrides;
    private final List<Path> outputs = new ArrayList<>();
    private Process process;

    /**
     * @param workDir   a fresh directory; the broker's log dir and output files go under it
     * @param overrides broker config on top of config/server.properties (listeners and log.dirs
     *                  are set here)
     */
    LaunchedBroker(Path workDir, Map<String, String> overrides) {
        this.port = freePort();
        this.workDir = workDir;
        this.logDir = workDir.resolve("data");
        this.overrides = new LinkedHashMap<>(overrides);
        this.overrides.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        this.overrides.put("log.dirs", logDir.toString());
        this.overrides.putIfAbsent("herald.http.listener", "http://127.0.0.1:0");
    }

    int port() {
        return port;
    }

    Path logDir() {
        return logDir;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Launches the broker and returns once its port accepts connections. */
    void start() throws IOException, InterruptedException {
        assertThat(process == null || !process.isAlive()).as("broker already running").isTrue();
        assertThat(SERVER_JAR)
                .as("the server jar must be built first (mvn package; bin/test does it)")
                .isRegularFile();
        List<String> command = new ArrayList<>(List.of("bash", REPO_ROOT.resolve("bin/herald").toString(), "start"));
        overrides.forEach((key, value) -> command.addAll(List.of("--override", key + "=" + value)));
        Path output = workDir.resolve("broker-" + (outputs.size() + 1) + ".out");
        outputs.add(output);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(REPO_ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("HERALD_SKIP_BUILD", "1");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("HERALD_HEAP_OPTS", "-Xms64m -Xmx512m");
        process = builder.start();
        awaitPortAnswers();
    }

    private void awaitPortAnswers() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("broker exited with " + process.exitValue() + " while starting:\n" + output());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("broker did not accept connections on port " + port + " within "
                + START_TIMEOUT.toSeconds() + " s:\n" + output());
    }

    /** kill -9: no shutdown hook, nothing flushed by the broker. Waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("killed broker exits").isTrue();
    }

    /** SIGTERM; the exit code if the process ended within {@code timeout}, else empty. */
    OptionalInt stop(Duration timeout) throws InterruptedException {
        process.destroy(); // SIGTERM on Linux: runs the shutdown hook
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? OptionalInt.of(process.exitValue())
                : OptionalInt.empty();
    }

    /** Everything every launch printed so far. */
    String output() {
        StringBuilder all = new StringBuilder();
        for (Path file : outputs) {
            all.append("---- ").append(file.getFileName()).append('\n');
            try {
                all.append(Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "");
            } catch (IOException e) {
                all.append("(unreadable: ").append(e).append(")\n");
            }
        }
        return all.toString();
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        System.out.println(output());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path findRepoRoot() {
        // Surefire runs in the module directory; an IDE may run in the repository root.
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("bin/herald")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no bin/herald above " + Path.of("").toAbsolutePath());
    }
}
