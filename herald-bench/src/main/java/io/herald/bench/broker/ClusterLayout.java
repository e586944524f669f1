package io.herald.bench.broker;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;

/**
 * The shape of a local cluster, fixed before any node starts, because every node's config names every
 * controller: one cluster id, and per node its id (1..n), its client port and its controller (Raft) port, all on
 * 127.0.0.1. Every node is broker and controller (combined mode, the only one Herald supports), so the voters
 * are all the nodes. Immutable.
 */
public record ClusterLayout(String clusterId, List<Node> nodes) {

    /** One node: {@code node.id}, its {@code PLAINTEXT} listener port and its {@code CONTROLLER} listener port. */
    public record Node(int id, int clientPort, int controllerPort) {
    }

    public ClusterLayout {
        Objects.requireNonNull(clusterId, "clusterId");
        nodes = List.copyOf(nodes);
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("nodes: empty (expected: at least one node)");
        }
    }

    /** {@code size} nodes with ids 1..size on distinct free loopback ports, and a fresh cluster id. */
    public static ClusterLayout onLoopback(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size: " + size + " (expected: >= 1)");
        }
        // The kernel may hand out a port again once its probe socket closed: insist on 2 * size distinct ones.
        Set<Integer> taken = new HashSet<>();
        List<Node> nodes = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            nodes.add(new Node(id, distinctFreePort(taken), distinctFreePort(taken)));
        }
        return new ClusterLayout(Uuid.randomUuid().toString(), nodes);
    }

    private static int distinctFreePort(Set<Integer> taken) {
        int port = Ports.freeLoopbackPort();
        while (!taken.add(port)) {
            port = Ports.freeLoopbackPort();
        }
        return port;
    }

    /** {@code controller.quorum.voters}: {@code 1@127.0.0.1:port,2@127.0.0.1:port,...}, the same on every node. */
    public String voters() {
        return nodes.stream().map(n -> n.id() + "@127.0.0.1:" + n.controllerPort()).collect(Collectors.joining(","));
    }

    /** Every node's client listener, for clients that should survive any one node. */
    public String bootstrapServers() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.clientPort()).collect(Collectors.joining(","));
    }
}
