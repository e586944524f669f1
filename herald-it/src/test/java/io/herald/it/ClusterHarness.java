package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A Herald cluster on loopback, every node a separate {@code bin/herald} process ({@link ClusterNode}).
 *
 * <p>Nodes 1..{@code controllers} are the quorum's voters and run {@code process.roles=broker,controller},
 * except the first {@code controllerOnly} of them, which run {@code process.roles=controller}; further nodes run
 * {@code process.roles=broker}. Every port is chosen free at runtime and every data dir is
 * under the test's temp dir (passed as {@code --override listeners / controller.quorum.voters / log.dirs} on
 * top of config/cluster/nodeN.properties), so tests never clash with each other or with a broker running on
 * the shipped ports.
 *
 * <p>{@link Builder#start()} launches all nodes at once (a quorum needs a majority up before any node can
 * finish starting) and returns when every node answers Metadata listing every broker and Admin
 * describeCluster shows them all. Every wait is bounded. {@link #close()} kills every node (SIGCONT first for
 * paused ones) and prints the tail of each node's output for the test report.
 *
 * <p>Not thread-safe: drive it from the test thread.
 */
public final class ClusterHarness implements AutoCloseable {

    static final int DEFAULT_START_SECONDS = 120;
    static final Duration START_TIMEOUT = Duration.ofSeconds(DEFAULT_START_SECONDS);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
    private static final int TAIL_LINES = 80;

    private final Map<Integer, ClusterNode> nodes;
    /** The port of each broker's extra listener ({@link Builder#extraListener}); empty without one. */
    private final Map<Integer, Integer> extraPorts;
    private Admin admin;

    private ClusterHarness(Map<Integer, ClusterNode> nodes, Map<Integer, Integer> extraPorts) {
        this.nodes = nodes;
        this.extraPorts = Map.copyOf(extraPorts);
    }

    public static Builder builder(Path workDir) {
        return new Builder(workDir);
    }

    /** What the cluster looks like; {@link #start()} launches it. */
    public static final class Builder {
        private final Path workDir;
        private int controllers = 3;
        private int brokerOnly;
        private int controllerOnly;
        private Duration startTimeout = START_TIMEOUT;
        private NodeNetwork network = NodeNetwork.LOOPBACK;
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private final Map<Integer, Map<String, String>> nodeOverrides = new TreeMap<>();
        private String extraListener;
        private String extraProtocol;

        private Builder(Path workDir) {
            this.workDir = workDir;
        }

        /** Nodes 1..n run broker and controller and are the voters (default 3). */
        public Builder controllers(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("controllers: " + n + " (expected: >= 1)");
            }
            this.controllers = n;
            return this;
        }

