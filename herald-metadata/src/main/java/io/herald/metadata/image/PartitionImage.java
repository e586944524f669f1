package io.herald.metadata.image;

import java.util.List;

/** One partition's assignment and leadership, as the metadata log says now. Immutable. */
public record PartitionImage(int partition, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                             int partitionEpoch) {
    public PartitionImage {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }
}
