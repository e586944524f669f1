package io.herald.metadata.controller;

import io.herald.metadata.controller.ControllerCommand.ElectLeaders;
import io.herald.metadata.controller.ControllerCommand.FenceBroker;
import io.herald.metadata.controller.ControllerCommand.TermFenced;
import io.herald.metadata.controller.ControllerCommand.UnfenceBroker;
import io.herald.metadata.controller.LeaderRequest.Heartbeat;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.common.time.Time;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What only the quorum leader's controller does, on its own clock: answers broker heartbeats, fences brokers
 * whose session expired, unfences fenced brokers that heartbeat again, and (with
 * {@code auto.leader.rebalance.enable}) periodically elects preferred leaders. Its decisions become commands
 * in the log, so the followers apply the same changes; its memory (the {@link LivenessTracker}) is not
 * replicated and starts afresh on every leadership. Every decision is {@link TermFenced} with the term it was
 * made in: a controller paused or cut off past its leadership cannot fence brokers (or move leaders) that the
 * current leader sees alive.
 *
 * <p>Thread-safety: called from quorum threads (heartbeats, leader changes) and the scheduler ({@link #poll});
 * all methods are synchronized and never wait for the log (appends complete asynchronously).
 */
public final class LeaderDuties {
    private static final Logger log = LoggerFactory.getLogger(LeaderDuties.class);

    private final ControllerSettings settings;
    private final Time clock;
    private final Supplier<ClusterImage> image;
    private final CommandSink sink;
    private final IntConsumer reachable;
    private final LivenessTracker liveness;
    private final java.util.Set<UnfenceBroker> pendingUnfences = new java.util.HashSet<>();
    /**
     * How much longer than a session a leader that took over from another one (term > 1) waits before its
     * first fencing: heartbeats in flight to the previous leader, if it stopped answering without closing its
     * connections (paused, cut off), reach this one only after the quorum client's request timeout (3 s).
     * Without it a new controller fences every broker at once when the session is that short.
     */
    static final long TAKEOVER_GRACE_MS = 3_000;
    private boolean leader;
    /** The Raft term this node leads (or last led); its decisions are {@link TermFenced} with it. */
    private long term;
    private long nextRebalanceMs;
    private long lastPollNanos = System.nanoTime();

    LeaderDuties(ControllerSettings settings, Time clock, Supplier<ClusterImage> image, CommandSink sink) {
        this(settings, clock, image, sink, nodeId -> { });
    }

    /**
     * @param reachable told (on the caller's thread, must not block) when a fenced broker heartbeats again or a
     *                  broker registers again: the quorum's {@code reconnect} hint, so that a controller-and-broker node
     *                  back from an outage gets the metadata log at once
     */
    LeaderDuties(ControllerSettings settings, Time clock, Supplier<ClusterImage> image, CommandSink sink,
                 IntConsumer reachable) {
        this.settings = settings;
        this.clock = clock;
        this.image = image;
        this.sink = sink;
        this.reachable = reachable;
        this.liveness = new LivenessTracker(settings.brokerSessionTimeoutMs());
    }

    synchronized void leaderChanged(boolean isLeader, long leaderTerm) {
        leader = isLeader;
        if (isLeader) {
            term = leaderTerm;
            long now = clock.milliseconds();
            liveness.reset(image.get(), leaderTerm > 1 ? now + TAKEOVER_GRACE_MS : now);
            lastPollNanos = System.nanoTime();
            nextRebalanceMs = now + settings.leaderImbalanceCheckIntervalMs();
            log.info("Controller {} is the active controller (term {})", settings.nodeId(), leaderTerm);
        }
    }

    public synchronized boolean isLeader() {
        return leader;
    }

    /** The term this node leads, or last led. */
    synchronized long term() {
        return term;
    }

    /**
     * Called after every applied entry: a new registration counts as a heartbeat, so a broker's session
     * starts when it registers, not when this leader first happens to look.
     */
    synchronized void onApplied(ClusterImage previous, ClusterImage current) {
        if (!leader || previous.brokers() == current.brokers()) {
            return;
        }
        long now = clock.milliseconds();
        for (BrokerImage b : current.brokers().values()) {
            BrokerImage before = previous.brokers().get(b.brokerId());
            if (before == null || before.brokerEpoch() != b.brokerEpoch()) {
                liveness.touch(b.brokerId(), b.brokerEpoch(), now);
                if (before != null) { // registered again: back from a restart, its connections backed off
                    reachable.accept(b.brokerId());
                }
            }
        }
    }

    /** Answers a heartbeat: error for an unknown broker or a stale incarnation; unfences a fenced broker. */
    synchronized CompletableFuture<byte[]> onHeartbeat(Heartbeat heartbeat) {
        BrokerImage broker = image.get().brokers().get(heartbeat.brokerId());
        if (broker == null) {
            return reply(Errors.BROKER_ID_NOT_REGISTERED, "Broker " + heartbeat.brokerId() + " is not registered.");
        }
        if (!broker.incarnationId().equals(heartbeat.incarnationId())) {
            return reply(Errors.STALE_BROKER_EPOCH, "Broker " + heartbeat.brokerId()
                    + " registered again with another incarnation.");
        }
        liveness.touch(broker.brokerId(), broker.brokerEpoch(), clock.milliseconds());
        if (broker.fenced()) {
            // Answered without waiting for the unfence to commit: the heartbeat may have come through this
            // node's own quorum client, which sends in order, so waiting here would hold up the very append it
            // waits for until the request times out. The next heartbeat sees the result. Heartbeats queued while
            // there was no leader arrive in a burst: one unfence per broker epoch.
            UnfenceBroker unfence = new UnfenceBroker(broker.brokerId(), broker.brokerEpoch());
            if (pendingUnfences.add(unfence)) {
                log.info("Unfencing broker {}: it heartbeats again", broker.brokerId());
                reachable.accept(broker.brokerId());
                sink.append(new TermFenced(term, unfence)).whenComplete((reply, error) -> {
                    forgetUnfence(unfence);
                    if (error != null) {
                        log.warn("Unfencing broker {} failed: {}", unfence.brokerId(), error.toString());
                    }
                });
            }
        }
        return CompletableFuture.completedFuture(ControllerReply.success(-1, new byte[0]).encode());
    }

    private synchronized void forgetUnfence(UnfenceBroker unfence) {
        pendingUnfences.remove(unfence);
    }

    /** Fences expired brokers and runs a due preferred-leader election; nothing unless leader. */
    public synchronized void poll() {
        if (!leader) {
            return;
        }
        long now = clock.milliseconds();
        // Measured on the monotonic clock of this process: a pause is a fact about the process, not about the
        // (injectable) controller clock.
        long nanos = System.nanoTime();
        long sinceLastPoll = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(nanos - lastPollNanos);
        lastPollNanos = nanos;
        if (sinceLastPoll > settings.brokerSessionTimeoutMs() / 2) {
            // This process itself was paused (SIGSTOP, a long GC, a suspended VM) or starved: the silence it
            // sees is its own, and it may not even lead any more. Start the sessions afresh rather than fence
            // brokers that kept heartbeating to whoever led meanwhile.
            log.info("Controller {} was paused for {} ms: restarting broker sessions", settings.nodeId(),
                    sinceLastPoll);
            liveness.reset(image.get(), now);
            return;
        }
        ClusterImage current = image.get();
        for (BrokerImage expired : liveness.expire(current, now)) {
            log.info("Fencing broker {}: no heartbeat for {} ms (broker.session.timeout.ms)", expired.brokerId(),
                    settings.brokerSessionTimeoutMs());
            submit(new FenceBroker(expired.brokerId(), expired.brokerEpoch()));
        }
        if (settings.autoLeaderRebalanceEnable() && now >= nextRebalanceMs) {
            nextRebalanceMs = now + settings.leaderImbalanceCheckIntervalMs();
            if (PartitionControl.imbalanced(current)) {
                log.info("Electing preferred leaders (auto.leader.rebalance.enable)");
                submit(new ElectLeaders(false, Optional.empty()));
            }
        }
    }

    /** Appends a decision of this leadership: applied only if it reaches the log while this term lasts. */
    private void submit(ControllerCommand command) {
        sink.append(new TermFenced(term, command)).whenComplete((reply, error) -> {
            if (error != null) {
                log.warn("Controller command {} failed: {}", command, error.toString());
            }
        });
    }

    private static CompletableFuture<byte[]> reply(Errors error, String message) {
        return CompletableFuture.completedFuture(ControllerReply.failure(-1, error, message).encode());
    }
}
