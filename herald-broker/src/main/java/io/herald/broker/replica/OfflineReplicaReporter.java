package io.herald.broker.replica;

import io.herald.metadata.image.ReplicaKey;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the controller's view of this broker's offline replicas equal to the broker's: each change of the set is
 * sent at once (not with the next heartbeat), one report in flight at a time, the latest set winning; a failed
 * report is retried after {@link #RETRY_MS} until one is acknowledged. The set is complete in every report, so a
 * resend is harmless.
 *
 * <p>Invariant: {@code acknowledged} is the last set the controller applied; nothing is sent while it equals
 * {@code wanted}.
 *
 * <p>Thread-safety: thread-safe; all state under this object's monitor, and the channel is never waited on.
 */
public final class OfflineReplicaReporter {
    private static final Logger log = LoggerFactory.getLogger(OfflineReplicaReporter.class);
    static final long RETRY_MS = 500;

    private final int brokerId;
    private final OfflineReplicasChannel channel;
    private final Executor retryLater = CompletableFuture.delayedExecutor(RETRY_MS, TimeUnit.MILLISECONDS);
    private Set<ReplicaKey> wanted = Set.of();
    private Set<ReplicaKey> acknowledged = Set.of();
    private boolean inFlight;
    private boolean failing;

    public OfflineReplicaReporter(int brokerId, OfflineReplicasChannel channel) {
        this.brokerId = brokerId;
        this.channel = channel;
    }

    /** The broker's offline replicas are now {@code offline}; the controller hears of it as soon as it can. */
    public synchronized void report(Set<ReplicaKey> offline) {
        wanted = Set.copyOf(offline);
        maybeSend();
    }

    private synchronized void maybeSend() {
        if (inFlight || wanted.equals(acknowledged)) {
            return;
        }
        inFlight = true;
        Set<ReplicaKey> sending = wanted;
        channel.reportOfflineReplicas(brokerId, sending).whenComplete((ok, error) -> onDone(sending, error));
    }

    private synchronized void onDone(Set<ReplicaKey> sent, Throwable error) {
        inFlight = false;
        if (error == null) {
            acknowledged = sent;
            failing = false;
            log.info("Controller knows broker {}'s offline replicas: {}", brokerId,
                    sent.isEmpty() ? "none" : sent.size() + " replicas");
            maybeSend();
            return;
        }
        if (!failing) {
            // Once per streak: with the quorum unreachable every retry fails the same way.
            log.warn("Reporting broker {}'s offline replicas failed, retrying every {} ms: {}", brokerId, RETRY_MS,
                    error.toString());
            failing = true;
        }
        retryLater.execute(this::maybeSend);
    }
}
