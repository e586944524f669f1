package io.herald.metadata.quorum.raft;

import io.herald.metadata.quorum.QuorumStateMachine;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Ratis' leader events into a strictly alternating {@code onLeaderChange(true)}, {@code (false)}, ... for
 * the state machine.
 *
 * <p>Ordering hazard it guards against: Ratis sends "leader ready" from the apply thread and "not leader" from
 * whichever thread stepped the member down. Ratis switches the role to follower before it sends "not leader", so
 * a "ready" that arrives late (after the step-down) finds {@code isLeaderNow} false and is dropped, and a
 * "not leader" without a matching "ready" is dropped too.
 *
 * <p>Thread-safety: thread-safe; the state machine's callback runs under this object's lock, so it must not
 * block (as {@link QuorumStateMachine#onLeaderChange} requires anyway).
 */
final class LeadershipEvents {
    private static final Logger log = LoggerFactory.getLogger(LeadershipEvents.class);

    private final int nodeId;
    private final QuorumStateMachine machine;
    private volatile BooleanSupplier isLeaderNow = () -> false;
    private volatile LongSupplier currentTerm = () -> 0;
    private boolean leader;
    private long term;

    LeadershipEvents(int nodeId, QuorumStateMachine machine) {
        this.nodeId = nodeId;
        this.machine = machine;
    }

    /** Where to check that this member still holds the leader role, and its current Raft term. */
    void attach(BooleanSupplier isLeaderNow, LongSupplier currentTerm) {
        this.isLeaderNow = Objects.requireNonNull(isLeaderNow);
        this.currentTerm = Objects.requireNonNull(currentTerm);
    }

    synchronized void leaderReady() {
        if (!leader && isLeaderNow.getAsBoolean()) {
            leader = true;
            term = currentTerm.getAsLong();
            log.info("Metadata quorum node {}: became the leader (term {})", nodeId, term);
            machine.onLeaderChange(true, term);
        }
    }

    synchronized void notLeader() {
        if (leader) {
            leader = false;
            log.info("Metadata quorum node {}: is no longer the leader", nodeId);
            machine.onLeaderChange(false, term);
        }
    }
}
