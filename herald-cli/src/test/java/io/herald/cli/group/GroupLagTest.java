package io.herald.cli.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class GroupLagTest {

    private static final GroupLag.Member M = new GroupLag.Member("m-1", "/127.0.0.1", "c");

    @Test
    void lagIsEndMinusCommittedAndAbsentWithoutACommit() {
        TopicPartition a0 = new TopicPartition("a", 0);
        TopicPartition a1 = new TopicPartition("a", 1);
        TopicPartition b0 = new TopicPartition("b", 0);
        List<GroupLag.Row> rows = GroupLag.rows(Map.of(a0, 3L, b0, 9L), Map.of(a0, 5L, a1, 7L, b0, 8L), Map.of(a1, M));
        assertThat(rows).containsExactly(
                new GroupLag.Row(a0, OptionalLong.of(3), OptionalLong.of(5), OptionalLong.of(2), Optional.empty()),
                new GroupLag.Row(a1, OptionalLong.empty(), OptionalLong.of(7), OptionalLong.empty(), Optional.of(M)),
                // An end read before a commit may be behind it: no negative lag.
                new GroupLag.Row(b0, OptionalLong.of(9), OptionalLong.of(8), OptionalLong.of(0), Optional.empty()));
        assertThat(GroupLag.total(rows)).isEqualTo(2);
    }

    @Test
    void hasOneSortedRowPerPartitionCommittedOrAssignedAgainstAModel() {
        Random random = new Random(11);
        for (int round = 0; round < 300; round++) {
            Map<TopicPartition, Long> committed = new HashMap<>();
            Map<TopicPartition, Long> ends = new HashMap<>();
            Map<TopicPartition, GroupLag.Member> assigned = new HashMap<>();
            for (int i = 0; i < random.nextInt(12); i++) {
                TopicPartition tp = new TopicPartition("t" + random.nextInt(3), random.nextInt(4));
                long end = random.nextInt(100);
                ends.put(tp, end);
                if (random.nextBoolean()) {
                    committed.put(tp, (long) random.nextInt(110));
                }
                if (random.nextBoolean()) {
                    assigned.put(tp, M);
                }
            }
            List<GroupLag.Row> rows = GroupLag.rows(committed, ends, assigned);
            long expectedTotal = 0;
            for (GroupLag.Row row : rows) {
                TopicPartition tp = row.partition();
                assertThat(committed.containsKey(tp) || assigned.containsKey(tp)).isTrue();
                if (committed.containsKey(tp)) {
                    long lag = Math.max(0, ends.get(tp) - committed.get(tp));
                    assertThat(row.lag()).hasValue(lag);
                    expectedTotal += lag;
                } else {
                    assertThat(row.lag()).isEmpty();
                }
            }
            long distinct = rows.stream().map(GroupLag.Row::partition).distinct().count();
            java.util.Set<TopicPartition> all = new java.util.HashSet<>(committed.keySet());
            all.addAll(assigned.keySet());
            assertThat(distinct).isEqualTo(rows.size()).isEqualTo(all.size());
            for (int i = 1; i < rows.size(); i++) {
                TopicPartition prev = rows.get(i - 1).partition();
                TopicPartition cur = rows.get(i).partition();
                assertThat(prev.topic().compareTo(cur.topic()) < 0
                        || (prev.topic().equals(cur.topic()) && prev.partition() < cur.partition())).isTrue();
            }
            assertThat(GroupLag.total(rows)).isEqualTo(expectedTotal);
        }
    }
}
