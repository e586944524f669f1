package io.herald.server.node;

import io.herald.server.config.HeraldConfig;

/**
 * One running Herald process, whatever its {@code process.roles}: a {@link BrokerNode} (which on a combined
 * {@code broker,controller} node, and on a single node, also runs its controller) or a {@link ControllerNode}
 * ({@code process.roles=controller}).
 */
public interface HeraldNode extends AutoCloseable {

    /** Starts the node {@code config} describes; when this returns it serves on {@link #boundPort()}. */
    static HeraldNode start(HeraldConfig config) throws Exception {
        return config.node().isBroker() ? BrokerNode.start(config) : ControllerNode.start(config);
    }

    /** The port it listens on: the client listener's on a broker, the controller listener's otherwise. */
    int boundPort();

    String clusterId();

    HeraldConfig config();

    /** Stops the node cleanly (moving leaderships away first where it has any). */
    @Override
    void close();
}
