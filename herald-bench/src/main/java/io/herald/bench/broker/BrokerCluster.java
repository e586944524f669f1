package io.herald.bench.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

/**
 * A cluster of one kind of broker on loopback: every node broker and controller in one JVM (combined mode, the
 * only one Herald supports), with its own ports and data directory, all configured with the same static
 * {@code controller.quorum.voters} ({@link ClusterLayout}). The cluster owns its nodes: {@link #close()} stops
 * every one of them, and a {@link #start()} that fails stops them before it throws.
 *
 * <p>{@link #start()} runs each step on every node before the next step, because a node answers Metadata only
 * once the quorum has a leader and the node has registered with it: prepare (Kafka formats its storage, before the
 * clock as for one node), launch, wait until each node answers Metadata, then wait until the cluster lists all its
 * brokers (a topic with one replica per node can be created only then). The startup time runs from the first
 * launch to that moment.
 *
 * <p>Not thread-safe: owned by the benchmark's main thread.
 */
public final class BrokerCluster implements BrokerProcess {
    private final BrokerKind kind;
    private final ClusterLayout layout;
    private final List<JvmBrokerProcess> nodes;
    private final long startTimeoutMs;
    private final boolean profiling;

    /**
     * {@code size} nodes with ids 1..size; node N keeps its data and its log in {@code dir/<dir name>-nodeN}
     * (the name also names its JFR recording under {@code --profile}).
     */
    public BrokerCluster(BrokerKind kind, BrokerSettings settings, Path dir, int size) {
        this.kind = kind;
        this.layout = ClusterLayout.onLoopback(size);
        this.startTimeoutMs = settings.startTimeoutMs();
        this.profiling = settings.profileDir().isPresent();
        this.nodes = layout.nodes().stream()
                .map(n -> node(kind, settings, dir.resolve(dir.getFileName() + "-node" + n.id()), n))
                .toList();
    }

    private JvmBrokerProcess node(BrokerKind kind, BrokerSettings settings, Path dataDir, ClusterLayout.Node node) {
        return switch (kind) {
            case HERALD -> HeraldProcess.clusterNode(settings, dataDir, layout, node);
            case KAFKA -> KafkaProcess.clusterNode(settings, dataDir, layout, node);
        };
    }

    @Override
    public BrokerKind kind() {
        return kind;
    }

    @Override
    public String bootstrapServers() {
        return layout.bootstrapServers();
    }

    @Override
    public StartedBroker start() throws BrokerStartException, InterruptedException {
        try {
            for (JvmBrokerProcess node : nodes) {
                createDataDir(node);
                node.prepare();
            }
            long launchNanos = System.nanoTime();
            for (JvmBrokerProcess node : nodes) {
                node.launch();
            }
            for (JvmBrokerProcess node : nodes) {
                node.awaitMetadata();
            }
            awaitEveryBrokerListed(launchNanos);
            return new StartedBroker(bootstrapServers(), nodes.stream().map(JvmBrokerProcess::pid).toList(),
                    System.nanoTime() - launchNanos);
        } catch (BrokerStartException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static void createDataDir(JvmBrokerProcess node) throws BrokerStartException {
        try {
            Files.createDirectories(node.dataDir);
        } catch (IOException e) {
            throw new BrokerStartException("cannot create " + node.dataDir + ": " + e);
        }
    }

    private void awaitEveryBrokerListed(long launchNanos) throws BrokerStartException, InterruptedException {
        long deadline = launchNanos + TimeUnit.MILLISECONDS.toNanos(startTimeoutMs);
        int listed = 0;
        try (Admin admin = Admin.create(JvmBrokerProcess.readinessAdminConfig(bootstrapServers()))) {
            while (true) {
                try {
                    listed = admin.describeCluster().nodes().get(1, TimeUnit.SECONDS).size();
                    if (listed == nodes.size()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // A node between answers: try again below.
                }
                for (JvmBrokerProcess node : nodes) {
                    if (!node.isAlive()) {
                        throw node.failStart("exited while the cluster formed");
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw failListing(listed);
                }
                Thread.sleep(10);
            }
        }
    }

    private BrokerStartException failListing(int listed) {
        StringBuilder logs = new StringBuilder();
        for (JvmBrokerProcess node : nodes) {
            logs.append("\nLast lines of ").append(node.logFile()).append(":\n")
                    .append(JvmBrokerProcess.tail(node.logFile()));
        }
        return new BrokerStartException(kind.displayName() + " cluster listed " + listed + " of " + nodes.size()
                + " brokers " + startTimeoutMs + " ms after launch (bootstrap " + bootstrapServers() + ")." + logs);
    }

    /**
     * Stops the nodes one after the other, the last one with SIGKILL. One at a time: Herald's nodes stop with
     * SIGTERM so that the JVM writes the class-data archive at exit when there is none yet, and the nodes share
     * that one file. The last one killed: alone, it has lost its quorum, and Herald's controlled shutdown then waits
     * about 30 s for a controller that cannot answer (measured: the first two nodes stop in ~1.5 s each, the last
     * in 29.6 s); under {@code --profile} it is stopped with SIGTERM all the same, so that its recording is written.
     */
    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = 0; i < nodes.size(); i++) {
            JvmBrokerProcess node = nodes.get(i);
            try {
                if (i == nodes.size() - 1 && !profiling) {
                    node.kill();
                } else {
                    node.close();
                }
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
