package io.herald.group.consumer.assignor;

import io.herald.group.consumer.assignor.AssignmentSpec.MemberSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/** Builders and checks shared by the assignor tests. */
final class AssignorTestSupport {

    record Tp(Uuid topicId, int partition) {
    }

    private AssignorTestSupport() {
    }

    static Uuid topicId(int i) {
        return new Uuid(0L, i + 1L);
    }

    static Map<Uuid, Integer> topics(int... partitionCounts) {
        Map<Uuid, Integer> out = new TreeMap<>();
        for (int i = 0; i < partitionCounts.length; i++) {
            out.put(topicId(i), partitionCounts[i]);
        }
        return out;
    }

    static String memberId(int i) {
        return String.format("member-%03d", i);
    }

    /** Members all subscribed to every topic, with the given previous targets (absent = none). */
    static AssignmentSpec homogeneous(List<String> members, Map<Uuid, Integer> topics,
            Map<String, Map<Uuid, Set<Integer>>> previous) {
        Map<String, MemberSpec> specs = new TreeMap<>();
        for (String m : members) {
            specs.put(m, MemberSpec.of(topics.keySet(), previous.getOrDefault(m, Map.of())));
        }
        return new AssignmentSpec(specs, topics);
    }

    /** Members with random, possibly different subscriptions. */
    static AssignmentSpec heterogeneous(long seed, int members, Map<Uuid, Integer> topics) {
        Random random = new Random(seed);
        Map<String, MemberSpec> specs = new TreeMap<>();
        for (int i = 0; i < members; i++) {
            Set<Uuid> subscribed = new TreeSet<>();
            for (Uuid t : topics.keySet()) {
                if (random.nextInt(3) > 0) {
                    subscribed.add(t);
                }
            }
            specs.put(memberId(i), MemberSpec.of(subscribed, Map.of()));
        }
        return new AssignmentSpec(specs, topics);
    }

    /** Owner of each assigned partition; fails if a partition is assigned twice. */
    static Map<Tp, String> owners(Map<String, Map<Uuid, Set<Integer>>> assignment) {
        Map<Tp, String> owners = new HashMap<>();
        assignment.forEach((member, byTopic) -> byTopic.forEach((topic, partitions) -> partitions.forEach(p -> {
            String previous = owners.put(new Tp(topic, p), member);
            if (previous != null) {
                throw new AssertionError(topic + "-" + p + " assigned to both " + previous + " and " + member);
            }
        })));
        return owners;
    }

    /** Every partition of every topic someone subscribes to, to a subscriber, exactly once. */
    static void assertEveryPartitionAssignedOnceToASubscriber(AssignmentSpec spec,
            Map<String, Map<Uuid, Set<Integer>>> assignment) {
        Map<Tp, String> owners = owners(assignment);
        int expected = 0;
        for (var topic : spec.partitionCounts().entrySet()) {
            boolean subscribed = spec.members().values().stream()
                    .anyMatch(m -> m.subscribedTopicIds().contains(topic.getKey()));
            if (!subscribed) {
                continue;
            }
            for (int p = 0; p < topic.getValue(); p++) {
                String owner = owners.get(new Tp(topic.getKey(), p));
                if (owner == null) {
                    throw new AssertionError(topic.getKey() + "-" + p + " is not assigned");
                }
                if (!spec.members().get(owner).subscribedTopicIds().contains(topic.getKey())) {
                    throw new AssertionError(owner + " got " + topic.getKey() + "-" + p + " without subscribing");
                }
                expected++;
            }
        }
        if (owners.size() != expected) {
            throw new AssertionError("assigned " + owners.size() + " partitions, expected " + expected);
        }
        if (!assignment.keySet().equals(spec.members().keySet())) {
            throw new AssertionError("result members " + assignment.keySet() + " != " + spec.members().keySet());
        }
    }

    static int count(Map<Uuid, Set<Integer>> byTopic) {
        return byTopic.values().stream().mapToInt(Set::size).sum();
    }
}
