package io.herald.group.share;

import io.herald.group.consumer.TopicPartitionSets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * Kafka's share group assignor {@code simple} (KIP-932): it spreads the assignable partitions evenly over the
 * members and, when there are more members than partitions, lets several members share a partition: eight
 * members of a one-partition topic all get that partition.
 *
 * <h2>What it guarantees (Kafka 4.3.1's SimpleAssignor, by its balance rules)</h2>
 * For a scope of members and partitions (all subscribed partitions when every member subscribes to the same
 * topics, else each topic with its subscribers, as Kafka's homogeneous and heterogeneous builders do):
 * <ul>
 *   <li>every partition is shared by {@code sharing = ceil(members / partitions)} members;</li>
 *   <li>the {@code sharing * partitions} assignments are spread so that two members' counts differ by at most
 *       one;</li>
 *   <li>balance comes before stickiness, and within it as much of the previous target is kept as possible.</li>
 * </ul>
 * Only assignable partitions (those whose share state is initialized) are handed out; a previous target
 * partition that is no longer assignable or subscribed is dropped.
 *
 * <p>The algorithm is Herald's own and deterministic (members and partitions are visited in sorted order), which
 * replay of a log and simulation seeds rely on; Kafka's visits hash maps, so individual choices may differ while
 * the counts above agree (checked differentially against Kafka's class in the tests). Stateless, thread-safe.
 */
public final class SimpleAssignor {

    public static final String NAME = "simple";

    /** Whether every member subscribes to the same topic names (Kafka's subscription type). */
    public enum SubscriptionType { HOMOGENEOUS, HETEROGENEOUS }

    /**
     * One member's input.
     *
     * @param topicIds the ids of the existing topics it subscribes to
     * @param target   its previous target assignment
     */
    public record MemberSpec(Set<Uuid> topicIds, Map<Uuid, Set<Integer>> target) {
        public MemberSpec {
            topicIds = Set.copyOf(topicIds);
            target = TopicPartitionSets.normalize(target);
        }
    }

    /**
     * @param members     the members by id
     * @param assignable  the partitions that may be handed out, by topic id
     */
    public record AssignmentSpec(SortedMap<String, MemberSpec> members, Map<Uuid, Set<Integer>> assignable,
                                 SubscriptionType subscriptionType) {
        public AssignmentSpec {
            members = new TreeMap<>(members);
            assignable = TopicPartitionSets.normalize(assignable);
            Objects.requireNonNull(subscriptionType, "subscriptionType");
        }
    }

    private record TopicPartition(Uuid topicId, int partition) implements Comparable<TopicPartition> {
        @Override
        public int compareTo(TopicPartition o) {
            int byTopic = topicId.compareTo(o.topicId);
            return byTopic != 0 ? byTopic : Integer.compare(partition, o.partition);
        }
    }

    /** The new target of every member (an empty map for a member that gets nothing). */
    public Map<String, Map<Uuid, Set<Integer>>> assign(AssignmentSpec spec) {
        Map<String, Set<TopicPartition>> result = new TreeMap<>();
        spec.members().keySet().forEach(m -> result.put(m, new TreeSet<>()));
        if (spec.subscriptionType() == SubscriptionType.HOMOGENEOUS) {
            Set<Uuid> topics = new TreeSet<>();
            spec.members().values().forEach(m -> topics.addAll(m.topicIds()));
            balance(List.copyOf(spec.members().keySet()), partitions(spec.assignable(), topics), spec, result);
        } else {
            Map<Uuid, List<String>> subscribers = new TreeMap<>();
            spec.members().forEach((id, m) -> m.topicIds().forEach(
                    t -> subscribers.computeIfAbsent(t, k -> new ArrayList<>()).add(id)));
            subscribers.forEach((topic, members) ->
                    balance(members, partitions(spec.assignable(), Set.of(topic)), spec, result));
        }
        Map<String, Map<Uuid, Set<Integer>>> out = new TreeMap<>();
        result.forEach((member, tps) -> {
            Map<Uuid, Set<Integer>> assignment = new TreeMap<>();
            tps.forEach(tp -> assignment.computeIfAbsent(tp.topicId(), k -> new TreeSet<>()).add(tp.partition()));
            out.put(member, TopicPartitionSets.normalize(assignment));
        });
        return out;
    }

    private static List<TopicPartition> partitions(Map<Uuid, Set<Integer>> assignable, Set<Uuid> topics) {
        List<TopicPartition> out = new ArrayList<>();
        for (Uuid topic : new TreeSet<>(topics)) {
            assignable.getOrDefault(topic, Set.of()).forEach(p -> out.add(new TopicPartition(topic, p)));
        }
        return out;
    }

    /**
     * Assigns {@code partitions} to {@code members} (a scope, see the class comment), adding to {@code result}.
     * Steps: keep what each member had of the scope; cut partitions shared more than {@code sharing}; give the
     * larger quotas to the members that keep the most; cut members above their quota; fill the partitions shared
     * least, by the members with the fewest.
     */
    private static void balance(List<String> members, List<TopicPartition> partitions, AssignmentSpec spec,
                                Map<String, Set<TopicPartition>> result) {
        if (members.isEmpty() || partitions.isEmpty()) {
            return;
        }
        int sharing = (members.size() + partitions.size() - 1) / partitions.size();
        int total = sharing * partitions.size();
        Set<TopicPartition> scope = new TreeSet<>(partitions);
        Map<String, Set<TopicPartition>> held = new TreeMap<>();
        Map<TopicPartition, Set<String>> holders = new TreeMap<>();
        partitions.forEach(p -> holders.put(p, new TreeSet<>()));
        for (String m : members) {
            Set<TopicPartition> kept = new TreeSet<>();
            spec.members().get(m).target().forEach((topic, ps) -> ps.forEach(p -> {
                TopicPartition tp = new TopicPartition(topic, p);
                if (scope.contains(tp)) {
                    kept.add(tp);
                    holders.get(tp).add(m);
                }
            }));
            held.put(m, kept);
        }
        Comparator<String> mostHeldFirst = Comparator.<String>comparingInt(m -> -held.get(m).size())
                .thenComparing(Comparator.naturalOrder());

        // Over-shared partitions lose their holders that hold the most.
        holders.forEach((tp, hs) -> {
            while (hs.size() > sharing) {
                String drop = hs.stream().min(mostHeldFirst).orElseThrow();
                hs.remove(drop);
                held.get(drop).remove(tp);
            }
        });

        // Quotas: total / members each, one more for the (total % members) members that keep the most.
        int base = total / members.size();
        int extra = total % members.size();
        Map<String, Integer> quota = new HashMap<>();
        List<String> byHeld = new ArrayList<>(members);
        byHeld.sort(mostHeldFirst);
        for (int i = 0; i < byHeld.size(); i++) {
            quota.put(byHeld.get(i), base + (i < extra ? 1 : 0));
        }

        // Members above their quota give up the partitions shared most (they stay covered longest).
        for (String m : members) {
            Set<TopicPartition> mine = held.get(m);
            while (mine.size() > quota.get(m)) {
                TopicPartition drop = mine.stream().max(Comparator.<TopicPartition>comparingInt(
                        tp -> holders.get(tp).size()).thenComparing(Comparator.naturalOrder())).orElseThrow();
                mine.remove(drop);
                holders.get(drop).remove(m);
            }
        }

        // Fill: the least shared partition first, to the eligible member with the fewest partitions.
        Comparator<String> fewestFirst = Comparator.<String>comparingInt(m -> held.get(m).size())
                .thenComparing(Comparator.naturalOrder());
        List<TopicPartition> order = new ArrayList<>(partitions);
        order.sort(Comparator.<TopicPartition>comparingInt(tp -> holders.get(tp).size())
                .thenComparing(Comparator.naturalOrder()));
        for (TopicPartition tp : order) {
            Set<String> hs = holders.get(tp);
            while (hs.size() < sharing) {
                String taker = members.stream()
                        .filter(m -> !hs.contains(m) && held.get(m).size() < quota.get(m))
                        .min(fewestFirst).orElse(null);
                if (taker == null && !swapToMakeRoom(tp, members, held, holders, quota)) {
                    break; // every member with room holds it already and no swap helps: tolerated, as in Kafka
                }
                if (taker == null) {
                    continue; // the swap freed a slot; the loop picks its taker
                }
                hs.add(taker);
                held.get(taker).add(tp);
            }
        }
        held.forEach((m, tps) -> result.get(m).addAll(tps));
    }

    /**
     * {@code tp} needs a holder but every member with room holds it already. Finds a full member {@code x} that
     * does not hold {@code tp} and holds some {@code q} that a member {@code y} with room lacks, and moves
     * {@code q} from {@code x} to {@code y}: {@code x} then has room for {@code tp}. Counts stay balanced.
     */
    private static boolean swapToMakeRoom(TopicPartition tp, List<String> members, Map<String, Set<TopicPartition>> held,
                                          Map<TopicPartition, Set<String>> holders, Map<String, Integer> quota) {
        for (String y : members) {
            if (held.get(y).size() >= quota.get(y)) {
                continue;
            }
            for (String x : members) {
                if (x.equals(y) || holders.get(tp).contains(x)) {
                    continue;
                }
                for (TopicPartition q : held.get(x)) {
                    if (!holders.get(q).contains(y)) {
                        held.get(x).remove(q);
                        holders.get(q).remove(x);
                        held.get(y).add(q);
                        holders.get(q).add(y);
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
