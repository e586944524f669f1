package io.herald.group.offsets;

import io.herald.group.record.GroupRecord;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.HashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Committed offsets by group and partition: the replayed image of the offset commit records. Changes happen
 * only through {@link #replay}, so live commits and loading at startup go through the same code.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
public final class OffsetStore {
    private static final java.util.Comparator<TopicPartition> ORDER =
            java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final Map<String, Map<TopicPartition, OffsetAndMetadata>> offsets = new HashMap<>();

    public void replay(GroupRecord.OffsetCommit record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        if (record.value().isPresent()) {
            offsets.computeIfAbsent(record.groupId(), g -> new TreeMap<>(ORDER)).put(tp, record.value().get());
        } else {
            Map<TopicPartition, OffsetAndMetadata> group = offsets.get(record.groupId());
            if (group != null) {
                group.remove(tp);
                if (group.isEmpty()) {
                    offsets.remove(record.groupId());
                }
            }
        }
    }

    public Optional<OffsetAndMetadata> offset(String groupId, TopicPartition tp) {
        return Optional.ofNullable(offsets.getOrDefault(groupId, Map.of()).get(tp));
    }

    /** The group's committed offsets in topic, partition order (a read-only view). */
    public Map<TopicPartition, OffsetAndMetadata> offsets(String groupId) {
        return java.util.Collections.unmodifiableMap(offsets.getOrDefault(groupId, Map.of()));
    }

    /** Forgets the offsets of the groups {@code unloaded} selects (their partition is no longer served here). */
    public void unload(java.util.function.Predicate<String> unloaded) {
        offsets.keySet().removeIf(unloaded);
    }

    public boolean hasOffsets(String groupId) {
        return offsets.containsKey(groupId);
    }

    public java.util.Set<String> groupIds() {
        return offsets.keySet();
    }
}
