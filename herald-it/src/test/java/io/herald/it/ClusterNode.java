package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One node of a {@link ClusterHarness}: {@code bin/herald start --config config/cluster/nodeN.properties}
 * with overrides, as a separate OS process, on ports and a data dir fixed at construction so that a restart
 * comes back as the same node with the same log.
 *
 * <p>Faults, as an operator's machine sees them: {@link #kill9()} (SIGKILL), {@link #sigterm} (clean stop),
 * {@link #pause()} (SIGSTOP: the process holds its sockets but answers nothing, like a long GC pause or a
 * hung VM) and {@link #resume()} (SIGCONT). Each launch's stdout+stderr goes to its own file under the
 * node's dir; {@link #logFile()} is the current one, {@link #output()} all of them.
 *
 * <p>Not thread-safe: drive it from the test thread.
 */
public final class ClusterNode {

    /** How a node takes part in the cluster. */
    public enum Role {
        /** {@code process.roles=broker,controller}: a broker and one of the quorum's voters. */
        COMBINED("broker,controller"),
        /** {@code process.roles=broker}: a broker that is not a voter. */
        BROKER("broker"),
        /** {@code process.roles=controller}: a voter with no client listener, not a broker. */
        CONTROLLER("controller");

        final String processRoles;

        Role(String processRoles) {
            this.processRoles = processRoles;
        }
    }

    /**
     * Where the node listens and how its process is launched there.
     *
     * @param host          the address of its listeners
     * @param commandPrefix prepended to the launch command (e.g. {@code ip netns exec <ns>}); empty for none
     */
    public record Placement(String host, int clientPort, OptionalInt controllerPort, List<String> commandPrefix) {
        public Placement {
            commandPrefix = List.copyOf(commandPrefix);
        }
    }

    private static final Duration KILL_WAIT = Duration.ofSeconds(15);

    private final int id;
    private final Role role;
    private final String host;
    private final int clientPort;
    private final OptionalInt controllerPort;
    private final List<String> commandPrefix;
    private final Path dir;
    private final Map<String, String> overrides;
    private final List<Path> outputs = new ArrayList<>();
    private Process process;
    private boolean paused;

    /**
     * @param dir       this node's own directory (data under {@code data/}, output files beside it)
     * @param overrides the whole config on top of the node's properties file: node.id, roles, listeners,
     *                  voters and log.dirs included
     */
    public ClusterNode(int id, Role role, Placement placement, Path dir, Map<String, String> overrides) {
        this.id = id;
        this.role = role;
        this.host = placement.host();
        this.clientPort = placement.clientPort();
        this.controllerPort = placement.controllerPort();
        this.commandPrefix = placement.commandPrefix();
        this.dir = dir;
        this.overrides = new LinkedHashMap<>(overrides);
    }

    public int id() {
        return id;
    }

    public Role role() {
        return role;
    }

    /** The address its listeners bind to. */
    public String host() {
        return host;
    }

    public int clientPort() {
        return clientPort;
    }

    public OptionalInt controllerPort() {
        return controllerPort;
    }

    public String bootstrapServer() {
        assertThat(isBroker()).as("node %d has a client listener", id).isTrue();
        return host + ":" + clientPort;
    }

    /** The node's log.dirs (one dir). */
    public Path dataDir() {
        return dir.resolve("data");
    }

    /** The base config file: config/cluster/nodeN.properties for the shipped nodes, else node1's. */
    public Path configFile() {
        Path own = LaunchedBroker.REPO_ROOT.resolve("config/cluster/node" + id + ".properties");
        return Files.isRegularFile(own) ? own : LaunchedBroker.REPO_ROOT.resolve("config/cluster/node1.properties");
    }

    /** Launches the process and returns at once; see {@link ClusterHarness} for the waits. */
    public void launch() throws IOException {
        assertThat(process == null || !process.isAlive()).as("node %d already running", id).isTrue();
        assertThat(LaunchedBroker.SERVER_JAR)
                .as("the server jar must be built first (mvn package; bin/test does it)")
                .isRegularFile();
        Files.createDirectories(dir);
        List<String> command = new ArrayList<>(commandPrefix);
        command.addAll(List.of("bash", LaunchedBroker.REPO_ROOT.resolve("bin/herald").toString(),
                "start", "--config", configFile().toString()));
        overrides.forEach((key, value) -> command.addAll(List.of("--override", key + "=" + value)));
        Path output = dir.resolve("node" + id + "-" + (outputs.size() + 1) + ".out");
        outputs.add(output);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(LaunchedBroker.REPO_ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("HERALD_SKIP_BUILD", "1");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // Up to four brokers and the test JVM share a small machine: small heaps, one GC thread.
        builder.environment().put("HERALD_HEAP_OPTS", "-Xms64m -Xmx384m");
        builder.environment().put("HERALD_GC_OPTS", "-XX:+UseSerialGC");
        process = builder.start();
        paused = false;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public boolean isPaused() {
        return paused;
    }

    /** Alive and not paused: expected to answer requests. */
    public boolean isRunning() {
        return isAlive() && !paused;
    }

    public long pid() {
        assertThat(process).as("node %d was launched", id).isNotNull();
        return process.pid();
    }

    /** Whether it serves clients (every role but controller-only). */
    public boolean isBroker() {
        return role != Role.CONTROLLER;
    }

    /** The brokers this node lists in a Metadata response, or an IOException if it does not answer in time. */
    public Set<Integer> probeBrokers(Duration timeout) throws IOException {
        assertThat(isBroker()).as("node %d has a client listener to probe", id).isTrue();
        return MetadataProbe.brokers(host, clientPort, timeout);
    }

    /** This node's own view of {@code topic}'s partitions ({@link MetadataProbe#partitions}). */
    Map<Integer, MetadataProbe.PartitionView> probePartitions(String topic, Duration timeout) throws IOException {
        assertThat(isBroker()).as("node %d has a client listener to probe", id).isTrue();
        return MetadataProbe.partitions(host, clientPort, topic, timeout);
    }

    /**
     * Launches the node again after a kill or stop (same ports, same data dir) and waits until it answers
     * Metadata listing itself, i.e. it has registered with the controller and is not fenced; a controller-only
     * node, which answers no Metadata, until its output says it started.
     */
    public void restart(Duration timeout) throws IOException, InterruptedException {
        launch();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            assertAlive("restarting");
            if (!isBroker()) {
                if (Files.readString(logFile(), StandardCharsets.UTF_8).contains("Herald started")) {
                    return;
                }
                Thread.sleep(250);
                continue;
            }
            try {
                Set<Integer> listed = probeBrokers(Duration.ofSeconds(3));
                if (listed.contains(id)) {
                    return;
                }
                last = "lists brokers " + listed;
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("node " + id + " did not list itself within " + timeout.toSeconds() + " s of its "
                + "restart (" + last + "); its output:\n" + tail(200));
    }

    /** Fails fast with the node's output when the process has exited. */
    public void assertAlive(String during) {
        if (process != null && !process.isAlive()) {
            throw new AssertionError("node " + id + " exited with " + process.exitValue() + " while " + during
                    + "; its output:\n" + tail(200));
        }
    }

    /** kill -9: no shutdown hook, nothing flushed by the broker. Returns once the process is gone. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux; it ends a stopped (paused) process as well
        paused = false;
        assertThat(process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("node %d exits on SIGKILL", id)
                .isTrue();
    }

    /** SIGTERM (clean shutdown); the exit code if the process ended within {@code timeout}, else empty. */
    public OptionalInt sigterm(Duration timeout) throws InterruptedException {
        process.destroy(); // SIGTERM on Linux: runs the shutdown hook
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? OptionalInt.of(process.exitValue())
                : OptionalInt.empty();
    }

    /** SIGSTOP: the process keeps its sockets and memory but runs nothing until {@link #resume()}. */
    public void pause() throws IOException, InterruptedException {
        assertThat(isAlive()).as("node %d is alive to be paused", id).isTrue();
        signal("STOP");
        paused = true;
        // kill returns once the signal is sent; wait until the kernel reports the process stopped.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!processState().equals("T") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(processState()).as("node %d is stopped after SIGSTOP; %s", id, diagnostics()).isEqualTo("T");
    }

    /** The kernel's state letter for the process (R, S, T, Z, …), or "?" when it cannot be read. */
    private String processState() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** For failure messages: the process state and which processes listen on this node's client port. */
    public String diagnostics() {
        String listeners;
        try {
            Process ss = new ProcessBuilder("ss", "-ltnp", "sport = :" + clientPort).redirectErrorStream(true).start();
            listeners = ss.waitFor(5, TimeUnit.SECONDS)
                    ? new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8) : "(ss timed out)";
        } catch (IOException e) {
            listeners = "(ss: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            listeners = "(interrupted)";
        }
        return "pid " + (process == null ? "-" : process.pid()) + " state " + (process == null ? "-" : processState())
                + "; listening on " + clientPort + ":\n" + listeners;
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
        paused = false;
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid()))
                .redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill -%s %d finished", name, process.pid()).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %d: %s", name, process.pid(),
                new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    }

    /** The output file of the current (latest) launch. */
    public Path logFile() {
        assertThat(outputs).as("node %d was launched", id).isNotEmpty();
        return outputs.get(outputs.size() - 1);
    }

    /** Everything every launch printed so far. */
    public String output() {
        StringBuilder all = new StringBuilder();
        for (Path file : outputs) {
            all.append("---- node ").append(id).append(": ").append(file.getFileName()).append('\n');
            try {
                all.append(Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "");
            } catch (IOException e) {
                all.append("(unreadable: ").append(e).append(")\n");
            }
        }
        return all.toString();
    }

    /** The last {@code lines} lines of {@link #output()}. */
    public String tail(int lines) {
        List<String> all = output().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Kills the process if it runs (continuing it first if paused); never throws. */
    public void destroy() {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            if (paused) {
                signal("CONT");
                paused = false;
            }
        } catch (IOException | RuntimeException | AssertionError e) {
            // SIGKILL below ends a stopped process as well.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        try {
            process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "node " + id + " (" + role.processRoles + ", client port " + clientPort
                + controllerPort.stream().mapToObj(p -> ", controller port " + p).findFirst().orElse("") + ")";
    }
}
