package io.herald.group.share;

import io.herald.group.consumer.TopicPartitionSets;
import io.herald.group.consumer.TopicsView;
import io.herald.group.record.ShareGroupRecord;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentEpoch;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentMember;
import io.herald.group.share.SimpleAssignor.AssignmentSpec;
import io.herald.group.share.SimpleAssignor.MemberSpec;
import io.herald.group.share.SimpleAssignor.SubscriptionType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * What a share group's target assignment depends on, and the target itself: the subscribed topics (by name, as
 * members send them), their metadata hash that tells the group epoch to move, the subscription type that picks
 * the assignor's scope, and the assignor's result as records.
 *
 * <p>Reads groups and never changes them. Deterministic: the same group and topics give the same hash and the
 * same records. Stateless apart from its assignor, thread-confined to the coordinator's event loop like its
 * callers.
 */
final class ShareTargetAssignment {

    private final SimpleAssignor assignor = new SimpleAssignor();

    /** The topic names the members subscribe to, with how many members subscribe to each. */
    static Map<String, Integer> subscriptionCounts(Collection<ShareGroup.Member> members) {
        Map<String, Integer> counts = new TreeMap<>();
        members.forEach(m -> m.metadata().subscribedTopicNames().forEach(t -> counts.merge(t, 1, Integer::sum)));
        return counts;
    }

    /**
     * Kafka's {@code ModernGroup.subscriptionType}: homogeneous when every subscribed name is subscribed by every
     * member (names of topics that do not exist count too), or when nothing is subscribed.
     */
    static SubscriptionType subscriptionType(Map<String, Integer> counts, int members) {
        for (int count : counts.values()) {
            if (count != members) {
                return SubscriptionType.HETEROGENEOUS;
            }
        }
        return SubscriptionType.HOMOGENEOUS;
    }

    /** Hash of (name, id, partition count) of every subscribed topic that exists; a change bumps the group epoch. */
    static long metadataHash(Collection<String> subscribedNames, TopicsView topics) {
        long hash = 0x510E527FADE682D1L;
        for (String name : new TreeSet<>(subscribedNames)) {
            Optional<TopicsView.TopicInfo> topic = topics.topic(name);
            if (topic.isPresent()) {
                hash = mix(hash, name.hashCode());
                hash = mix(hash, topic.get().id().getMostSignificantBits());
                hash = mix(hash, topic.get().id().getLeastSignificantBits());
                hash = mix(hash, topic.get().partitionCount());
            }
        }
        return hash;
    }

    /** The ids of the existing topics among {@code names}. */
    static Set<Uuid> topicIds(Collection<String> names, TopicsView topics) {
        Set<Uuid> ids = new TreeSet<>();
        names.forEach(n -> topics.topic(n).ifPresent(t -> ids.add(t.id())));
        return ids;
    }

    /** {@code partitions} restricted to the topics named in {@code names} (Kafka's filterAssignedPartitions). */
    static Map<Uuid, Set<Integer>> subscribedOnly(Map<Uuid, Set<Integer>> partitions, Collection<String> names,
                                                  TopicsView topics) {
        Set<Uuid> ids = topicIds(names, topics);
        return TopicPartitionSets.filter(partitions, (topic, p) -> ids.contains(topic));
    }

    /**
     * The records that set the group's target to the assignor's result at {@code groupEpoch}: a
     * {@link TargetAssignmentMember} for each member whose target changes, then the {@link TargetAssignmentEpoch}.
     * Only initialized share-partitions of existing topics are assignable.
     */
    List<ShareGroupRecord> targetAssignment(ShareGroup group, int groupEpoch, SubscriptionType type, TopicsView topics) {
        TreeMap<String, MemberSpec> specs = new TreeMap<>();
        for (ShareGroup.Member m : group.members().values()) {
            specs.put(m.memberId(), new MemberSpec(topicIds(m.metadata().subscribedTopicNames(), topics), m.target()));
        }
        Map<Uuid, Set<Integer>> assignable = new TreeMap<>();
        group.initializedPartitions().forEach((topicId, partitions) -> topics.topic(topicId).ifPresent(t -> {
            Set<Integer> existing = new TreeSet<>();
            partitions.stream().filter(p -> p < t.partitionCount()).forEach(existing::add);
            assignable.put(topicId, existing);
        }));
        Map<String, Map<Uuid, Set<Integer>>> target = assignor.assign(new AssignmentSpec(specs, assignable, type));
        List<ShareGroupRecord> records = new ArrayList<>();
        for (String memberId : specs.keySet()) {
            Map<Uuid, Set<Integer>> assignment = target.getOrDefault(memberId, Map.of());
            if (!assignment.equals(group.member(memberId).orElseThrow().target())) {
                records.add(new TargetAssignmentMember(group.groupId(), memberId, assignment));
            }
        }
        records.add(new TargetAssignmentEpoch(group.groupId(), groupEpoch));
        return records;
    }

    /** Kafka's ShareTargetAssignment check: subscribed topics whose initialized partitions no target covers yet. */
    static boolean initializedAssignmentPending(ShareGroup group, TopicsView topics) {
        if (group.members().isEmpty() || group.initializedPartitions().isEmpty()) {
            return false;
        }
        Set<String> subscribed = subscriptionCounts(group.members().values()).keySet();
        if (subscribed.isEmpty()) {
            return false;
        }
        Map<Uuid, Set<Integer>> targeted = TopicPartitionSets.EMPTY;
        for (ShareGroup.Member m : group.members().values()) {
            targeted = TopicPartitionSets.union(targeted, m.target());
        }
        for (var e : group.statePartitions().initialized().entrySet()) {
            // Only topics that still exist under that name: a deleted topic's id must not bump the epoch forever.
            boolean live = topics.topic(e.getKey()).map(t -> t.name().equals(e.getValue().topicName())).orElse(false);
            if (live && subscribed.contains(e.getValue().topicName())
                    && !e.getValue().partitions().equals(targeted.getOrDefault(e.getKey(), Set.of()))) {
                return true;
            }
        }
        return false;
    }

    private static long mix(long h, long v) {
        long x = h ^ v;
        x *= 0x9E3779B97F4A7C15L;
        return x ^ (x >>> 31);
    }
}
