package io.herald.server.node;

import io.herald.metadata.controller.MetadataController;
import io.herald.metadata.quorum.MetadataQuorum;
import io.herald.metadata.quorum.local.LocalMetadataQuorum;
import io.herald.metadata.quorum.raft.ObserverMetadataQuorum;
import io.herald.metadata.quorum.raft.RaftMetadataQuorum;
import io.herald.metadata.quorum.raft.RaftQuorumSettings;
import io.herald.server.config.HeraldConfig;
import io.herald.server.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which {@link MetadataQuorum} a node runs, from its roles and voters. The controller above it is the same code
 * in every case.
 *
 * <ul>
 *   <li>No {@code controller.quorum.voters}: a quorum of one on a local log (no Raft round trips, starts in
 *       milliseconds).</li>
 *   <li>A voter (the controller role): its member of the Raft group (Apache Ratis) on its controller
 *       listener, storage under {@code <metadata.log.dir>/herald-metadata/raft}.</li>
 *   <li>Voters and observers alike speak TLS (mutual with {@code ssl.client.auth=required}) when the controller
 *       listener is SSL: {@link HeraldConfig#quorumTls()}.</li>
 *   <li>Broker only: an observer that follows the voters' committed log without voting and stores nothing.</li>
 * </ul>
 */
final class MetadataQuorums {
    private static final Logger log = LoggerFactory.getLogger(MetadataQuorums.class);
    /** How long a starting node waits for the metadata log to hold a cluster id (the quorum to form). */
    static final long CLUSTER_ID_WAIT_MS = 60_000;
    /** Directory in the metadata log dir that holds the metadata log; not a partition (no "-N" suffix). */
    static final String METADATA_DIR = "herald-metadata";

    private MetadataQuorums() {}

    static MetadataQuorum open(HeraldConfig heraldConfig) throws IOException {
        NodeConfig config = heraldConfig.node();
        RaftQuorumSettings settings = heraldConfig.quorumTls().map(RaftQuorumSettings.DEFAULTS::withTls)
                .orElse(RaftQuorumSettings.DEFAULTS);
        Path dir = config.metadataLogDir().resolve(METADATA_DIR);
        if (config.isSingleNode()) {
            return LocalMetadataQuorum.durable(config.nodeId(), dir);
        }
        if (!config.isController()) {
            return new ObserverMetadataQuorum(config.nodeId(), config.quorumVoters(), settings);
        }
        return new RaftMetadataQuorum(config.nodeId(), config.quorumVoters(), dir.resolve("raft"),
                settings);
    }

    /**
     * Starts the controller on this node's quorum (replaying or fetching the log), proposing the cluster id of
     * {@code meta}, and waits up to {@value #CLUSTER_ID_WAIT_MS} ms for the log to hold one (the quorum formed).
     * The log's id wins over {@code meta}'s; a difference is logged.
     */
    static MetadataController startController(HeraldConfig config, MetaProperties meta) throws IOException {
        MetadataController controller = MetadataController.start(open(config), config.controller(),
                meta.clusterId());
        try {
            String clusterId = controller.awaitClusterId(Duration.ofMillis(CLUSTER_ID_WAIT_MS));
            if (!clusterId.equals(meta.clusterId())) {
                log.warn("Cluster id {} in {} differs from the metadata quorum's {}; the quorum's is served",
                        meta.clusterId(), config.node().logDirs().get(0), clusterId);
            }
            return controller;
        } catch (RuntimeException e) {
            controller.close();
            throw e;
        }
    }

    /** The cluster id in the metadata log (the one served), else the one in {@code meta.properties}. */
    static String clusterId(MetadataController controller, MetaProperties meta) {
        String fromLog = controller.image().clusterId();
        return fromLog.isEmpty() ? meta.clusterId() : fromLog;
    }
}
