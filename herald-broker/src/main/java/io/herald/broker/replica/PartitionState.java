package io.herald.broker.replica;

import io.herald.metadata.image.PartitionImage;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The leader/ISR state of a partition as this broker last applied it: who leads in which leader epoch, the
 * partition epoch, the replicas, the ISR the controller committed, and (leader only) the ISR change sent to the
 * controller and not answered yet.
 *
 * <p>Immutable. The owning {@link IsrManager} replaces it as a whole under the partition's write lock; anyone
 * may read the current one lock-free.
 */
record PartitionState(int leaderId, int leaderEpoch, int partitionEpoch, List<Integer> replicas,
                      List<Integer> isr, Optional<PendingIsr> pending) {

    /** Before the first metadata image: no leader, no epoch. */
    static final PartitionState UNKNOWN = new PartitionState(-1, -1, -1, List.of(), List.of(), Optional.empty());

    /** An ISR change sent to the controller and not answered yet, with the epochs it was proposed under. */
    record PendingIsr(List<Integer> proposedIsr, int leaderEpoch, int partitionEpoch) {}

    /** The state an image describes, led by {@code leaderId}, with nothing pending. */
    static PartitionState of(PartitionImage image, int leaderId) {
        return new PartitionState(leaderId, image.leaderEpoch(), image.partitionEpoch(), image.replicas(),
                image.isr(), Optional.empty());
    }

    /**
     * The ISR the HW is computed over (Kafka's "maximal" ISR): the committed ISR plus a replica being added,
     * still including a replica being removed, so a change counts for the HW only in its safe direction.
     */
    List<Integer> maximalIsr() {
        if (pending.isEmpty()) {
            return isr;
        }
        Set<Integer> all = new LinkedHashSet<>(isr);
        all.addAll(pending.get().proposedIsr());
        return List.copyOf(all);
    }

    boolean isLedBy(int brokerId) {
        return leaderId == brokerId;
    }

    /** This state with {@code change} in flight to the controller. */
    PartitionState withPending(PendingIsr change) {
        return new PartitionState(leaderId, leaderEpoch, partitionEpoch, replicas, isr, Optional.of(change));
    }

    /** This state with no ISR change in flight. */
    PartitionState withoutPending() {
        return new PartitionState(leaderId, leaderEpoch, partitionEpoch, replicas, isr, Optional.empty());
    }

    /** This state led by nobody (the replica left this broker), with no ISR change in flight. */
    PartitionState withoutLeader() {
        return new PartitionState(-1, leaderEpoch, partitionEpoch, replicas, isr, Optional.empty());
    }

    /** {@code min.insync.replicas} capped at the replication factor, at least 1 (Kafka's effective min ISR). */
    int effectiveMinIsr(int minInsyncReplicas) {
        return Math.max(1, Math.min(minInsyncReplicas, Math.max(1, replicas.size())));
    }
}