        /** Nodes after the controllers that run the broker role only, not voters (default 0). */
        public Builder brokerOnly(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("brokerOnly: " + n + " (expected: >= 0)");
            }
            this.brokerOnly = n;
            return this;
        }

        /** Of the voters, nodes 1..n run the controller role only: no client listener, not brokers (default 0). */
        public Builder controllerOnly(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("controllerOnly: " + n + " (expected: >= 0)");
            }
            this.controllerOnly = n;
            return this;
        }

        /** A broker config for every node (e.g. broker.session.timeout.ms=3000). */
        public Builder override(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        /** A broker config for one node only, applied after the cluster-wide ones (e.g. its metadata.log.dir). */
        Builder nodeOverride(int nodeId, String key, String value) {
            nodeOverrides.computeIfAbsent(nodeId, id -> new LinkedHashMap<>()).put(key, value);
            return this;
        }

        /** How long {@link #start()} waits for the cluster to form (default {@value ClusterHarness#DEFAULT_START_SECONDS} s). */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** Where the nodes live and how they are launched (default {@link NodeNetwork#LOOPBACK}). */
        public Builder network(NodeNetwork network) {
            this.network = Objects.requireNonNull(network, "network");
            return this;
        }

        /** Broker configs for every node. */
        public Builder overrides(Map<String, String> configs) {
            overrides.putAll(configs);
            return this;
        }

        /**
         * Fences a silent broker after 3 s (heartbeat every 0.5 s) and drops a lagging follower from the ISR
         * after 5 s, instead of Kafka's 9 s and 30 s, so fault scenarios fit in a test's time budget.
         */
        public Builder fastFailureDetection() {
            overrides.put("broker.heartbeat.interval.ms", "500");
            overrides.put("broker.session.timeout.ms", "3000");
            overrides.put("replica.lag.time.max.ms", "5000");
            return this;
        }

        /**
         * A second client listener {@code name} with security protocol {@code protocol} on every broker, besides the
         * PLAINTEXT one the harness itself uses (probes, {@link #admin()}); name it in
         * {@code inter.broker.listener.name} to have the brokers talk to each other over it.
         */
        public Builder extraListener(String name, String protocol) {
            this.extraListener = name;
            this.extraProtocol = protocol;
            return this;
        }

        /** Launches every node and waits until the cluster has formed; on failure kills what it started. */
        public ClusterHarness start() throws Exception {
            if (controllerOnly > controllers) {
                throw new IllegalArgumentException("controllerOnly " + controllerOnly + " > controllers "
                        + controllers);
            }
            int total = controllers + brokerOnly;
            List<Integer> ports = freePorts(controllers * 2 + brokerOnly + (extraListener == null ? 0 : total));
            Map<Integer, Integer> clientPorts = new TreeMap<>();
            Map<Integer, Integer> controllerPorts = new TreeMap<>();
            int next = 0;
            for (int id = 1; id <= total; id++) {
                clientPorts.put(id, ports.get(next++));
                if (id <= controllers) {
                    controllerPorts.put(id, ports.get(next++));
                }
            }
            Map<Integer, Integer> extraPorts = new TreeMap<>();
            if (extraListener != null) {
                for (int id = controllerOnly + 1; id <= total; id++) {
                    extraPorts.put(id, ports.get(next++));
                }
            }
            String voters = controllerPorts.entrySet().stream()
                    .map(e -> e.getKey() + "@" + network.host(e.getKey()) + ":" + e.getValue())
                    .collect(Collectors.joining(","));
            // One cluster id for all nodes, as kafka-storage.sh format -t gives them; fresh per harness.
            String clusterId = Uuid.randomUuid().toString();
            Map<Integer, ClusterNode> nodes = new TreeMap<>();
            for (int id = 1; id <= total; id++) {
                ClusterNode.Role role = id <= controllerOnly ? ClusterNode.Role.CONTROLLER
                        : id <= controllers ? ClusterNode.Role.COMBINED : ClusterNode.Role.BROKER;
                Path dir = workDir.resolve("node" + id);
                Map<String, String> config = new LinkedHashMap<>(overrides);
                config.put("cluster.id", clusterId);
                config.put("node.id", String.valueOf(id));
                config.put("process.roles", role.processRoles);
                config.put("controller.listener.names", "CONTROLLER");
                config.put("controller.quorum.voters", voters);
                String host = network.host(id);
                config.put("listeners", switch (role) {
                    case COMBINED -> "PLAINTEXT://" + host + ":" + clientPorts.get(id) + ",CONTROLLER://" + host + ":"
                            + controllerPorts.get(id);
                    case CONTROLLER -> "CONTROLLER://" + host + ":" + controllerPorts.get(id);
                    case BROKER -> "PLAINTEXT://" + host + ":" + clientPorts.get(id);
                });
                if (extraPorts.containsKey(id)) {
                    config.put("listeners", config.get("listeners") + "," + extraListener + "://" + host + ":"
                            + extraPorts.get(id));
                    config.putIfAbsent("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,"
                            + extraListener + ":" + extraProtocol);
                }
                config.remove("advertised.listeners"); // the listeners above are what clients must use
                config.putIfAbsent("herald.http.listener", "http://" + host + ":0"); // nodes share no HTTP port
                config.put("log.dirs", dir.resolve("data").toString());
                config.putAll(nodeOverrides.getOrDefault(id, Map.of()));
                OptionalInt controllerPort = controllerPorts.containsKey(id)
                        ? OptionalInt.of(controllerPorts.get(id)) : OptionalInt.empty();
                network.prepareDataDir(id, dir.resolve("data"));
                nodes.put(id, new ClusterNode(id, role, new ClusterNode.Placement(host, clientPorts.get(id),
                        controllerPort, network.commandPrefix(id)), dir, config));
            }
            ClusterHarness harness = new ClusterHarness(nodes, extraPorts);
            try {
                for (ClusterNode node : nodes.values()) {
                    node.launch();
                }
                harness.awaitAllBrokersVisible(startTimeout);
                return harness;
            } catch (Exception | AssertionError e) {
                harness.close();
                throw e;
            }
        }
    }

    public Collection<ClusterNode> nodes() {
        return nodes.values();
    }

    public ClusterNode node(int id) {
        ClusterNode node = nodes.get(id);
        if (node == null) {
            throw new IllegalArgumentException("no node " + id + " (nodes: " + nodes.keySet() + ")");
        }
        return node;
    }

    /** The ids of the nodes that run the broker role (all but the controller-only ones). */
    public Set<Integer> brokerIds() {
        return nodes.values().stream().filter(ClusterNode::isBroker).map(ClusterNode::id)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Every broker's client listener, for clients that must ride out any one node's death. */
    public String bootstrapServers() {
        return nodes.values().stream().filter(ClusterNode::isBroker).map(ClusterNode::bootstrapServer)
                .collect(Collectors.joining(","));
    }

    /** The brokers' extra listener ({@link Builder#extraListener}) as bootstrap servers. */
    public String extraBootstrapServers() {
        if (extraPorts.isEmpty()) {
            throw new IllegalStateException("the cluster has no extra listener");
        }
        return extraPorts.entrySet().stream().map(e -> node(e.getKey()).host() + ":" + e.getValue())
                .collect(Collectors.joining(","));
    }

    /** One Admin client over {@link #bootstrapServers()}, closed by {@link #close()}. */
    public Admin admin() {
        if (admin == null) {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
            admin = Admin.create(props);
        }
        return admin;
    }

    /** Restarts a killed or stopped node in place (same ports, same data) and waits until the cluster lists it. */
    public void restart(int id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        node(id).restart(timeout);
        awaitAllBrokersVisible(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /**
     * Launches every node that is not running (after a kill -9 of all of them, say) at once, since a quorum needs
     * a majority up before any node can finish starting, and waits until the cluster lists every broker.
     */
    public void restartAll(Duration timeout) throws Exception {
        for (ClusterNode node : nodes.values()) {
            if (!node.isAlive()) {
                node.launch();
            }
        }
        awaitAllBrokersVisible(timeout);
    }

    /**
     * Waits until every running (alive, not paused) node answers Metadata listing every broker of the cluster,
     * and Admin describeCluster lists them too. Kafka lists only unfenced brokers, so this also means every
     * broker is registered and heartbeating.
     */
    public void awaitAllBrokersVisible(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<Integer> expected = brokerIds();
        Map<Integer, String> lastSeen = new TreeMap<>();
        while (true) {
            boolean all = true;
            for (ClusterNode node : nodes.values()) {
                node.assertAlive("the cluster was forming");
                if (!node.isRunning() || !node.isBroker()) {
                    continue; // a controller-only node answers no Metadata
                }
                try {
                    Set<Integer> listed = node.probeBrokers(PROBE_TIMEOUT);
                    lastSeen.put(node.id(), "lists brokers " + listed);
                    all &= listed.containsAll(expected);
                } catch (IOException e) {
                    lastSeen.put(node.id(), "no Metadata answer: " + e);
                    all = false;
                }
            }
            if (all && describeClusterShows(expected)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the cluster did not show brokers " + expected + " within "
                        + timeout.toSeconds() + " s; last seen: " + lastSeen + "\n" + tails());
            }
            Thread.sleep(250);
        }
    }

    private boolean describeClusterShows(Set<Integer> expected) throws InterruptedException {
        try {
            Collection<Node> listed = admin().describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                    .nodes().get(10, TimeUnit.SECONDS);
            return listed.stream().map(Node::id).collect(Collectors.toSet()).containsAll(expected);
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /**
     * The metadata quorum's leader as the voter {@code askedVoter} last logged it ("leader is now node N"), once
     * that voter names one.
     */
    public int quorumLeader(int askedVoter, Duration timeout) throws IOException, InterruptedException {
        ClusterNode voter = node(askedVoter);
        assertThat(voter.controllerPort()).as("node %d is a voter", askedVoter).isPresent();
        Pattern line = Pattern.compile("leader is now node (\\d+)");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher matcher = line.matcher(Files.readString(voter.logFile(), StandardCharsets.UTF_8));
            String last = null;
            while (matcher.find()) {
                last = matcher.group(1);
            }
            if (last != null && !last.equals("null")) {
                return Integer.parseInt(last);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("node " + askedVoter + " named no quorum leader within " + timeout.toSeconds()
                + " s\n" + tails());
    }

    /** The last lines of every node's output, for failure messages. */
    public String tails() {
        StringBuilder all = new StringBuilder();
        for (ClusterNode node : nodes.values()) {
            all.append("==== ").append(node).append(node.isAlive() ? (node.isPaused() ? " [paused]" : " [alive]")
                    : " [not running]").append('\n').append(node.tail(TAIL_LINES)).append('\n');
        }
        return all.toString();
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        for (ClusterNode node : nodes.values()) {
            node.destroy();
        }
        System.out.println(tails());
    }

    /**
     * {@code count} distinct ports that were free a moment ago. All sockets are held open until every port is
     * chosen, so the kernel cannot hand the same port out twice.
     */
    public static List<Integer> freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0);
                socket.setReuseAddress(true);
                sockets.add(socket);
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing to do: the port is free either way
                }
            }
        }
    }
}
