package io.herald.metadata.quorum.raft;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis client of one member, replaced after a failure.
 *
 * <p>Why: Ratis' ordered async client sends its requests through one sliding window, and the first request that
 * fails for good (retries exhausted, say) closes that window: every later request on the same client fails at
 * once with {@code AlreadyClosedException}. So after any request failure other than the state machine's own
 * ({@link StateMachineException}, a normal reply for the window) the client is swapped for a fresh one. The old
 * one is closed only after {@code retireAfter}, long enough for its other requests, still being retried, to end
 * by themselves.
 *
 * <p>Leader changes: a request sent to a leader that stopped answering without closing its connections (a
 * paused process, a partition) waits out the request timeout before the client tries another member, and the
 * ordered client holds later requests behind it. When the local member learns of a new leader
 * ({@link #leaderChanged}), new requests go to a fresh client pointed at it; those in flight on the old one finish
 * there. Order across that switch is not kept, which the controller's commands tolerate (they carry epochs, or
 * are idempotent).
 *
 * <p>Thread-safety: thread-safe.
 */
final class QuorumClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QuorumClient.class);

    private final int nodeId;
    private final Function<RaftPeerId, RaftClient> factory;
    private final AtomicReference<RaftPeerId> knownLeader;
    private final Duration retireAfter;
    private final AtomicReference<RaftClient> current;
    private final Set<RaftClient> retired = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param factory     a new Ratis client that tries the given member first
     * @param firstLeader the member the first client tries first
     */
    QuorumClient(int nodeId, Function<RaftPeerId, RaftClient> factory, RaftPeerId firstLeader, Duration retireAfter) {
        this.nodeId = nodeId;
        this.factory = factory;
        this.retireAfter = retireAfter;
        this.knownLeader = new AtomicReference<>(firstLeader);
        this.current = new AtomicReference<>(factory.apply(firstLeader));
    }

    /** The local member learned that {@code leader} leads: send new requests there (see the class comment). */
    void leaderChanged(RaftPeerId leader) {
        if (leader == null || closed) {
            return;
        }
        knownLeader.set(leader);
        RaftClient client = current.get();
        if (leader.equals(client.getLeaderId())) {
            return;
        }
        RaftClient fresh = factory.apply(leader);
        if (current.compareAndSet(client, fresh)) {
            log.debug("Metadata quorum node {}: requests now go to leader {}", nodeId, leader);
            retire(client);
        } else {
            closeQuietly(fresh);
        }
    }

    /** Runs {@code request} on the current client; fails with {@link IllegalStateException} once closed. */
    CompletableFuture<RaftClientReply> send(Function<RaftClient, CompletableFuture<RaftClientReply>> request) {
        RaftClient client = current.get();
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("metadata quorum node " + nodeId
                    + " is closed"));
        }
        return request.apply(client).whenComplete((reply, error) -> {
            if (error != null && !(unwrap(error) instanceof StateMachineException)) {
                replace(client);
            }
        });
    }

    private void replace(RaftClient failed) {
        if (closed) {
            return;
        }
        RaftClient fresh = factory.apply(knownLeader.get());
        if (current.compareAndSet(failed, fresh)) {
            log.debug("Metadata quorum node {}: replaced its Ratis client after a failed request", nodeId);
            retire(failed);
        } else {
            closeQuietly(fresh); // another failure replaced it first
        }
        if (closed && current.compareAndSet(fresh, fresh)) {
            closeQuietly(fresh); // raced with close()
        }
    }

    /** Closes {@code old} once its requests, still being retried, have had time to end by themselves. */
    private void retire(RaftClient old) {
        retired.add(old);
        CompletableFuture.delayedExecutor(retireAfter.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (retired.remove(old)) {
                closeQuietly(old);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(current.get());
        for (RaftClient client : retired) {
            if (retired.remove(client)) {
                closeQuietly(client);
            }
        }
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private void closeQuietly(RaftClient client) {
        try {
            client.close();
        } catch (IOException | RuntimeException e) {
            log.debug("Metadata quorum node {}: closing a Ratis client failed", nodeId, e);
        }
    }
}
