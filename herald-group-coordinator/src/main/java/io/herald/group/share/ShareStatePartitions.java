package io.herald.group.share;

import io.herald.group.consumer.TopicsView;
import io.herald.group.record.ShareGroupRecord.StatePartitions;
import io.herald.group.record.ShareGroupRecord.TopicPartitions;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The transitions of a share group's {@link StatePartitions} (Kafka's ShareGroupStatePartitionMetadata), as pure
 * functions from the current record to the next: a partition is <em>initializing</em> from the moment the
 * coordinator decides to create its share state until the persister answers, then <em>initialized</em> (only then
 * may members get it), or back to nothing if the persister failed (the next heartbeat tries again). Deleting state
 * moves partitions to <em>deleting</em> until the persister confirms.
 *
 * <p>Stateless.
 */
final class ShareStatePartitions {

    private ShareStatePartitions() {
    }

    /** Kafka's combineInitMaps: the union of both, partition by partition; {@code b}'s topic names win. */
    static Map<Uuid, TopicPartitions> union(Map<Uuid, TopicPartitions> a, Map<Uuid, TopicPartitions> b) {
        Map<Uuid, TopicPartitions> out = new TreeMap<>(a);
        b.forEach((id, tp) -> out.merge(id, tp, (x, y) -> {
            Set<Integer> all = new TreeSet<>(x.partitions());
            all.addAll(y.partitions());
            return new TopicPartitions(y.topicName(), all);
        }));
        return out;
    }

    /** {@code a} without the partitions of {@code remove}; topics left with none disappear. */
    static Map<Uuid, TopicPartitions> minus(Map<Uuid, TopicPartitions> a, Map<Uuid, Set<Integer>> remove) {
        Map<Uuid, TopicPartitions> out = new TreeMap<>();
        a.forEach((id, tp) -> {
            Set<Integer> left = new TreeSet<>(tp.partitions());
            left.removeAll(remove.getOrDefault(id, Set.of()));
            if (!left.isEmpty()) {
                out.put(id, new TopicPartitions(tp.topicName(), left));
            }
        });
        return out;
    }

    /**
     * Kafka's subscribedTopicsChangeMap: the partitions of the subscribed topics that are neither initialized nor
     * initializing since less than {@code retryIntervalMs} (an older initialization is presumed lost and done
     * again), including partitions added to a topic since.
     */
    static Map<Uuid, TopicPartitions> toInitialize(ShareGroup group, Collection<String> subscribedNames,
                                                    TopicsView topics, long nowMs, long retryIntervalMs) {
        StatePartitions current = group.statePartitions();
        boolean initializingIsFresh = nowMs - group.initializingSinceMs() < retryIntervalMs;
        Map<Uuid, TopicPartitions> known = initializingIsFresh
                ? union(current.initialized(), current.initializing()) : current.initialized();
        Map<Uuid, TopicPartitions> out = new TreeMap<>();
        for (String name : new TreeSet<>(subscribedNames)) {
            topics.topic(name).ifPresent(topic -> {
                Set<Integer> missing = new TreeSet<>();
                Set<Integer> have = known.containsKey(topic.id()) ? known.get(topic.id()).partitions() : Set.of();
                for (int p = 0; p < topic.partitionCount(); p++) {
                    if (!have.contains(p)) {
                        missing.add(p);
                    }
                }
                if (!missing.isEmpty()) {
                    out.put(topic.id(), new TopicPartitions(name, missing));
                }
            });
        }
        return out;
    }

    /** Kafka's addInitializingTopicsRecords: {@code adding} joins initializing and leaves deleting. */
    static StatePartitions withInitializing(StatePartitions current, Map<Uuid, TopicPartitions> adding) {
        Map<Uuid, TopicPartitions> deleting = new TreeMap<>(current.deleting());
        adding.keySet().forEach(deleting::remove);
        return new StatePartitions(current.groupId(), union(current.initializing(), adding), current.initialized(),
                deleting);
    }

    /** Kafka's initializeShareGroupState: the persister created these; they leave initializing. */
    static StatePartitions withInitialized(StatePartitions current, Map<Uuid, TopicPartitions> done) {
        return new StatePartitions(current.groupId(), minus(current.initializing(), partitionsOf(done)),
                union(current.initialized(), done), current.deleting());
    }

    /** Kafka's uninitializeShareGroupState: the persister failed these; they leave initializing, to be retried. */
    static StatePartitions withoutInitializing(StatePartitions current, Map<Uuid, TopicPartitions> failed) {
        return new StatePartitions(current.groupId(), minus(current.initializing(), partitionsOf(failed)),
                current.initialized(), current.deleting());
    }

    /**
     * Kafka's shareGroupBuildPartitionDeleteRequest (DeleteGroups): everything initialized or initializing moves to
     * deleting, where an earlier deletion left over is kept too.
     */
    static StatePartitions allDeleting(StatePartitions current) {
        return new StatePartitions(current.groupId(), Map.of(), Map.of(),
                union(current.deleting(), union(current.initialized(), current.initializing())));
    }

    /** DeleteShareGroupOffsets: the topics' initialized partitions move to deleting. */
    static StatePartitions topicsDeleting(StatePartitions current, Set<Uuid> topics) {
        Map<Uuid, TopicPartitions> initialized = new TreeMap<>(current.initialized());
        Map<Uuid, TopicPartitions> moving = new TreeMap<>();
        topics.forEach(t -> {
            TopicPartitions tp = initialized.remove(t);
            if (tp != null) {
                moving.put(t, tp);
            }
        });
        return new StatePartitions(current.groupId(), current.initializing(), initialized,
                union(current.deleting(), moving));
    }

    /** The persister deleted the state of these topics: they leave deleting. */
    static StatePartitions topicsDeleted(StatePartitions current, Set<Uuid> topics) {
        Map<Uuid, TopicPartitions> deleting = new TreeMap<>(current.deleting());
        topics.forEach(deleting::remove);
        return new StatePartitions(current.groupId(), current.initializing(), current.initialized(), deleting);
    }

    static Map<Uuid, Set<Integer>> partitionsOf(Map<Uuid, TopicPartitions> topics) {
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        topics.forEach((id, tp) -> out.put(id, tp.partitions()));
        return out;
    }
}
