package io.herald.cli.cluster;

import io.herald.cli.ClientCommand;
import io.herald.cli.Failures;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import picocli.CommandLine.Command;

/**
 * {@code herald cluster status}: cluster id, controller, brokers, the metadata quorum's leader and the finalized
 * features, from DescribeCluster, DescribeQuorum and DescribeFeatures. A cluster that does not answer one of the
 * latter two (an older broker, or one that does not expose its quorum) still gets the rest, with the reason.
 */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Summarises the cluster.")
public final class ClusterStatus extends ClientCommand {

    @Override
    protected int run() {
        try (Admin admin = clients().admin()) {
            DescribeClusterResult cluster = admin.describeCluster();
            String id = Failures.await(() -> cluster.clusterId().get());
            Node controller = Failures.await(() -> cluster.controller().get());
            Collection<Node> brokers = Failures.await(() -> cluster.nodes().get());
            out().println("Cluster id:  " + id);
            out().println("Controller:  " + (controller == null || controller.isEmpty() ? "none"
                    : controller.id() + " (" + controller.host() + ":" + controller.port() + ")"));
            out().println("Brokers:     " + brokers.size() + " (" + brokers.stream().map(Node::id).sorted()
                    .map(String::valueOf).collect(Collectors.joining(",")) + ")");
            out().println("Quorum:      " + quorum(admin));
            out().println("Features:    " + features(admin));
        }
        return 0;
    }

    private static String quorum(Admin admin) {
        try {
            QuorumInfo info = Failures.await(() -> admin.describeMetadataQuorum().quorumInfo().get());
            return "leader " + info.leaderId() + ", epoch " + info.leaderEpoch() + ", high watermark "
                    + info.highWatermark() + ", " + info.voters().size() + " voter(s), " + info.observers().size()
                    + " observer(s)";
        } catch (UnsupportedVersionException e) {
            return "unavailable (" + Failures.message(e) + ")";
        }
    }

    private static String features(Admin admin) {
        try {
            FeatureMetadata features = Failures.await(() -> admin.describeFeatures().featureMetadata().get());
            Map<String, FinalizedVersionRange> finalized = new TreeMap<>(features.finalizedFeatures());
            if (finalized.isEmpty()) {
                return "(none finalized)";
            }
            return finalized.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().maxVersionLevel())
                    .collect(Collectors.joining(", "));
        } catch (UnsupportedVersionException e) {
            return "unavailable (" + Failures.message(e) + ")";
        }
    }
}
