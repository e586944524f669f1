package io.herald.group.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.group.consumer.TopicPartitionSets;
import io.herald.group.share.SimpleAssignor.AssignmentSpec;
import io.herald.group.share.SimpleAssignor.MemberSpec;
import io.herald.group.share.SimpleAssignor.SubscriptionType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/**
 * Herald's {@link SimpleAssignor} against the rules of Kafka's share assignor: partitions shared by
 * {@code ceil(members / partitions)} members, counts balanced within one, only subscribed and assignable
 * partitions, and stickiness. {@link SimpleAssignorDifferentialTest} runs Kafka's own class beside it.
 */
class SimpleAssignorTest {
    static final Uuid T0 = new Uuid(0, 1);
    static final Uuid T1 = new Uuid(0, 2);
    static final Uuid T2 = new Uuid(0, 3);

    private final SimpleAssignor assignor = new SimpleAssignor();

    static Map<Uuid, Set<Integer>> partitions(Uuid topic, int count) {
        Set<Integer> all = new TreeSet<>();
        for (int p = 0; p < count; p++) {
            all.add(p);
        }
        return Map.of(topic, all);
    }

    private Map<String, Map<Uuid, Set<Integer>>> assign(Map<String, MemberSpec> members,
                                                       Map<Uuid, Set<Integer>> assignable, SubscriptionType type) {
        return assignor.assign(new AssignmentSpec(new TreeMap<>(members), assignable, type));
    }

    private static MemberSpec fresh(Uuid... topics) {
        return new MemberSpec(Set.of(topics), Map.of());
    }

    @Test
    void eightMembersOfAOnePartitionTopicAllGetIt() {
        Map<String, MemberSpec> members = new TreeMap<>();
        for (int i = 0; i < 8; i++) {
            members.put("m" + i, fresh(T0));
        }
        Map<String, Map<Uuid, Set<Integer>>> result = assign(members, partitions(T0, 1), SubscriptionType.HOMOGENEOUS);
        assertThat(result).hasSize(8).allSatisfy((m, a) -> assertThat(a).isEqualTo(Map.of(T0, Set.of(0))));
    }

    @Test
    void fewerMembersThanPartitionsSplitThemWithoutSharing() {
        Map<String, MemberSpec> members = Map.of("a", fresh(T0), "b", fresh(T0), "c", fresh(T0));
        Map<String, Map<Uuid, Set<Integer>>> result = assign(members, partitions(T0, 7), SubscriptionType.HOMOGENEOUS);
        assertThat(result.values().stream().mapToInt(TopicPartitionSets::size).sorted().toArray())
                .containsExactly(2, 2, 3);
        Set<Integer> seen = new TreeSet<>();
        result.values().forEach(a -> a.get(T0).forEach(p -> assertThat(seen.add(p)).as("partition %d twice", p).isTrue()));
        assertThat(seen).hasSize(7);
    }

    @Test
    void threeMembersOnTwoPartitionsShareEachPartitionTwice() {
        Map<String, MemberSpec> members = Map.of("a", fresh(T0), "b", fresh(T0), "c", fresh(T0));
        Map<String, Map<Uuid, Set<Integer>>> result = assign(members, partitions(T0, 2), SubscriptionType.HOMOGENEOUS);
        assertThat(holders(result).values()).allSatisfy(h -> assertThat(h).hasSize(2));
        assertThat(result.values().stream().mapToInt(TopicPartitionSets::size).sorted().toArray())
                .containsExactly(1, 1, 2);
    }

    @Test
    void homogeneousBalancesOverAllTopicsAndHeterogeneousPerTopic() {
        // Two members, two one-partition topics: together they are two partitions for two members ...
        Map<String, MemberSpec> both = Map.of("a", fresh(T0, T1), "b", fresh(T0, T1));
        Map<Uuid, Set<Integer>> assignable = new TreeMap<>(partitions(T0, 1));
        assignable.putAll(partitions(T1, 1));
        assertThat(assign(both, assignable, SubscriptionType.HOMOGENEOUS).values())
                .allSatisfy(a -> assertThat(TopicPartitionSets.size(a)).isEqualTo(1));
        // ... but Kafka's heterogeneous builder balances each topic with its subscribers: both share both.
        assertThat(assign(both, assignable, SubscriptionType.HETEROGENEOUS).values())
                .allSatisfy(a -> assertThat(TopicPartitionSets.size(a)).isEqualTo(2));
    }

    @Test
    void heterogeneousMembersGetOnlyTheirTopics() {
        Map<String, MemberSpec> members = Map.of("a", fresh(T0), "b", fresh(T1), "c", fresh(T0, T1));
        Map<Uuid, Set<Integer>> assignable = new TreeMap<>(partitions(T0, 2));
        assignable.putAll(partitions(T1, 2));
        Map<String, Map<Uuid, Set<Integer>>> result = assign(members, assignable, SubscriptionType.HETEROGENEOUS);
        assertThat(result.get("a")).containsOnlyKeys(T0);
        assertThat(result.get("b")).containsOnlyKeys(T1);
        // Each topic: two members on two partitions, one each.
        assertThat(TopicPartitionSets.size(result.get("c"))).isEqualTo(2);
        assertThat(holders(result).values()).allSatisfy(h -> assertThat(h).hasSize(1));
    }

