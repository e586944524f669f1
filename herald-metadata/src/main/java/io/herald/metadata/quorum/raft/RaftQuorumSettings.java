package io.herald.metadata.quorum.raft;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link RaftMetadataQuorum} (and an {@link ObserverMetadataQuorum}) runs: timing, snapshots, and the
 * transport's security. {@link #DEFAULTS} suits a cluster of controllers on one network
 * where fast failover matters more than tolerance of long pauses.
 *
 * @param electionTimeoutMin  a follower that hears nothing from a leader for a random time between min and
 *                            max starts an election; the leader heartbeats every {@code min / 2}. Default 1 s
 *                            (as Kafka's {@code controller.quorum.election.timeout.ms=1000}), so a dead
 *                            leader is replaced in about 1-2 s plus one election round.
 * @param electionTimeoutMax  upper bound of that random time; default 2 s.
 * @param requestTimeout      one attempt of a client request or of a server-to-server RPC; default 3 s. An
 *                            attempt that times out is retried (same call id, so it is applied at most once).
 * @param noLeaderTimeout     how long {@link RaftMetadataQuorum#append} and {@link RaftMetadataQuorum#askLeader}
 *                            keep retrying (leader unknown, leader changing, member unreachable) before
 *                            failing with {@code NoLeaderException}; default 30 s.
 * @param snapshotThreshold   a member snapshots its state machine after this many log entries past its last
 *                            snapshot, then purges the log up to it; default 10,000 entries.
 * @param logSegmentBytes     size of one Raft log segment file; only whole closed segments are purged.
 *                            Default 8 MiB.
 * @param tls                 TLS on the quorum's transport; empty (the default): plaintext
 */
public record RaftQuorumSettings(Duration electionTimeoutMin, Duration electionTimeoutMax,
                                 Duration requestTimeout, Duration noLeaderTimeout, long snapshotThreshold,
                                 long logSegmentBytes, Optional<QuorumTls> tls) {

    public static final RaftQuorumSettings DEFAULTS = new RaftQuorumSettings(Duration.ofMillis(1000),
            Duration.ofMillis(2000), Duration.ofSeconds(3), Duration.ofSeconds(30), 10_000, 8L << 20,
            Optional.empty());

    public RaftQuorumSettings {
        requirePositive(electionTimeoutMin, "electionTimeoutMin");
        requirePositive(electionTimeoutMax, "electionTimeoutMax");
        requirePositive(requestTimeout, "requestTimeout");
        requirePositive(noLeaderTimeout, "noLeaderTimeout");
        if (electionTimeoutMax.compareTo(electionTimeoutMin) < 0) {
            throw new IllegalArgumentException("electionTimeoutMax: " + electionTimeoutMax
                    + " (expected: >= electionTimeoutMin " + electionTimeoutMin + ")");
        }
        if (snapshotThreshold < 1) {
            throw new IllegalArgumentException("snapshotThreshold: " + snapshotThreshold + " (expected: >= 1)");
        }
        Objects.requireNonNull(tls, "tls");
        if (logSegmentBytes < 1024) {
            throw new IllegalArgumentException("logSegmentBytes: " + logSegmentBytes + " (expected: >= 1024)");
        }
    }

    /** These settings with other election timeouts. */
    public RaftQuorumSettings withElectionTimeout(Duration min, Duration max) {
        return new RaftQuorumSettings(min, max, requestTimeout, noLeaderTimeout, snapshotThreshold, logSegmentBytes,
                tls);
    }

    /** These settings with another {@link #noLeaderTimeout}. */
    public RaftQuorumSettings withNoLeaderTimeout(Duration timeout) {
        return new RaftQuorumSettings(electionTimeoutMin, electionTimeoutMax, requestTimeout, timeout,
                snapshotThreshold, logSegmentBytes, tls);
    }

    /** These settings with another snapshot threshold and log segment size. */
    public RaftQuorumSettings withSnapshots(long threshold, long segmentBytes) {
        return new RaftQuorumSettings(electionTimeoutMin, electionTimeoutMax, requestTimeout, noLeaderTimeout,
                threshold, segmentBytes, tls);
    }

    /** These settings with TLS on the transport. */
    public RaftQuorumSettings withTls(QuorumTls transport) {
        return new RaftQuorumSettings(electionTimeoutMin, electionTimeoutMax, requestTimeout, noLeaderTimeout,
                snapshotThreshold, logSegmentBytes, Optional.of(transport));
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + ": " + duration + " (expected: > 0)");
        }
    }
}
