package io.herald.group.consumer;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import org.apache.kafka.common.Uuid;

/**
 * Set algebra over assignments written as {@code topic id → partitions}. Every result is
 * normalised: sorted, unmodifiable, without topics whose set is empty, so two equal assignments
 * are {@code equals} whatever map implementation produced them.
 */
public final class TopicPartitionSets {

    public static final Map<Uuid, Set<Integer>> EMPTY = Collections.emptyMap();

    private TopicPartitionSets() {
    }

    public static Map<Uuid, Set<Integer>> normalize(Map<Uuid, ? extends Set<Integer>> in) {
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        in.forEach((topic, partitions) -> {
            if (!partitions.isEmpty()) {
                out.put(topic, Collections.unmodifiableSet(new TreeSet<>(partitions)));
            }
        });
        return out.isEmpty() ? EMPTY : Collections.unmodifiableMap(out);
    }

    public static Map<Uuid, Set<Integer>> union(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        Map<Uuid, Set<Integer>> out = mutableCopy(a);
        b.forEach((topic, partitions) -> out.computeIfAbsent(topic, k -> new TreeSet<>()).addAll(partitions));
        return normalize(out);
    }

    public static Map<Uuid, Set<Integer>> minus(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        return filter(a, (topic, p) -> !contains(b, topic, p));
    }

    public static Map<Uuid, Set<Integer>> intersect(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        return filter(a, (topic, p) -> contains(b, topic, p));
    }

    public static Map<Uuid, Set<Integer>> filter(Map<Uuid, Set<Integer>> a, BiPredicate<Uuid, Integer> keep) {
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        a.forEach((topic, partitions) -> {
            for (int p : partitions) {
                if (keep.test(topic, p)) {
                    out.computeIfAbsent(topic, k -> new TreeSet<>()).add(p);
                }
            }
        });
        return normalize(out);
    }

    public static boolean contains(Map<Uuid, Set<Integer>> a, Uuid topic, int partition) {
        Set<Integer> partitions = a.get(topic);
        return partitions != null && partitions.contains(partition);
    }

    public static boolean isSubset(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        return minus(a, b).isEmpty();
    }

    public static boolean disjoint(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        return intersect(a, b).isEmpty();
    }

    public static int size(Map<Uuid, Set<Integer>> a) {
        return a.values().stream().mapToInt(Set::size).sum();
    }

    /** Owned partitions as the heartbeat request carries them; null stays "not sent". */
    static Map<Uuid, Set<Integer>> fromRequest(
            List<org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData.TopicPartitions> owned) {
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        for (var tp : owned) {
            out.computeIfAbsent(tp.topicId(), k -> new TreeSet<>()).addAll(tp.partitions());
        }
        return normalize(out);
    }

    private static Map<Uuid, Set<Integer>> mutableCopy(Map<Uuid, Set<Integer>> a) {
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        a.forEach((topic, partitions) -> out.put(topic, new TreeSet<>(partitions)));
        return out;
    }
}
