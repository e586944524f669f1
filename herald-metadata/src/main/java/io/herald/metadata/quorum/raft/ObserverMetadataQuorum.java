package io.herald.metadata.quorum.raft;

import io.herald.metadata.quorum.MetadataQuorum;
import io.herald.metadata.quorum.QuorumStateMachine;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MetadataQuorum} member that follows the log without voting: a broker-only node
 * ({@code process.roles=broker}), Kafka's "observer". It runs no Raft server and opens no port; it is a client
 * of the voters in {@code controller.quorum.voters}:
 *
 * <ul>
 *   <li>{@link #append} and {@link #askLeader} go to the leader as a voter's do.</li>
 *   <li>One thread long-polls the leader with {@link LogFetch.Request}s and applies what comes back, in log
 *       order, to the machine: committed entries, or the leader's latest snapshot when the entries it needs
 *       were purged. Entries reach it about one network round trip after they are applied on the leader.</li>
 * </ul>
 *
 * <p>Nothing is stored locally: every start begins from the leader's snapshot and log. The machine never hears
 * {@code onLeaderChange(true)}.
 *
 * <p>Lifecycle: constructed, {@link #start} once, {@link #close} once (idempotent). {@link #start} returns when
 * the machine has caught up with the leader, or after {@link RaftQuorumSettings#noLeaderTimeout()} if no
 * leader answered (it keeps trying in the background).
 *
 * <p>Thread-safety: thread-safe. The machine is driven by the one follower thread.
 */
public final class ObserverMetadataQuorum extends LeaderChannelQuorum {
    private static final Logger log = LoggerFactory.getLogger(ObserverMetadataQuorum.class);
    /** A soft bound on the entry bytes of one fetch answer. */
    static final int FETCH_MAX_BYTES = 1 << 20;
    private static final long RETRY_BACKOFF_MS = 200;

    private final int nodeId;
    private final QuorumGroup group;
    private final RaftQuorumSettings settings;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile LeaderChannel channel;
    private volatile Thread follower;
    private volatile boolean closed;
    private volatile OptionalInt leaderId = OptionalInt.empty();

    /**
     * @param nodeId   this node's {@code node.id}; must not be one of {@code voters}
     * @param voters   {@code controller.quorum.voters}: node id to the address of its Raft server
     * @param settings timeouts, usually {@link RaftQuorumSettings#DEFAULTS}
     * @throws IllegalArgumentException if this node is a voter
     */
    public ObserverMetadataQuorum(int nodeId, Map<Integer, InetSocketAddress> voters, RaftQuorumSettings settings) {
        this.group = new QuorumGroup(Objects.requireNonNull(voters, "voters"));
        if (group.isVoter(nodeId)) {
            throw new IllegalArgumentException("node " + nodeId + " is one of controller.quorum.voters " + group
                    + ": a voter runs a RaftMetadataQuorum, not an observer");
        }
        this.nodeId = nodeId;
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public synchronized void start(QuorumStateMachine machine) {
        Objects.requireNonNull(machine, "machine");
        if (channel != null || closed) {
            throw new IllegalStateException("metadata observer " + nodeId + " was started already (start may be "
                    + "called once)");
        }
        int firstTry = group.voterIds().get(Math.floorMod(nodeId, group.size()));
        channel = new LeaderChannel(nodeId, group, firstTry, settings);
        log.info("Metadata observer node {} following voters {}", nodeId, group);
        follower = Thread.ofPlatform().daemon().name("herald-metadata-observer-" + nodeId)
                .start(() -> follow(machine));
        try {
            if (!caughtUp.await(settings.noLeaderTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Metadata observer node {}: no leader answered within {} ms; still trying", nodeId,
                        settings.noLeaderTimeout().toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The follower thread: fetch, apply, repeat until closed. */
    private void follow(QuorumStateMachine machine) {
        long next = 0;
        boolean failing = false;
        long waitMs = Math.max(1, settings.requestTimeout().toMillis() / 3);
        while (!closed) {
            LeaderChannel c = channel;
            try {
                byte[] bytes = c.query(QueryCodec.logFetch(new LogFetch.Request(nodeId, next,
                        FETCH_MAX_BYTES, (int) waitMs)), "log fetch").get();
                LogFetch.Answer answer = LogFetch.Answer.decode(ByteBuffer.wrap(bytes));
                leaderId = OptionalInt.of(answer.leaderId());
                c.leaderChanged(answer.leaderId()); // heartbeats and appends follow it at once
                next = apply(machine, answer, next);
                if (failing) {
                    log.info("Metadata observer node {} follows leader {} again", nodeId, answer.leaderId());
                    failing = false;
                }
            } catch (InterruptedException e) {
                return; // closing
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                leaderId = OptionalInt.empty();
                if (!failing) {
                    log.warn("Metadata observer node {}: fetching from the metadata quorum failed, retrying: {}",
                            nodeId, QuorumClient.unwrap(e).toString());
                    failing = true;
                }
                try {
                    Thread.sleep(RETRY_BACKOFF_MS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Applies one answer; returns the index to fetch from next. */
    private long apply(QuorumStateMachine machine, LogFetch.Answer answer, long next) {
        switch (answer) {
            case LogFetch.Snapshot snapshot -> {
                log.info("Metadata observer node {}: restoring leader {}'s snapshot (state machine index {}, {} "
                        + "bytes)", nodeId, snapshot.leaderId(), snapshot.machineIndex(), snapshot.bytes().length);
                machine.restore(snapshot.bytes(), snapshot.machineIndex());
            }
            case LogFetch.Entries entries -> {
                for (LogFetch.Entry entry : entries.entries()) {
                    if (entry.index() < next) {
                        continue; // a retried fetch answered twice; never apply an entry again
                    }
                    try {
                        machine.apply(entry.index(), entry.term(), entry.bytes());
                    } catch (RuntimeException e) {
                        // Deterministic: the voters failed on the same entry alike and went on; so does this node.
                        log.error("Metadata observer node {}: state machine failed to apply entry {}", nodeId,
                                entry.index(), e);
                    }
                }
                if (entries.caughtUp()) {
                    caughtUp.countDown();
                }
            }
        }
        return Math.max(next, answer.nextIndex());
    }

    @Override
    LeaderChannel channel() {
        return closed ? null : channel;
    }

    /** The leader that answered the last fetch; empty while fetches fail. */
    @Override
    public OptionalInt leaderId() {
        return leaderId;
    }

    @Override
    public int nodeId() {
        return nodeId;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("Metadata observer node {} closing", nodeId);
        Thread t = follower;
        if (t != null) {
            t.interrupt();
        }
        LeaderChannel c = channel;
        if (c != null) {
            c.close();
        }
        if (t != null) {
            try {
                t.join(settings.requestTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        leaderId = OptionalInt.empty();
    }

    @Override
    public String toString() {
        return "ObserverMetadataQuorum[node " + nodeId + ", voters " + group + "]";
    }
}
