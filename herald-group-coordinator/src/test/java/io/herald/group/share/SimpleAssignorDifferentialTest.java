package io.herald.group.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.group.consumer.TopicPartitionSets;
import io.herald.group.share.SimpleAssignor.AssignmentSpec;
import io.herald.group.share.SimpleAssignor.MemberSpec;
import io.herald.group.share.SimpleAssignorTest.Scenario;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.group.api.assignor.GroupAssignment;
import org.apache.kafka.coordinator.group.api.assignor.GroupSpec;
import org.apache.kafka.coordinator.group.api.assignor.MemberAssignment;
import org.apache.kafka.coordinator.group.api.assignor.MemberSubscription;
import org.apache.kafka.coordinator.group.api.assignor.SubscribedTopicDescriber;
import org.apache.kafka.coordinator.group.api.assignor.SubscriptionType;

/**
 * Herald's {@link SimpleAssignor} beside Kafka 4.3.1's {@code org.apache.kafka.coordinator.group.assignor
 * .SimpleAssignor} (test scope only) on the same random groups, from scratch and from previous targets. The
 * algorithms differ (Kafka's visits hash maps), so individual members' partitions may differ; what Kafka
 * guarantees must agree:
 * <ul>
 *   <li>{@code SameSharing}: every partition has as many members in Herald's result as in Kafka's, or more where
 *       Kafka tolerates a shortfall (its assignRemainingPartitions gives up when no member with room lacks the
 *       partition; Herald swaps one partition to make room);</li>
 *   <li>{@code SameCounts}: where Kafka shares every partition of a scope fully (a scope is the whole group when
 *       all subscribe to the same topics, else each topic with its subscribers), the members' partition counts in
 *       that scope are the same multiset;</li>
 *   <li>both give members only subscribed, assignable partitions.</li>
 * </ul>
 */
class SimpleAssignorDifferentialTest {
    private final SimpleAssignor herald = new SimpleAssignor();
    private final org.apache.kafka.coordinator.group.assignor.SimpleAssignor kafka =
            new org.apache.kafka.coordinator.group.assignor.SimpleAssignor();

    @Property(tries = 300)
    void heraldAgreesWithKafkaFromScratch(@ForAll long seed) {
        compare(Scenario.random(new Random(seed), false));
    }

    @Property(tries = 300)
    void heraldAgreesWithKafkaFromPreviousTargets(@ForAll long seed) {
        compare(Scenario.random(new Random(seed), true));
    }

    @org.junit.jupiter.api.Test
    void bothGiveEightMembersOfAOnePartitionTopicThatPartition() {
        Map<String, MemberSpec> members = new TreeMap<>();
        for (int i = 0; i < 8; i++) {
            members.put("m" + i, new MemberSpec(Set.of(SimpleAssignorTest.T0), Map.of()));
        }
        Scenario s = new Scenario(members, SimpleAssignorTest.partitions(SimpleAssignorTest.T0, 1),
                SimpleAssignor.SubscriptionType.HOMOGENEOUS);
        assertThat(kafka(s).values()).allSatisfy(a -> assertThat(a).isEqualTo(Map.of(SimpleAssignorTest.T0, Set.of(0))));
        compare(s);
    }

    private void compare(Scenario s) {
        Map<String, Map<Uuid, Set<Integer>>> ours = herald.assign(new AssignmentSpec(new TreeMap<>(s.members()),
                s.assignable(), s.type()));
        Map<String, Map<Uuid, Set<Integer>>> theirs = kafka(s);
        SimpleAssignorTest.checkRules(s, theirs, false);
        SimpleAssignorTest.checkRules(s, ours, true);

        Map<String, Set<String>> ourHolders = SimpleAssignorTest.holders(ours);
        Map<String, Set<String>> theirHolders = SimpleAssignorTest.holders(theirs);
        for (var scope : s.scopes()) {
            int sharing = scope.getValue().isEmpty() ? 0
                    : (scope.getKey().size() + scope.getValue().size() - 1) / scope.getValue().size();
            boolean kafkaFull = true;
            for (String p : scope.getValue()) {
                int theirCount = theirHolders.getOrDefault(p, Set.of()).size();
                assertThat(ourHolders.getOrDefault(p, Set.of()).size()).as("SameSharing %s", p)
                        .isGreaterThanOrEqualTo(theirCount);
                kafkaFull &= theirCount == sharing;
            }
            if (kafkaFull) {
                assertThat(counts(ourHolders, scope)).as("SameCounts in %s", scope)
                        .isEqualTo(counts(theirHolders, scope));
            }
        }
    }

    /** The sorted partition counts of the scope's members, within the scope. */
    private static List<Integer> counts(Map<String, Set<String>> holders, Map.Entry<Set<String>, Set<String>> scope) {
        List<Integer> out = new ArrayList<>();
        for (String m : scope.getKey()) {
            out.add((int) scope.getValue().stream()
                    .filter(p -> holders.getOrDefault(p, Set.of()).contains(m)).count());
        }
        out.sort(Integer::compare);
        return out;
    }

    /** Kafka's assignor on the scenario, through its public assignor API. */
    private Map<String, Map<Uuid, Set<Integer>>> kafka(Scenario s) {
        GroupSpec spec = new GroupSpec() {
            @Override
            public Collection<String> memberIds() {
                return s.members().keySet();
            }

            @Override
            public SubscriptionType subscriptionType() {
                return s.type() == SimpleAssignor.SubscriptionType.HOMOGENEOUS ? SubscriptionType.HOMOGENEOUS
                        : SubscriptionType.HETEROGENEOUS;
            }

            @Override
            public boolean isPartitionAssigned(Uuid topicId, int partitionId) {
                return s.members().values().stream().anyMatch(m -> TopicPartitionSets.contains(m.target(), topicId,
                        partitionId));
            }

            @Override
            public boolean isPartitionAssignable(Uuid topicId, int partitionId) {
                return TopicPartitionSets.contains(s.assignable(), topicId, partitionId);
            }

            @Override
            public MemberSubscription memberSubscription(String memberId) {
                MemberSpec m = s.members().get(memberId);
                return new MemberSubscription() {
                    @Override
                    public Optional<String> rackId() {
                        return Optional.empty();
                    }

                    @Override
                    public Optional<String> instanceId() {
                        return Optional.empty();
                    }

                    @Override
                    public Set<Uuid> subscribedTopicIds() {
                        return m.topicIds();
                    }
                };
            }

            @Override
            public MemberAssignment memberAssignment(String memberId) {
                // Kafka's builders copy what they change; a mutable deep copy keeps the scenario intact anyway.
                Map<Uuid, Set<Integer>> copy = new TreeMap<>();
                s.members().get(memberId).target().forEach((t, ps) -> copy.put(t, new java.util.HashSet<>(ps)));
                return () -> copy;
            }
        };
        SubscribedTopicDescriber topics = new SubscribedTopicDescriber() {
            @Override
            public int numPartitions(Uuid topicId) {
                // The scenario's topics have at most 8 partitions; the assignable ones are a subset.
                return 8;
            }

            @Override
            public Set<String> racksForPartition(Uuid topicId, int partition) {
                return Set.of();
            }
        };
        GroupAssignment result = kafka.assign(spec, topics);
        Map<String, Map<Uuid, Set<Integer>>> out = new TreeMap<>();
        result.members().forEach((m, a) -> out.put(m, TopicPartitionSets.normalize(a.partitions())));
        return out;
    }
}
