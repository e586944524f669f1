package io.herald.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a {@link ClusterHarness} node lives on the network, and how its process is started there: the address
 * its listeners bind to (and clients and the other nodes use), and a command prefix that puts the process in
 * place (e.g. {@code ip netns exec <ns>}). The default, {@link #LOOPBACK}, runs every node on 127.0.0.1 in the
 * test's own network namespace.
 *
 * <p>Implementations must be thread-safe for reads: the harness asks from the test thread only, but the answers
 * must not change while a node runs (a restart reuses them).
 */
public interface NodeNetwork {

    /** Every node on 127.0.0.1, launched directly. */
    NodeNetwork LOOPBACK = new NodeNetwork() {
        @Override
        public String host(int nodeId) {
            return "127.0.0.1";
        }

        @Override
        public List<String> commandPrefix(int nodeId) {
            return List.of();
        }
    };

    /** The IPv4 address node {@code nodeId} listens on, reachable from the test JVM and from every other node. */
    String host(int nodeId);

    /** Prepended to the node's launch command; empty to launch it as is. */
    List<String> commandPrefix(int nodeId);

    /**
     * Called before a node's first launch with its log dir (which does not exist yet), e.g. to mount a small
     * filesystem there. The default does nothing.
     */
    default void prepareDataDir(int nodeId, Path dataDir) throws IOException {
    }
}
