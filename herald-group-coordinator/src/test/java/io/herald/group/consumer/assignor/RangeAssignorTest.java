package io.herald.group.consumer.assignor;

import static io.herald.group.consumer.assignor.AssignorTestSupport.assertEveryPartitionAssignedOnceToASubscriber;
import static io.herald.group.consumer.assignor.AssignorTestSupport.topicId;
import static io.herald.group.consumer.assignor.AssignorTestSupport.topics;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.group.consumer.assignor.AssignmentSpec.MemberSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class RangeAssignorTest {

    private final RangeAssignor assignor = new RangeAssignor();
    private final Uuid t0 = topicId(0);
    private final Uuid t1 = topicId(1);

    @Test
    void givesContiguousRangesWithTheRemainderToTheFirstMembers() {
        var spec = AssignorTestSupport.homogeneous(List.of("c", "a", "b"), topics(7, 3), Map.of());

        var assignment = assignor.assign(spec);

        assertThat(assignment.get("a")).isEqualTo(Map.of(t0, Set.of(0, 1, 2), t1, Set.of(0)));
        assertThat(assignment.get("b")).isEqualTo(Map.of(t0, Set.of(3, 4), t1, Set.of(1)));
        assertThat(assignment.get("c")).isEqualTo(Map.of(t0, Set.of(5, 6), t1, Set.of(2)));
    }

    @Test
    void moreMembersThanPartitionsLeavesTheLastMembersEmpty() {
        var spec = AssignorTestSupport.homogeneous(List.of("a", "b", "c"), topics(2), Map.of());

        var assignment = assignor.assign(spec);

        assertThat(assignment.get("a")).isEqualTo(Map.of(t0, Set.of(0)));
        assertThat(assignment.get("b")).isEqualTo(Map.of(t0, Set.of(1)));
        assertThat(assignment.get("c")).isEmpty();
    }

    @Test
    void eachTopicIsSplitAmongItsOwnSubscribers() {
        var spec = new AssignmentSpec(Map.of(
                "a", MemberSpec.of(Set.of(t0), Map.of()),
                "b", MemberSpec.of(Set.of(t0, t1), Map.of()),
                "c", MemberSpec.of(Set.of(t1), Map.of())), topics(4, 4));

        var assignment = assignor.assign(spec);

        assertThat(assignment.get("a")).isEqualTo(Map.of(t0, Set.of(0, 1)));
        assertThat(assignment.get("b")).isEqualTo(Map.of(t0, Set.of(2, 3), t1, Set.of(0, 1)));
        assertThat(assignment.get("c")).isEqualTo(Map.of(t1, Set.of(2, 3)));
    }

    @Property(tries = 200)
    void everySubscribedPartitionIsAssignedExactlyOnce(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 12) int members,
            @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 0, max = 20) Integer> partitionCounts) {
        AssignmentSpec spec = AssignorTestSupport.heterogeneous(seed, members,
                topics(partitionCounts.stream().mapToInt(Integer::intValue).toArray()));

        assertEveryPartitionAssignedOnceToASubscriber(spec, assignor.assign(spec));
    }
}
