package io.herald.group.consumer.assignor;

import static io.herald.group.consumer.assignor.AssignorTestSupport.assertEveryPartitionAssignedOnceToASubscriber;
import static io.herald.group.consumer.assignor.AssignorTestSupport.count;
import static io.herald.group.consumer.assignor.AssignorTestSupport.homogeneous;
import static io.herald.group.consumer.assignor.AssignorTestSupport.memberId;
import static io.herald.group.consumer.assignor.AssignorTestSupport.owners;
import static io.herald.group.consumer.assignor.AssignorTestSupport.topics;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.group.consumer.assignor.AssignorTestSupport.Tp;
import java.util.ArrayList;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class UniformAssignorTest {

    private final UniformAssignor assignor = new UniformAssignor();

    @Property(tries = 200)
    void everySubscribedPartitionIsAssignedExactlyOnce(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 12) int members,
            @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 0, max = 20) Integer> partitionCounts) {
        AssignmentSpec spec = AssignorTestSupport.heterogeneous(seed, members,
                topics(partitionCounts.stream().mapToInt(Integer::intValue).toArray()));

        Map<String, Map<Uuid, Set<Integer>>> assignment = assignor.assign(spec);

        assertEveryPartitionAssignedOnceToASubscriber(spec, assignment);
        assertThat(assignor.assign(spec)).as("deterministic").isEqualTo(assignment);
    }

    @Property(tries = 200)
    void countsDifferByAtMostOneAmongIdenticalSubscriptions(
            @ForAll @IntRange(min = 1, max = 12) int members,
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 30) Integer> partitionCounts) {
        AssignmentSpec spec = homogeneous(memberIds(members),
                topics(partitionCounts.stream().mapToInt(Integer::intValue).toArray()), Map.of());

        Map<String, Map<Uuid, Set<Integer>>> assignment = assignor.assign(spec);

        assertEveryPartitionAssignedOnceToASubscriber(spec, assignment);
        IntSummaryStatistics counts = assignment.values().stream().mapToInt(AssignorTestSupport::count).summaryStatistics();
        assertThat(counts.getMax() - counts.getMin()).isLessThanOrEqualTo(1);
    }

    @Property(tries = 200)
    void addingAMemberMovesOnlyThePartitionsItReceives(
            @ForAll @IntRange(min = 1, max = 10) int members,
            @ForAll @Size(min = 1, max = 3) List<@IntRange(min = 0, max = 30) Integer> partitionCounts) {
        Map<Uuid, Integer> topics = topics(partitionCounts.stream().mapToInt(Integer::intValue).toArray());
        List<String> before = memberIds(members);
        var first = assignor.assign(homogeneous(before, topics, Map.of()));
        List<String> after = new ArrayList<>(before);
        after.add("member-new");

        var second = assignor.assign(homogeneous(after, topics, first));

        Map<Tp, String> oldOwners = owners(first);
        Map<Tp, String> newOwners = owners(second);
        // A staying member never gains a partition another staying member had.
        newOwners.forEach((tp, owner) -> {
            if (!owner.equals("member-new")) {
                assertThat(oldOwners.get(tp)).as("owner of %s", tp).isEqualTo(owner);
            }
        });
        IntSummaryStatistics counts = second.values().stream().mapToInt(AssignorTestSupport::count).summaryStatistics();
        assertThat(counts.getMax() - counts.getMin()).isLessThanOrEqualTo(1);
    }

    @Property(tries = 200)
    void removingAMemberKeepsEveryStayingMembersPartitions(
            @ForAll @IntRange(min = 2, max = 10) int members,
            @ForAll @IntRange(min = 0, max = 9) int leaving,
            @ForAll @Size(min = 1, max = 3) List<@IntRange(min = 0, max = 30) Integer> partitionCounts) {
        Map<Uuid, Integer> topics = topics(partitionCounts.stream().mapToInt(Integer::intValue).toArray());
        List<String> before = memberIds(members);
        var first = assignor.assign(homogeneous(before, topics, Map.of()));
        List<String> after = new ArrayList<>(before);
        after.remove(leaving % members);

        var second = assignor.assign(homogeneous(after, topics, first));

        for (String m : after) {
            first.get(m).forEach((topic, partitions) ->
                    assertThat(second.get(m).getOrDefault(topic, Set.of())).containsAll(partitions));
        }
        IntSummaryStatistics counts = second.values().stream().mapToInt(AssignorTestSupport::count).summaryStatistics();
        assertThat(counts.getMax() - counts.getMin()).isLessThanOrEqualTo(1);
    }

    @Test
    void spreadsSixPartitionsOverThreeMembers() {
        var assignment = assignor.assign(homogeneous(memberIds(3), topics(6), Map.of()));

        assertThat(assignment.values()).allSatisfy(a -> assertThat(count(a)).isEqualTo(2));
    }

    @Test
    void membersSubscribedToDifferentTopicsOnlyGetTheirTopics() {
        Map<Uuid, Integer> topics = topics(4, 2);
        Uuid a = AssignorTestSupport.topicId(0);
        Uuid b = AssignorTestSupport.topicId(1);
        var spec = new AssignmentSpec(Map.of(
                "m1", AssignmentSpec.MemberSpec.of(Set.of(a), Map.of()),
                "m2", AssignmentSpec.MemberSpec.of(Set.of(a, b), Map.of()),
                "m3", AssignmentSpec.MemberSpec.of(Set.of(b), Map.of())), topics);

        var assignment = assignor.assign(spec);

        assertEveryPartitionAssignedOnceToASubscriber(spec, assignment);
        assertThat(assignment.get("m1")).containsOnlyKeys(a);
        assertThat(assignment.get("m3")).containsOnlyKeys(b);
        assertThat(assignment.values().stream().mapToInt(AssignorTestSupport::count)).allMatch(c -> c == 2);
    }

    private static List<String> memberIds(int n) {
        return IntStream.range(0, n).mapToObj(AssignorTestSupport::memberId).toList();
    }
}
