package io.herald.broker;

/**
 * One running Herald process, whatever its {@code process.roles}: a {@link Broker} (which on a combined
 * {@code broker,controller} node, and on a single node, also runs its controller) or a {@link ControllerNode}
 * ({@code process.roles=controller}).
 */
public interface HeraldNode extends AutoCloseable {

    /** Starts the node {@code config} describes; when this returns it serves on {@link #boundPort()}. */
    static HeraldNode start(BrokerConfig config) throws Exception {
        return config.isBroker() ? Broker.start(config) : ControllerNode.start(config);
    }

    /** The port it listens on: the client listener's on a broker, the controller listener's otherwise. */
    int boundPort();

    String clusterId();

    BrokerConfig config();

    /** Stops the node cleanly (moving leaderships away first where it has any). */
    @Override
    void close();
}
