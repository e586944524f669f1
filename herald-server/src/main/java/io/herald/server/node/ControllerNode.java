package io.herald.server.node;

import io.herald.metadata.controller.MetadataController;
import io.herald.server.config.HeraldConfig;
import io.herald.server.config.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A controller-only node ({@code process.roles=controller}): a voter of the metadata quorum and the controller
 * logic on it, nothing else. It never registers as a broker, so placement never puts a replica on it and
 * Metadata never lists it; it holds no partitions and opens no client listener. While it leads the quorum it
 * runs the controller's duties (fencing silent brokers, ISR and leader changes, reassignments) like any voter.
 *
 * <p>Startup: identity ({@code meta.properties} in the first log dir), then the quorum member on the controller
 * listener; returns once the log has a cluster id. Shutdown closes the member (the other voters elect another
 * leader if it led).
 *
 * <p>Thread-safety: {@link #close} from any thread, once or more.
 */
public final class ControllerNode implements HeraldNode {
    private static final Logger log = LoggerFactory.getLogger(ControllerNode.class);

    private final HeraldConfig config;
    private final MetaProperties meta;
    private final MetadataController controller;

    private ControllerNode(HeraldConfig config, MetaProperties meta, MetadataController controller) {
        this.config = config;
        this.meta = meta;
        this.controller = controller;
    }

    /** Starts a controller-only node; {@code config} must have the controller role and not the broker role. */
    public static ControllerNode start(HeraldConfig config) throws Exception {
        NodeConfig node = config.node();
        if (node.isBroker() || !node.isController()) {
            throw new IllegalArgumentException("a ControllerNode runs process.roles=controller only, not "
                    + node.processRoles());
        }
        MetaProperties meta = MetaProperties.loadOrCreate(node.logDirs().get(0), node.nodeId(), node.clusterId());
        MetadataController controller = MetadataQuorums.startController(config, meta);
        log.info("Controller {} serving the metadata quorum on port {}", node.nodeId(), node.quorumVoters()
                .get(node.nodeId()).getPort());
        return new ControllerNode(config, meta, controller);
    }

    /** The controller listener's port (this voter's port in {@code controller.quorum.voters}). */
    @Override
    public int boundPort() {
        return config.node().quorumVoters().get(config.node().nodeId()).getPort();
    }

    @Override
    public String clusterId() {
        return MetadataQuorums.clusterId(controller, meta);
    }

    @Override
    public HeraldConfig config() {
        return config;
    }

    /** The metadata controller this node runs (tests read images through it). */
    public MetadataController controller() {
        return controller;
    }

    @Override
    public void close() {
        log.info("Controller {} shutting down", config.node().nodeId());
        try {
            controller.close();
        } catch (Exception e) {
            log.warn("Closing the metadata quorum failed: {}", e.toString());
        }
        log.info("Controller {} shut down cleanly", config.node().nodeId());
    }
}
