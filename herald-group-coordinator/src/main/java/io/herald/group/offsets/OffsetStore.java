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
 * <p>Offsets of a transaction (TxnOffsetCommit, KIP-98) are kept apart, by producer, until the transaction's
 * marker reaches this partition ({@link #replayPending}, {@link #completeTransaction}): a COMMIT makes them the
 * group's committed offsets, an ABORT drops them. While they wait, an OffsetFetch with {@code require_stable}
 * sees the partition as unstable (KIP-447).
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
public final class OffsetStore {
    private static final java.util.Comparator<TopicPartition> ORDER =
            java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final Map<String, Map<TopicPartition, OffsetAndMetadata>> offsets = new HashMap<>();
    /** Offsets of open transactions: producer id, then group, then partition. */
    private final Map<Long, Map<String, Map<TopicPartition, OffsetAndMetadata>>> pending = new HashMap<>();

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

    /** An offset commit written in {@code producerId}'s transaction: it waits for the transaction's end. */
    public void replayPending(long producerId, GroupRecord.OffsetCommit record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        Map<TopicPartition, OffsetAndMetadata> group = pending.computeIfAbsent(producerId, p -> new HashMap<>())
                .computeIfAbsent(record.groupId(), g -> new TreeMap<>(ORDER));
        record.value().ifPresentOrElse(v -> group.put(tp, v), () -> group.remove(tp));
    }

    /** {@code producerId}'s transaction ended: its offsets become the committed ones, or are dropped. */
    public void completeTransaction(long producerId, boolean commit) {
        Map<String, Map<TopicPartition, OffsetAndMetadata>> byGroup = pending.remove(producerId);
        if (byGroup == null || !commit) {
            return;
        }
        byGroup.forEach((groupId, partitions) -> partitions.forEach((tp, offset) -> replay(
                new GroupRecord.OffsetCommit(groupId, tp.topic(), tp.partition(), Optional.of(offset)))));
    }

    /** The group's partitions with offsets of an open transaction. */
    public java.util.Set<TopicPartition> pendingPartitions(String groupId) {
        java.util.Set<TopicPartition> unstable = new java.util.TreeSet<>(ORDER);
        for (Map<String, Map<TopicPartition, OffsetAndMetadata>> byGroup : pending.values()) {
            unstable.addAll(byGroup.getOrDefault(groupId, Map.of()).keySet());
        }
        return unstable;
    }

    /** Whether the group has offsets waiting for a transaction's end. */
    public boolean hasPendingOffsets(String groupId) {
        return pending.values().stream().anyMatch(byGroup -> byGroup.containsKey(groupId));
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
        pending.values().forEach(byGroup -> byGroup.keySet().removeIf(unloaded));
    }

    public boolean hasOffsets(String groupId) {
        return offsets.containsKey(groupId);
    }

    public java.util.Set<String> groupIds() {
        return offsets.keySet();
    }
}
