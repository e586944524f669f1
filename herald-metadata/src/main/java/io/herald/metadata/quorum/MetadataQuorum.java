package io.herald.metadata.quorum;

import java.io.IOException;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * The replicated metadata log: an ordered log of opaque entries, applied in the same order by a deterministic
 * {@link QuorumStateMachine} on every member. On a cluster it is a Raft group (Apache Ratis) of the
 * controllers; a single node is a group of one. Everything above this interface (controller logic, images,
 * brokers) is the same code for one node and for many.
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
public interface MetadataQuorum extends AutoCloseable {

    /**
     * Joins the quorum. From now on {@code machine} receives the snapshot to start from (if any), then every
     * committed entry in log order, on one apply thread.
     */
    void start(QuorumStateMachine machine) throws IOException;

    /**
     * Appends an entry through the current leader (forwarded there from any member). Completes with the
     * leader's {@link QuorumStateMachine#apply} reply once the entry is committed and applied there;
     * fails with {@link NoLeaderException} when no leader answers in time.
     */
    CompletableFuture<byte[]> append(byte[] entry);

    /**
     * Sends a request to the leader's {@link QuorumStateMachine#onLeaderRequest}, without writing the log
     * (broker heartbeats, validate-only checks).
     */
    CompletableFuture<byte[]> askLeader(byte[] request);

    /**
     * The quorum as the leader sees it (asked of the leader from any member); fails with
     * {@link NoLeaderException} when no leader answers in time.
     */
    CompletableFuture<QuorumDescription> describe();

    /** The node id of the current leader, if one is known to this member. */
    OptionalInt leaderId();

    /** This member's node id. */
    int nodeId();

    /**
     * A hint that member {@code nodeId} is reachable again (it heartbeats or registered after being fenced): a
     * leader drops its backed-off connection to that member, so that its next append reaches it at once rather
     * than after a reconnect backoff that grows with the length of the outage. Returns at once; does nothing
     * where there is no such connection (a group of one, an observer, an unknown id).
     */
    default void reconnect(int nodeId) {
    }

    @Override
    void close() throws IOException;

    /** No leader was reachable within the client's timeout; retriable. */
    final class NoLeaderException extends RuntimeException {
        public NoLeaderException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
