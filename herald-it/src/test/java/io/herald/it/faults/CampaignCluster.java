package io.herald.it.faults;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.it.ClusterChecks;
import io.herald.it.ClusterHarness;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One scenario's world: {@link NetnsCluster} namespaces, a 3-node {@link ClusterHarness} in them (fast failure
 * detection: fenced after 3 s, out of the ISR after 5 s), the campaign topic (6 partitions, RF 3,
 * min.insync.replicas 2) and its {@link FaultWorkload}. {@link #close()} tears it down in reverse order of
 * creation (clients, nodes, then namespaces and mounts) and never throws.
 *
 * <p>Not thread-safe: drive it from the test thread.
 */
final class CampaignCluster implements AutoCloseable {

    static final String TOPIC = "faults";
    static final int PARTITIONS = 6;
    static final long SESSION_TIMEOUT_MS = 3_000;

    final NetnsCluster net;
    final ClusterHarness cluster;
    final FaultWorkload workload;

    private CampaignCluster(NetnsCluster net, ClusterHarness cluster, FaultWorkload workload) {
        this.net = net;
        this.cluster = cluster;
        this.workload = workload;
    }

    /** Skips the calling test (JUnit assumption) where network namespaces cannot be created. */
    static void assumeNamespaces() {
        Optional<String> reason = NetnsCluster.unavailableReason();
        assumeTrue(reason.isEmpty(), () -> reason.orElse(""));
    }

    /** Starts everything; {@code beforeStart} may prepare the network (e.g. a tmpfs log dir). */
    static CampaignCluster start(Path workDir, Consumer<NetnsCluster> beforeStart) throws Exception {
        assumeNamespaces();
        NetnsCluster net = NetnsCluster.create(3);
        ClusterHarness cluster = null;
        try {
            beforeStart.accept(net);
            cluster = ClusterHarness.builder(workDir).controllers(3).network(net).fastFailureDetection()
                    .overrides(Map.of("min.insync.replicas", "2", "offsets.topic.replication.factor", "3",
                            "broker.session.timeout.ms", String.valueOf(SESSION_TIMEOUT_MS)))
                    .start();
            ClusterChecks.createTopic(cluster.admin(), TOPIC, PARTITIONS, 3, 2);
            return new CampaignCluster(net, cluster, new FaultWorkload(cluster, TOPIC, PARTITIONS));
        } catch (Exception | AssertionError e) {
            if (cluster != null) {
                cluster.close();
            }
            net.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            workload.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.out.println("fault campaign: closing the workload: " + e);
        } finally {
            try {
                cluster.close();
            } finally {
                net.close();
            }
        }
    }
}