    @Test
    void onlyAssignablePartitionsAreHandedOutAndTargetsOfOthersAreDropped() {
        Map<String, MemberSpec> members = Map.of(
                "a", new MemberSpec(Set.of(T0), Map.of(T0, Set.of(0, 1), T2, Set.of(0))),
                "b", fresh(T0));
        Map<String, Map<Uuid, Set<Integer>>> result = assign(members, Map.of(T0, Set.of(1, 2)),
                SubscriptionType.HOMOGENEOUS);
        assertThat(result.get("a")).isEqualTo(Map.of(T0, Set.of(1)));
        assertThat(result.get("b")).isEqualTo(Map.of(T0, Set.of(2)));
    }

    @Test
    void aBalancedAssignmentIsKeptAsItIs() {
        Map<String, MemberSpec> members = Map.of(
                "a", new MemberSpec(Set.of(T0), Map.of(T0, Set.of(3, 4))),
                "b", new MemberSpec(Set.of(T0), Map.of(T0, Set.of(0, 1))),
                "c", new MemberSpec(Set.of(T0), Map.of(T0, Set.of(2))));
        Map<String, Map<Uuid, Set<Integer>>> result = assign(members, partitions(T0, 5), SubscriptionType.HOMOGENEOUS);
        assertThat(result).isEqualTo(Map.of("a", Map.of(T0, Set.of(3, 4)), "b", Map.of(T0, Set.of(0, 1)),
                "c", Map.of(T0, Set.of(2))));
    }

    @Test
    void aJoiningMemberTakesOnlyWhatBalanceRequires() {
        Map<String, MemberSpec> members = Map.of(
                "a", new MemberSpec(Set.of(T0), Map.of(T0, Set.of(0, 1, 2))),
                "b", new MemberSpec(Set.of(T0), Map.of(T0, Set.of(3, 4, 5))),
                "c", fresh(T0));
        Map<String, Map<Uuid, Set<Integer>>> result = assign(members, partitions(T0, 6), SubscriptionType.HOMOGENEOUS);
        assertThat(result.values()).allSatisfy(a -> assertThat(TopicPartitionSets.size(a)).isEqualTo(2));
        assertThat(result.get("a").get(T0)).isSubsetOf(0, 1, 2);
        assertThat(result.get("b").get(T0)).isSubsetOf(3, 4, 5);
    }

    @Test
    void noMembersOrNoPartitionsGiveNothing() {
        assertThat(assign(Map.of(), partitions(T0, 3), SubscriptionType.HOMOGENEOUS)).isEmpty();
        assertThat(assign(Map.of("a", fresh(T0)), Map.of(), SubscriptionType.HOMOGENEOUS))
                .isEqualTo(Map.of("a", Map.of()));
        assertThat(assign(Map.of("a", fresh()), partitions(T0, 3), SubscriptionType.HOMOGENEOUS))
                .isEqualTo(Map.of("a", Map.of()));
    }

    // ---- properties ----

    /** A random group: members, subscriptions, assignable partitions and previous targets. */
    record Scenario(Map<String, MemberSpec> members, Map<Uuid, Set<Integer>> assignable, SubscriptionType type) {
        static Scenario random(Random r, boolean withTargets) {
            List<Uuid> topics = List.of(T0, T1, T2);
            Map<Uuid, Set<Integer>> assignable = new TreeMap<>();
            for (Uuid t : topics) {
                Set<Integer> ps = new TreeSet<>();
                int count = 1 + r.nextInt(8);
                for (int p = 0; p < count; p++) {
                    if (r.nextInt(5) > 0) {
                        ps.add(p);
                    }
                }
                assignable.put(t, ps);
            }
            boolean homogeneous = r.nextBoolean();
            Set<Uuid> common = pick(r, topics);
            int n = 1 + r.nextInt(14);
            Map<String, MemberSpec> members = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                Set<Uuid> subscribed = homogeneous ? common : pick(r, topics);
                Map<Uuid, Set<Integer>> target = new HashMap<>();
                if (withTargets) {
                    for (Uuid t : subscribed) {
                        Set<Integer> ps = new TreeSet<>();
                        assignable.get(t).forEach(p -> {
                            if (r.nextInt(3) == 0) {
                                ps.add(p);
                            }
                        });
                        target.put(t, ps);
                    }
                }
                members.put("m" + i, new MemberSpec(subscribed, target));
            }
            return new Scenario(members, TopicPartitionSets.normalize(assignable),
                    homogeneous ? SubscriptionType.HOMOGENEOUS : SubscriptionType.HETEROGENEOUS);
        }

