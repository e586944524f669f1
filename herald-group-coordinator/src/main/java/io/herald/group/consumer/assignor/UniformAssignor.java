package io.herald.group.consumer.assignor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The "uniform" assignor (the KIP-848 default): spreads partitions evenly over the members that
 * subscribe to them and keeps partitions where they are whenever balance allows.
 *
 * <p>Three passes, all in a fixed order (topic id, partition, member id) so the result is
 * deterministic:
 * <ol>
 *   <li><b>keep</b>: every member keeps the partitions of its current target that still exist and
 *       that it still subscribes to;
 *   <li><b>fill</b>: every unowned partition goes to the least-loaded member subscribed to its
 *       topic;
 *   <li><b>balance</b>: while some member has at least two partitions more than another member that
 *       could take one of them, one such partition moves from the most loaded to the least loaded.
 *       Each move lowers the sum of squared loads, so the loop ends.
 * </ol>
 * Among members with identical subscriptions the counts end up differing by at most one; a member
 * only loses partitions to a member with fewer, so adding a member moves exactly the partitions it
 * receives and removing one moves only the departed member's partitions.
 *
 * <p>Cost is about O(moves × members² + partitions × members); Kafka's implementation is
 * optimised for thousands of members, this one favours being obviously correct. Stateless and
 * thread-safe.
 */
public final class UniformAssignor implements PartitionAssignor {

    public static final String NAME = "uniform";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Map<Uuid, Set<Integer>>> assign(AssignmentSpec spec) {
        Map<String, NavigableSet<Tp>> owned = new TreeMap<>();
        Map<Uuid, List<String>> subscribers = new TreeMap<>();
        for (var entry : spec.members().entrySet()) {
            owned.put(entry.getKey(), new TreeSet<>());
            for (Uuid topicId : entry.getValue().subscribedTopicIds()) {
                if (spec.partitionCounts().containsKey(topicId)) {
                    subscribers.computeIfAbsent(topicId, k -> new ArrayList<>()).add(entry.getKey());
                }
            }
        }
        subscribers.values().forEach(list -> list.sort(null));

        // keep
        Map<Tp, String> owner = new HashMap<>();
        for (var entry : spec.members().entrySet()) {
            Set<Uuid> subscribed = entry.getValue().subscribedTopicIds();
            for (var topic : new TreeMap<>(entry.getValue().currentTarget()).entrySet()) {
                Integer count = spec.partitionCounts().get(topic.getKey());
                if (count == null || !subscribed.contains(topic.getKey())) {
                    continue;
                }
                for (int partition : new TreeSet<>(topic.getValue())) {
                    Tp tp = new Tp(topic.getKey(), partition);
                    if (partition >= 0 && partition < count && owner.putIfAbsent(tp, entry.getKey()) == null) {
                        owned.get(entry.getKey()).add(tp);
                    }
                }
            }
        }

        // fill
        for (var topic : subscribers.entrySet()) {
            int count = spec.partitionCounts().get(topic.getKey());
            for (int partition = 0; partition < count; partition++) {
                Tp tp = new Tp(topic.getKey(), partition);
                if (owner.containsKey(tp)) {
                    continue;
                }
                String least = null;
                for (String member : topic.getValue()) {
                    if (least == null || owned.get(member).size() < owned.get(least).size()) {
                        least = member;
                    }
                }
                owner.put(tp, least);
                owned.get(least).add(tp);
            }
        }

        // balance
        Map<String, Set<Uuid>> eligible = new HashMap<>();
        spec.members().forEach((id, m) -> eligible.put(id, m.subscribedTopicIds()));
        Comparator<String> byLoad = Comparator.<String>comparingInt(m -> owned.get(m).size())
                .thenComparing(Comparator.naturalOrder());
        List<String> members = new ArrayList<>(owned.keySet());
        while (maybeMoveOne(members, owned, eligible, byLoad)) {
            // each move strictly lowers the sum of squared loads
        }

        Map<String, Map<Uuid, Set<Integer>>> result = new TreeMap<>();
        owned.forEach((member, tps) -> {
            Map<Uuid, Set<Integer>> byTopic = new TreeMap<>();
            for (Tp tp : tps) {
                byTopic.computeIfAbsent(tp.topicId(), k -> new TreeSet<>()).add(tp.partition());
            }
            result.put(member, byTopic);
        });
        return result;
    }

    private static boolean maybeMoveOne(
            List<String> members,
            Map<String, NavigableSet<Tp>> owned,
            Map<String, Set<Uuid>> eligible,
            Comparator<String> byLoad) {
        members.sort(byLoad);
        for (int d = members.size() - 1; d > 0; d--) {
            String donor = members.get(d);
            for (int r = 0; r < d; r++) {
                String receiver = members.get(r);
                if (owned.get(donor).size() - owned.get(receiver).size() <= 1) {
                    break;
                }
                for (Tp tp : owned.get(donor).descendingSet()) {
                    if (eligible.get(receiver).contains(tp.topicId())) {
                        owned.get(donor).remove(tp);
                        owned.get(receiver).add(tp);
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private record Tp(Uuid topicId, int partition) implements Comparable<Tp> {
        @Override
        public int compareTo(Tp o) {
            int c = topicId.compareTo(o.topicId);
            return c != 0 ? c : Integer.compare(partition, o.partition);
        }
    }
}
