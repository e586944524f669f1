package io.herald.metadata.image;

import java.util.List;

/**
 * One partition's assignment and leadership, as the metadata log says now. Immutable. Leader -1 means no
 * leader.
 *
 * <p>During a reassignment {@code replicas} = target ∪ original (target first), {@code addingReplicas} =
 * target − original and {@code removingReplicas} = original − target; both are empty otherwise.
 */
public record PartitionImage(int partition, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                             int partitionEpoch, List<Integer> addingReplicas, List<Integer> removingReplicas) {
    public static final int NO_LEADER = -1;

    public PartitionImage {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        addingReplicas = List.copyOf(addingReplicas);
        removingReplicas = List.copyOf(removingReplicas);
    }

    /** A partition without a reassignment in progress. */
    public PartitionImage(int partition, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                          int partitionEpoch) {
        this(partition, replicas, isr, leader, leaderEpoch, partitionEpoch, List.of(), List.of());
    }

    public boolean isReassigning() {
        return !addingReplicas.isEmpty() || !removingReplicas.isEmpty();
    }

    /** The replicas the partition had before the reassignment in progress (or its replicas). */
    public List<Integer> originalReplicas() {
        return replicas.stream().filter(r -> !addingReplicas.contains(r)).toList();
    }

    /** The replicas the partition will have once the reassignment in progress completes (or its replicas). */
    public List<Integer> targetReplicas() {
        return replicas.stream().filter(r -> !removingReplicas.contains(r)).toList();
    }

    /** The preferred leader: the first replica of the (target) assignment. */
    public int preferredLeader() {
        return targetReplicas().get(0);
    }
}