        private static Set<Uuid> pick(Random r, List<Uuid> topics) {
            Set<Uuid> out = new TreeSet<>();
            topics.forEach(t -> {
                if (r.nextBoolean()) {
                    out.add(t);
                }
            });
            if (out.isEmpty()) {
                out.add(topics.get(r.nextInt(topics.size())));
            }
            return out;
        }

        /** The scopes the assignor balances: (members, partitions) pairs. */
        List<Map.Entry<Set<String>, Set<String>>> scopes() {
            List<Map.Entry<Set<String>, Set<String>>> out = new java.util.ArrayList<>();
            if (type == SubscriptionType.HOMOGENEOUS) {
                Set<String> ps = new TreeSet<>();
                members.values().iterator().next().topicIds()
                        .forEach(t -> assignable.getOrDefault(t, Set.of()).forEach(p -> ps.add(t + "-" + p)));
                out.add(Map.entry(members.keySet(), ps));
            } else {
                for (Uuid t : assignable.keySet()) {
                    Set<String> ms = new TreeSet<>();
                    members.forEach((id, m) -> {
                        if (m.topicIds().contains(t)) {
                            ms.add(id);
                        }
                    });
                    Set<String> ps = new TreeSet<>();
                    assignable.get(t).forEach(p -> ps.add(t + "-" + p));
                    if (!ms.isEmpty()) {
                        out.add(Map.entry(ms, ps));
                    }
                }
            }
            return out;
        }
    }

    static Map<String, Set<String>> holders(Map<String, Map<Uuid, Set<Integer>>> result) {
        Map<String, Set<String>> out = new TreeMap<>();
        result.forEach((m, a) -> a.forEach((t, ps) -> ps.forEach(p ->
                out.computeIfAbsent(t + "-" + p, k -> new TreeSet<>()).add(m))));
        return out;
    }

    /** The rules every assignment of {@code s} keeps, by name. */
    static void checkRules(Scenario s, Map<String, Map<Uuid, Set<Integer>>> result, boolean exactSharing) {
        // OnlySubscribedAndAssignable
        result.forEach((m, a) -> a.forEach((t, ps) -> {
            assertThat(s.members().get(m).topicIds()).as("OnlySubscribed: %s got %s", m, t).contains(t);
            assertThat(s.assignable().get(t)).as("OnlyAssignable: %s got %s %s", m, t, ps).containsAll(ps);
        }));
        Map<String, Set<String>> holders = holders(result);
        s.scopes().forEach(scope -> {
            Set<String> members = scope.getKey();
            Set<String> partitions = scope.getValue();
            int sharing = partitions.isEmpty() ? 0 : (members.size() + partitions.size() - 1) / partitions.size();
            for (String p : partitions) {
                int held = holders.getOrDefault(p, Set.of()).size();
                assertThat(held).as("NeverOvershared %s: %d holders, sharing %d", p, held, sharing)
                        .isLessThanOrEqualTo(sharing);
                if (exactSharing) {
                    assertThat(held).as("EverySharedByCeil %s", p).isEqualTo(sharing);
                }
            }
            if (exactSharing) {
                int min = Integer.MAX_VALUE;
                int max = 0;
                for (String m : members) {
                    long inScope = holders.entrySet().stream()
                            .filter(e -> partitions.contains(e.getKey()) && e.getValue().contains(m)).count();
                    min = (int) Math.min(min, inScope);
                    max = (int) Math.max(max, inScope);
                }
                assertThat(max - min).as("BalancedWithinOne in scope %s", members).isLessThanOrEqualTo(1);
            }
        });
    }

    @Property(tries = 400)
    void fromScratchEveryRuleHolds(@ForAll long seed) {
        Scenario s = Scenario.random(new Random(seed), false);
        checkRules(s, assignor.assign(new AssignmentSpec(new TreeMap<>(s.members()), s.assignable(), s.type())), true);
    }

    @Property(tries = 400)
    void fromAnyPreviousTargetEveryRuleHoldsAndARerunChangesNothing(@ForAll long seed) {
        Scenario s = Scenario.random(new Random(seed), true);
        Map<String, Map<Uuid, Set<Integer>>> first =
                assignor.assign(new AssignmentSpec(new TreeMap<>(s.members()), s.assignable(), s.type()));
        checkRules(s, first, true);
        // Stable: the same inputs with the result as previous targets give the result again.
        Map<String, MemberSpec> again = new TreeMap<>();
        s.members().forEach((id, m) -> again.put(id, new MemberSpec(m.topicIds(), first.get(id))));
        assertThat(assignor.assign(new AssignmentSpec(new TreeMap<>(again), s.assignable(), s.type())))
                .as("Idempotent").isEqualTo(first);
    }
}
