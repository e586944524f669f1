package io.herald.metadata.quorum.raft;

import io.herald.metadata.quorum.MetadataQuorum;
import io.herald.metadata.quorum.QuorumStateMachine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MetadataQuorum} member on Apache Ratis (gRPC transport): a Ratis server for this node's voter entry,
 * listening on that voter's address, and a Ratis client through which this member's appends and leader requests
 * reach the leader.
 *
 * <p>Storage: the Ratis storage directory given at construction; the group lives in a subdirectory named by
 * {@link QuorumGroup#GROUP_ID}. It is formatted when that subdirectory does not exist and recovered (log,
 * term, vote, snapshots) when it does.
 *
 * <p>Only voters can be members: a node that is not in {@code controller.quorum.voters} (a broker-only node)
 * follows the log as an {@link ObserverMetadataQuorum} instead and is rejected here.
 *
 * <p>Lifecycle: constructed, {@link #start} once, {@link #close} once (idempotent); close releases the port and
 * the storage lock, so a new instance may start on the same directory and port in the same JVM.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class RaftMetadataQuorum extends LeaderChannelQuorum {
    private static final Logger log = LoggerFactory.getLogger(RaftMetadataQuorum.class);

    private enum State { NEW, STARTED, CLOSED }

    /** {@link #reconnect} resets a peer's connection at most this often. */
    static final long RECONNECT_MIN_INTERVAL_MS = 1_000;

    private final int nodeId;
    private final QuorumGroup group;
    private final Path storageDir;
    private final RaftQuorumSettings settings;

    private State state = State.NEW; // guarded by this
    private volatile RaftServer server;
    private volatile RaftServer.Division division;
    private volatile LeaderChannel client;
    private volatile RatisStateMachine stateMachine;
    /** When {@link #reconnect} last reset the connection to each peer ({@link System#nanoTime}). */
    private final ConcurrentHashMap<Integer, Long> lastReconnect = new ConcurrentHashMap<>();

    /**
     * @param nodeId     this node's {@code node.id}; must be one of {@code voters}
     * @param voters     {@code controller.quorum.voters}: node id to the address of its Raft server
     * @param storageDir the Ratis storage directory ({@code <log dir>/herald-metadata/raft})
     * @param settings   timeouts and snapshot policy, usually {@link RaftQuorumSettings#DEFAULTS}
     * @throws IllegalArgumentException if this node is not a voter
     */
    public RaftMetadataQuorum(int nodeId, Map<Integer, InetSocketAddress> voters, Path storageDir,
                              RaftQuorumSettings settings) {
        this.group = new QuorumGroup(Objects.requireNonNull(voters, "voters"));
        if (!group.isVoter(nodeId)) {
            throw new IllegalArgumentException("node " + nodeId + " is not in controller.quorum.voters " + group
                    + " (a node outside the voters follows the log as an ObserverMetadataQuorum)");
        }
        this.nodeId = nodeId;
        this.storageDir = Objects.requireNonNull(storageDir, "storageDir");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public synchronized void start(QuorumStateMachine machine) throws IOException {
        Objects.requireNonNull(machine, "machine");
        if (state != State.NEW) {
            throw new IllegalStateException("metadata quorum node " + nodeId + " is " + state
                    + " (expected: NEW; start may be called once)");
        }
        state = State.STARTED;
        Files.createDirectories(storageDir);
        Path groupDir = storageDir.resolve(QuorumGroup.GROUP_ID.getUuid().toString());
        RaftStorage.StartupOption option = Files.isDirectory(groupDir)
                ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT;
        InetSocketAddress listen = group.address(nodeId);
        log.info("Metadata quorum node {} starting: voters {}, listening on {}, storage {} ({})", nodeId, group,
                QuorumGroup.hostPort(listen), storageDir, option);
        try {
            stateMachine = new RatisStateMachine(nodeId, machine, settings.requestTimeout().toMillis() / 2, leader -> {
                LeaderChannel c = client;
                if (c != null) {
                    c.leaderChanged(leader);
                }
            });
            server = RaftServer.newBuilder()
                    .setServerId(QuorumGroup.peerId(nodeId))
                    .setGroup(group.raftGroup())
                    .setStateMachine(stateMachine)
                    .setProperties(RatisProperties.server(settings, listen, storageDir, group.size() == 1))
                    .setParameters(RatisProperties.parameters(settings, true))
                    .setOption(option)
                    .build();
            server.start();
            division = server.getDivision(QuorumGroup.GROUP_ID);
            client = new LeaderChannel(nodeId, group, nodeId, settings);
        } catch (IOException | RuntimeException e) {
            log.error("Metadata quorum node {} failed to start", nodeId, e);
            closeQuietly();
            throw e;
        }
        log.info("Metadata quorum node {} started", nodeId);
        appendStartupEntry();
    }

    /**
     * Resets the Ratis server's connection to {@code peer}. gRPC backs a failed channel off exponentially (1 s,
     * growing 1.6 times per failed attempt, up to 2 min), so after an outage of a few seconds the leader's
     * appends would reach a member that is back only seconds later, and that member would serve its old metadata
     * image meanwhile. A fresh channel connects at once. The reset closes the old channel, which may block, so it
     * runs on its own short-lived thread, at most one per peer and {@link #RECONNECT_MIN_INTERVAL_MS}.
     */
    @Override
    public void reconnect(int peer) {
        RaftServer s = server;
        RaftServer.Division d = division;
        if (s == null || d == null || peer == nodeId || !group.isVoter(peer) || !d.getInfo().isLeader()) {
            return;
        }
        long now = System.nanoTime();
        boolean[] due = new boolean[1];
        lastReconnect.compute(peer, (id, last) -> {
            due[0] = last == null || now - last >= TimeUnit.MILLISECONDS.toNanos(RECONNECT_MIN_INTERVAL_MS);
            return due[0] ? now : last;
        });
        if (!due[0]) {
            return;
        }
        Thread.ofVirtual().name("herald-quorum-reconnect-" + peer).start(() -> {
            log.info("Metadata quorum node {}: node {} is reachable again; resetting the connection to it", nodeId,
                    peer);
            try {
                // Swaps in a fresh proxy at once, then closes the old channel (graceful, up to seconds) here.
                s.getServerRpc().handleException(QuorumGroup.peerId(peer),
                        new IOException("node " + peer + " is reachable again"), true);
            } catch (RuntimeException e) {
                log.debug("Metadata quorum node {}: reconnecting to node {} failed", nodeId, peer, e);
            }
        });
    }

    /**
     * Every start appends one entry that the state machine never sees ({@link LogEntryCodec#NUDGE}). It makes the
     * leader send this member real entries, which a member restarted on a wiped directory needs to be caught up
     * at all (see there), and it opens this member's client connection while the election is still running, so
     * the caller's first append does not pay for that. Costs one small log entry per start.
     */
    private void appendStartupEntry() {
        client.append(LogEntryCodec.nudge(), "start-up entry").whenComplete((reply, error) -> {
            if (error != null && client != null) { // not closed meanwhile
                log.warn("Metadata quorum node {}: could not append its start-up entry; if its storage was wiped, "
                        + "it catches up on the next append", nodeId, QuorumClient.unwrap(error).toString());
            }
        });
    }

    @Override
    LeaderChannel channel() {
        return client;
    }

    @Override
    public OptionalInt leaderId() {
        RaftServer.Division d = division;
        if (d == null || !d.getInfo().isAlive()) {
            return OptionalInt.empty();
        }
        return QuorumGroup.nodeId(d.getInfo().getLeaderId());
    }

    @Override
    public int nodeId() {
        return nodeId;
    }

    @Override
    public synchronized void close() throws IOException {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        log.info("Metadata quorum node {} closing", nodeId);
        IOException failure = closeQuietly();
        if (failure != null) {
            throw failure;
        }
        log.info("Metadata quorum node {} closed", nodeId);
    }

    /** Closes client then server (which stops the apply thread, the log and the RPC port, and unlocks storage). */
    private IOException closeQuietly() {
        LeaderChannel c = client;
        client = null;
        if (c != null) {
            c.close();
        }
        division = null;
        RaftServer s = server;
        server = null;
        IOException failure = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        RatisStateMachine sm = stateMachine;
        if (sm != null) {
            sm.closing();
        }
        return failure;
    }

    @Override
    public String toString() {
        return "RaftMetadataQuorum[node " + nodeId + ", voters " + group + "]";
    }
}
