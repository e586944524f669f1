package io.herald.bench.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;

/**
 * The part of starting a broker that is the same for both: launch the JVM with its output in a log file, then
 * poll an AdminClient's {@code describeCluster} until the broker answers, failing fast (with the tail of its
 * log) when the process dies first. Subclasses say what to run and may prepare the data directory before.
 *
 * <p>{@link #start()} runs the three steps {@link #prepare()}, {@link #launch()} and {@link #awaitMetadata()} in
 * a row; a {@link BrokerCluster} runs each step on all its nodes before the next, because a node of a cluster
 * answers Metadata only once a quorum of its peers is up.
 */
abstract class JvmBrokerProcess implements BrokerProcess {
    private static final int LOG_TAIL_LINES = 30;
    private static final long GRACEFUL_STOP_SECONDS = 30;

    protected final BrokerSettings settings;
    protected final Path dataDir;
    protected final int port;
    private final Path logFile;
    /** Clients are served on an SSL listener with this material instead of PLAINTEXT; set before start. */
    protected java.util.Optional<BenchTls> tls = java.util.Optional.empty();
    private Process process;
    private long launchNanos;

    JvmBrokerProcess(BrokerSettings settings, Path dataDir) {
        this(settings, dataDir, Ports.freeLoopbackPort());
    }

    /** On a client port chosen by the caller (a cluster allocates all its nodes' ports before any starts). */
    JvmBrokerProcess(BrokerSettings settings, Path dataDir, int port) {
        this.settings = settings;
        this.dataDir = dataDir;
        this.port = port;
        this.logFile = dataDir.resolve(kind().name().toLowerCase() + ".log");
    }

    /**
     * Serves clients on one SSL listener instead of PLAINTEXT (the {@code -tls} workloads), the inter-broker and
     * readiness traffic included. Call before {@link #start()}.
     */
    public BrokerProcess overTls(BenchTls material) {
        this.tls = java.util.Optional.of(material);
        return this;
    }

    /** The client listener: {@code SSL://} with {@link #overTls}, else {@code PLAINTEXT://}, on this port. */
    protected String clientListener() {
        return clientListenerName() + "://127.0.0.1:" + port;
    }

    protected String clientListenerName() {
        return tls.isPresent() ? "SSL" : "PLAINTEXT";
    }

    /** Work before the clock starts (Kafka formats its storage here). */
    protected void prepare() throws BrokerStartException, InterruptedException {
    }

    /**
     * With {@link BrokerSettings#profileDir()}: a JFR recording of the whole run (CPU samples every 10-20 ms,
     * allocation samples, locks, GC) written to {@code <profileDir>/<data dir name>.jfr} when the JVM exits.
     */
    protected List<String> profilingOptions() {
        return settings.profileDir().map(dir -> List.of("-XX:StartFlightRecording=settings=profile,dumponexit=true,"
                + "filename=" + dir.resolve(dataDir.getFileName() + ".jfr"))).orElse(List.of());
    }

    /** Whether {@link #close()} stops the JVM with SIGTERM first, so that it writes what it writes at exit. */
    protected boolean stopGracefully() {
        return false;
    }

    /** The full command line of the broker JVM. */
    protected abstract List<String> command();

    /** The directory the broker JVM runs in. */
    protected abstract Path workingDirectory();

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The JVM's process id, for sampling its resident memory. Only valid after {@link #launch()}. */
    long pid() {
        if (process == null) {
            throw new IllegalStateException(kind().displayName() + " is not started");
        }
        return process.pid();
    }

    @Override
    public StartedBroker start() throws BrokerStartException, InterruptedException {
        prepare();
        launch();
        awaitMetadata();
        return new StartedBroker(bootstrapServers(), List.of(process.pid()), System.nanoTime() - launchNanos);
    }

    /** Starts the JVM and returns at once; the startup clock starts here. */
    void launch() throws BrokerStartException {
        if (process != null) {
            throw new IllegalStateException(kind().displayName() + " is already started");
        }
        List<String> commandLine = new java.util.ArrayList<>();
        settings.pinning().ifPresent(p -> commandLine.addAll(p.brokerPrefix()));
        commandLine.addAll(command());
        ProcessBuilder builder = new ProcessBuilder(commandLine)
                .directory(workingDirectory().toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        launchNanos = System.nanoTime();
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new BrokerStartException(kind().displayName() + " could not be launched: " + e.getMessage());
        }
        ProcessReaper.register(process);
    }

    /**
     * Waits until the launched broker answers Metadata, at most {@link BrokerSettings#startTimeoutMs()} after its
     * launch; kills it and throws (with the tail of its log) if it exits or times out first.
     */
    void awaitMetadata() throws BrokerStartException, InterruptedException {
        long deadline = launchNanos + TimeUnit.MILLISECONDS.toNanos(settings.startTimeoutMs());
        Properties readiness = readinessAdminConfig(bootstrapServers());
        tls.ifPresent(t -> readiness.putAll(t.clientConfigs()));
        try (Admin admin = Admin.create(readiness)) {
            while (true) {
                try {
                    Collection<Node> nodes = admin.describeCluster().nodes().get(1, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // Not listening yet, or not ready to answer: try again below.
                }
                if (!process.isAlive()) {
                    throw failStart("exited with code " + process.exitValue() + " before answering Metadata");
                }
                if (System.nanoTime() > deadline) {
                    throw failStart("did not answer Metadata within " + settings.startTimeoutMs() + " ms");
                }
                Thread.sleep(10);
            }
        }
    }

    /** Short timeouts and backoffs, so that the measured startup time is within ~100 ms of the truth. */
    static Properties readinessAdminConfig(String bootstrapServers) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 1000);
        props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 20);
        props.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 50);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 20);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 50);
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 500);
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 1000);
        return props;
    }

    /** Whether the launched JVM is still running. */
    boolean isAlive() {
        return process != null && process.isAlive();
    }

    Path logFile() {
        return logFile;
    }

    protected BrokerStartException failStart(String what) {
        close();
        return new BrokerStartException(kind().displayName() + " broker " + what + " (command: "
                + printable(command()) + ").\nLast lines of " + logFile + ":\n" + tail(logFile));
    }

    /** The command line with the (long) classpath abbreviated, for error messages. */
    static String printable(List<String> command) {
        return String.join(" ", command.stream().map(a -> a.length() > 200 ? "<bench classpath>" : a).toList());
    }

    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> last = new ArrayList<>(lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
            return "  " + String.join("\n  ", last);
        } catch (IOException | UncheckedIOException e) {
            return "  (no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        if ((stopGracefully() || settings.profileDir().isPresent()) && process.isAlive()) {
            // SIGTERM: the JVM's exit writes the JFR recording and the class-data archive (SIGKILL would lose them).
            process.destroy();
            try {
                process.waitFor(GRACEFUL_STOP_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ProcessReaper.kill(process);
    }

    /** SIGKILL (if running) and wait for the exit, without {@link #close()}'s graceful stop. Idempotent. */
    void kill() {
        if (process != null) {
            ProcessReaper.kill(process);
        }
    }
}
