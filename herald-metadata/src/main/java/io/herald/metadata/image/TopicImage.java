package io.herald.metadata.image;

import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/** A topic: its id, its partitions by index and its config overrides (defaults are not stored). Immutable. */
public record TopicImage(String name, Uuid topicId, SortedMap<Integer, PartitionImage> partitions,
                         Map<String, String> configs) {
    public TopicImage {
        partitions = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(partitions));
        configs = Map.copyOf(configs);
    }

    public Optional<PartitionImage> partition(int index) {
        return Optional.ofNullable(partitions.get(index));
    }

    public int partitionCount() {
        return partitions.size();
    }
}
