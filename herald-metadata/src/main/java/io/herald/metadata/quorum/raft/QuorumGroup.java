package io.herald.metadata.quorum.raft;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * The Raft group of the metadata quorum: one fixed group id for every Herald cluster (a node only ever joins the
 * group of its own {@code controller.quorum.voters}), one peer per voter, peer id = the node id in decimal.
 *
 * <p>Immutable.
 */
final class QuorumGroup {
    /** Fixed so that every member, and every restart, names the same group (and the same storage directory). */
    static final RaftGroupId GROUP_ID =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("herald-metadata".getBytes(StandardCharsets.UTF_8)));

    private final Map<Integer, InetSocketAddress> voters;
    private final RaftGroup group;

    QuorumGroup(Map<Integer, InetSocketAddress> voters) {
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("controller.quorum.voters is empty (expected: at least one voter)");
        }
        this.voters = new TreeMap<>(voters);
        List<RaftPeer> peers = this.voters.entrySet().stream()
                .map(voter -> {
                    if (voter.getKey() < 0) {
                        throw new IllegalArgumentException("voter id: " + voter.getKey() + " (expected: >= 0)");
                    }
                    InetSocketAddress address = voter.getValue();
                    if (address == null || address.getPort() <= 0) {
                        throw new IllegalArgumentException("voter " + voter.getKey() + " address: " + address
                                + " (expected: host and a port > 0)");
                    }
                    return RaftPeer.newBuilder().setId(peerId(voter.getKey()))
                            .setAddress(hostPort(address)).build();
                })
                .toList();
        this.group = RaftGroup.valueOf(GROUP_ID, peers);
    }

    RaftGroup raftGroup() {
        return group;
    }

    boolean isVoter(int nodeId) {
        return voters.containsKey(nodeId);
    }

    /** The voters' node ids, ascending. */
    List<Integer> voterIds() {
        return List.copyOf(voters.keySet());
    }

    int size() {
        return voters.size();
    }

    InetSocketAddress address(int nodeId) {
        InetSocketAddress address = voters.get(nodeId);
        if (address == null) {
            throw new IllegalArgumentException("node " + nodeId + " is not a voter");
        }
        return address;
    }

    /** {@code host:port} without a name lookup ({@code [v6]:port} for an IPv6 literal). */
    static String hostPort(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf(Integer.toString(nodeId));
    }

    /** The node id of a peer of this group; empty for {@code null} (no leader known). */
    static OptionalInt nodeId(RaftPeerId peerId) {
        if (peerId == null) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Integer.parseInt(peerId.toString()));
    }

    /** {@code {1=host:port, 2=host:port}}, without a name lookup. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        voters.forEach((id, address) -> text.append(text.length() > 1 ? ", " : "").append(id).append('=')
                .append(hostPort(address)));
        return text.append('}').toString();
    }
}
