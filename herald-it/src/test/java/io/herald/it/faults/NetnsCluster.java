package io.herald.it.faults;

import io.herald.it.NodeNetwork;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A private network for a 3-node cluster: one network namespace per node ({@code hf-<pid>-n<id>}, address
 * {@code 10.77.0.<id>/24}), each joined by a veth pair to a bridge ({@code hf-<pid>-br}, {@code 10.77.0.254/24})
 * in the test's own namespace, so the test JVM reaches every node directly and every node reaches the others
 * through the bridge. Nodes are launched with {@code ip netns exec <ns>} (which execs, so the launched pid is
 * the broker's JVM).
 *
 * <p>Faults are iptables rules and qdiscs inside a node's namespace, and tmpfs mounts named after the node
 * ({@code mount -t tmpfs hf-<pid>-n<id> <dir>}): they touch only what this class created. Every name carries
 * the creating JVM's pid, so {@link #removeStale()} can tell leftovers of a dead run (namespaces, bridge,
 * processes inside them, mounts) from a live one and clean them up; {@link #close()} removes everything this
 * instance made, best effort, and never throws.
 *
 * <p>Not thread-safe: drive it from the test thread.
 */
final class NetnsCluster implements NodeNetwork, AutoCloseable {

    static final String PREFIX = "hf-";
    private static final String SUBNET = "10.77.0.";
    static final String BRIDGE_ADDRESS = SUBNET + "254";
    /** System property: path of the compiled nfq-delay program (herald-it/src/test/c), for delay without netem. */
    static final String NFQ_DELAY_PROPERTY = "herald.faults.nfqdelay";

    private final long pid = ProcessHandle.current().pid();
    private final int nodes;
    private final List<String> namespaces = new ArrayList<>();
    private final Map<Integer, Integer> tmpfsMegabytes = new LinkedHashMap<>();
    private final List<Path> mounts = new ArrayList<>();
    private final Map<Integer, Process> delayers = new LinkedHashMap<>();
    private boolean bridge;

    private NetnsCluster(int nodes) {
        this.nodes = nodes;
    }

    /**
     * Why namespaces cannot be made here (not root, no {@code ip}, no {@code iptables}), for a JUnit assumption;
     * empty when they can.
     */
    static Optional<String> unavailableReason() {
        if (!"root".equals(System.getProperty("user.name")) && !Shell.tryRun("id", "-u").output().strip().equals("0")) {
            return Optional.of("fault campaign needs root to create network namespaces (ip netns add)");
        }
        for (String tool : List.of("ip", "iptables", "mount")) {
            if (!Shell.tryRun("sh", "-c", "command -v " + tool).ok()) {
                return Optional.of("fault campaign needs '" + tool + "' on PATH (.ci/run installs iptables)");
            }
        }
        String probe = PREFIX + ProcessHandle.current().pid() + "-probe";
        Shell.Result add = Shell.tryRun("ip", "netns", "add", probe);
        Shell.tryRun("ip", "netns", "del", probe);
        return add.ok() ? Optional.empty() : Optional.of("cannot create a network namespace: " + add);
    }

    /** Creates the namespaces and the bridge for {@code nodes} nodes (ids 1..nodes), after removing stale ones. */
    static NetnsCluster create(int nodes) {
        if (nodes < 1 || nodes > 9) {
            throw new IllegalArgumentException("nodes: " + nodes + " (expected: 1..9)");
        }
        removeStale();
        NetnsCluster net = new NetnsCluster(nodes);
        try {
            net.build();
            return net;
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    private void build() {
        String br = bridgeName(pid);
        Shell.tryRun("ip", "link", "del", br); // a leftover of an earlier scenario of this JVM
        Shell.run("ip", "link", "add", br, "type", "bridge");
        bridge = true;
        Shell.run("ip", "addr", "add", BRIDGE_ADDRESS + "/24", "dev", br);
        Shell.run("ip", "link", "set", br, "up");
        for (int id = 1; id <= nodes; id++) {
            String ns = namespace(id);
            Shell.run("ip", "netns", "add", ns);
            namespaces.add(ns);
            String host = vethHostSide(id);
            String peer = innerInterface(id);
            Shell.tryRun("ip", "link", "del", host); // a leftover of an earlier scenario of this JVM
            Shell.run("ip", "link", "add", host, "type", "veth", "peer", "name", peer);
            Shell.run("ip", "link", "set", peer, "netns", ns);
            Shell.run("ip", "link", "set", host, "master", br);
            Shell.run("ip", "link", "set", host, "up");
            Shell.run("ip", "-n", ns, "addr", "add", host(id) + "/24", "dev", peer);
            Shell.run("ip", "-n", ns, "link", "set", peer, "up");
            Shell.run("ip", "-n", ns, "link", "set", "lo", "up");
        }
    }

    String namespace(int id) {
        return PREFIX + pid + "-n" + id;
    }

    private String vethHostSide(int id) {
        return "hf" + pid + "n" + id;
    }

    private String innerInterface(int id) {
        return vethHostSide(id) + "p";
    }

    private static String bridgeName(long pid) {
        return PREFIX + pid + "-br";
    }

    @Override
    public String host(int nodeId) {
        return SUBNET + nodeId;
    }

    @Override
    public List<String> commandPrefix(int nodeId) {
        return List.of("ip", "netns", "exec", namespace(nodeId));
    }

    /** Node {@code id}'s log dir will be a tmpfs of {@code megabytes} MiB; call before the cluster starts. */
    void tmpfsDataDir(int id, int megabytes) {
        tmpfsMegabytes.put(id, megabytes);
    }

    @Override
    public void prepareDataDir(int nodeId, Path dataDir) throws IOException {
        Integer megabytes = tmpfsMegabytes.get(nodeId);
        if (megabytes == null) {
            return;
        }
        Files.createDirectories(dataDir);
        Shell.run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", namespace(nodeId), dataDir.toString());
        mounts.add(dataDir);
    }

    /** Node {@code id} drops every packet to and from the other nodes; the test JVM (the bridge) still reaches it. */
    void isolate(int id) {
        for (int peer : peers(id)) {
            iptables(id, "-A", "INPUT", "-s", host(peer), "-j", "DROP");
            iptables(id, "-A", "OUTPUT", "-d", host(peer), "-j", "DROP");
        }
    }

    /** Node {@code id} drops each packet from the other nodes with {@code probability} (statistic match). */
    void loseFromPeers(int id, double probability) {
        for (int peer : peers(id)) {
            iptables(id, "-A", "INPUT", "-s", host(peer), "-m", "statistic", "--mode", "random",
                    "--probability", String.valueOf(probability), "-j", "DROP");
        }
    }

    /**
     * Delays everything node {@code id} sends to the other nodes by {@code millis}: with netem where the kernel
     * has it, else with the nfq-delay program ({@link #NFQ_DELAY_PROPERTY}, built by {@code bin/faults}) fed by
     * an NFQUEUE rule per peer ({@code --queue-bypass}: should the program die, packets pass undelayed).
     *
     * @return how the delay is applied ("netem", "nfqueue"), or empty when neither is available, in which case
     *         nothing changed
     */
    Optional<String> tryDelay(int id, int millis) throws IOException, InterruptedException {
        if (Shell.tryRun("ip", "netns", "exec", namespace(id), "tc", "qdisc", "add", "dev", innerInterface(id),
                "root", "netem", "delay", millis + "ms").ok()) {
            return Optional.of("netem");
        }
        String program = System.getProperty(NFQ_DELAY_PROPERTY, "");
        if (program.isEmpty() || !Files.isExecutable(Path.of(program))) {
            return Optional.empty();
        }
        int queue = id; // one queue per namespace; queue numbers are per network namespace anyway
        Process delayer = new ProcessBuilder("ip", "netns", "exec", namespace(id), program, String.valueOf(queue),
                String.valueOf(millis)).redirectErrorStream(true).start();
        delayers.put(id, delayer);
        BufferedReader out = new BufferedReader(new InputStreamReader(delayer.getInputStream(),
                StandardCharsets.UTF_8));
        String first = out.readLine(); // it prints one line once its queue is bound
        if (first == null || !first.startsWith("nfq-delay: queue")) {
            stopDelayer(id);
            throw new IOException("nfq-delay did not start in " + namespace(id) + ": " + first);
        }
        for (int peer : peers(id)) {
            iptables(id, "-A", "OUTPUT", "-d", host(peer), "-j", "NFQUEUE", "--queue-num", String.valueOf(queue),
                    "--queue-bypass");
        }
        return Optional.of("nfqueue");
    }

    /** Removes every rule, qdisc and delayer this class put in node {@code id}'s namespace. */
    void heal(int id) throws InterruptedException {
        iptables(id, "-F", "INPUT");
        iptables(id, "-F", "OUTPUT");
        Shell.tryRun("ip", "netns", "exec", namespace(id), "tc", "qdisc", "del", "dev", innerInterface(id), "root");
        stopDelayer(id);
    }

    private void stopDelayer(int id) throws InterruptedException {
        Process delayer = delayers.remove(id);
        if (delayer != null) {
            delayer.destroy(); // SIGTERM: it accepts what it holds and exits
            if (!delayer.waitFor(5, TimeUnit.SECONDS)) {
                delayer.destroyForcibly();
            }
        }
    }

    private Set<Integer> peers(int id) {
        Set<Integer> peers = new TreeSet<>();
        for (int other = 1; other <= nodes; other++) {
            if (other != id) {
                peers.add(other);
            }
        }
        return peers;
    }

    private void iptables(int id, String... rule) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace(id), "iptables", "-w", "5"));
        argv.addAll(List.of(rule));
        Shell.run(argv.toArray(String[]::new));
    }

    /** Kills what runs in the namespaces, unmounts, deletes the namespaces (and so their veths) and the bridge. */
    @Override
    public void close() {
        for (String ns : namespaces) {
            killProcessesIn(ns);
        }
        for (Path mount : mounts) {
            unmount(mount.toString());
        }
        for (int id = 1; id <= namespaces.size(); id++) {
            // The kernel tears a deleted namespace down asynchronously, and its veth with it; deleting our end
            // first removes the pair at once, so the next scenario can reuse the names.
            Shell.tryRun("ip", "link", "del", vethHostSide(id));
        }
        for (String ns : namespaces) {
            Shell.tryRun("ip", "netns", "del", ns);
        }
        if (bridge) {
            Shell.tryRun("ip", "link", "del", bridgeName(pid));
        }
        namespaces.clear();
        mounts.clear();
        bridge = false;
    }

    /**
     * Best effort: removes the namespaces, bridges, processes and tmpfs mounts left by runs whose JVM is gone
     * (a killed CI job cannot run its finally blocks). Leftovers of a live JVM are not touched.
     */
    static void removeStale() {
        Set<Long> stalePids = new TreeSet<>();
        for (String line : Shell.tryRun("ip", "netns", "list").output().lines().toList()) {
            String ns = line.split("\\s+")[0];
            staleOwner(ns).ifPresent(owner -> {
                stalePids.add(owner);
                killProcessesIn(ns);
                Shell.tryRun("ip", "netns", "del", ns);
            });
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] fields = line.split(" ");
                if (fields.length > 2 && fields[2].equals("tmpfs") && staleOwner(fields[0]).isPresent()) {
                    unmount(fields[1]);
                }
            }
        } catch (IOException ignored) {
            // no /proc/mounts: nothing of ours can be mounted either
        }
        for (String line : Shell.tryRun("ip", "-o", "link", "show", "type", "bridge").output().lines().toList()) {
            String[] fields = line.split(":\\s+");
            if (fields.length > 1) {
                String name = fields[1].split("[@:\\s]")[0];
                staleOwner(name).ifPresent(owner -> Shell.tryRun("ip", "link", "del", name));
            }
        }
    }

    /** The pid in an {@code hf-<pid>-...} name when that process no longer exists. */
    private static Optional<Long> staleOwner(String name) {
        if (!name.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String rest = name.substring(PREFIX.length());
        int dash = rest.indexOf('-');
        try {
            long owner = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
            return ProcessHandle.of(owner).isPresent() ? Optional.empty() : Optional.of(owner);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void killProcessesIn(String ns) {
        for (String pidLine : Shell.tryRun("ip", "netns", "pids", ns).output().lines().toList()) {
            String p = pidLine.strip();
            if (p.matches("\\d+")) {
                Shell.tryRun("kill", "-CONT", p);
                Shell.tryRun("kill", "-9", p);
            }
        }
    }

    private static void unmount(String dir) {
        if (!Shell.tryRun("umount", dir).ok()) {
            Shell.tryRun("umount", "-l", dir);
        }
    }
}
