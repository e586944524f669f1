package io.herald.group.record;

import io.herald.group.consumer.MemberState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.group.record.ConsumerGroupRecord.CurrentAssignment;
import io.herald.group.record.ConsumerGroupRecord.CurrentAssignmentRemoved;
import io.herald.group.record.ConsumerGroupRecord.GroupDeleted;
import io.herald.group.record.ConsumerGroupRecord.GroupEpoch;
import io.herald.group.record.ConsumerGroupRecord.MemberMetadata;
import io.herald.group.record.ConsumerGroupRecord.MemberRemoved;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentEpoch;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentEpochRemoved;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentMember;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentMemberRemoved;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class ConsumerGroupRecordSerdeTest {

    private static final Uuid T1 = new Uuid(1, 2);
    private static final Uuid T2 = new Uuid(-7, 9);

    private static List<ConsumerGroupRecord> samples() {
        return List.of(
                new GroupEpoch("g", 7, -123456789L),
                new GroupDeleted("g"),
                new MemberMetadata("g", "m", Optional.of("i"), Optional.empty(), "client", "/10.0.0.1",
                        List.of("b", "a"), Optional.of("t.*"), Optional.of("range"), 30_000),
                new MemberMetadata("g", "m", Optional.empty(), Optional.of("rack-1"), "client", "/h",
                        List.of(), Optional.empty(), Optional.empty(), -1),
                new MemberRemoved("g", "m"),
                new TargetAssignmentEpoch("g", 3),
                new TargetAssignmentEpochRemoved("g"),
                new TargetAssignmentMember("g", "m", Map.of(T1, Set.of(3, 1), T2, Set.of(0))),
                new TargetAssignmentMemberRemoved("g", "m"),
                new CurrentAssignment("g", "m", 5, 4, MemberState.UNREVOKED_PARTITIONS,
                        Map.of(T1, Set.of(1)), Map.of(T2, Set.of(0, 2))),
                new CurrentAssignmentRemoved("g", "m"));
    }

    @Test
    void everyRecordKindRoundTrips() {
        for (ConsumerGroupRecord r : samples()) {
            assertThat(ConsumerGroupRecordSerde.deserialize(r.key(), r.value())).isEqualTo(r);
            assertThat(ConsumerGroupRecordSerde.isConsumerGroupKey(r.key())).isTrue();
        }
    }

    @Test
    void tombstonesShareTheKeyOfWhatTheyDelete() {
        assertThat(new GroupDeleted("g").key()).isEqualTo(new GroupEpoch("g", 1, 0).key());
        assertThat(new MemberRemoved("g", "m").key()).isEqualTo(samples().get(2).key());
        assertThat(new CurrentAssignmentRemoved("g", "m").key()).isEqualTo(samples().get(9).key());
        assertThat(new TargetAssignmentMemberRemoved("g", "m").key()).isEqualTo(samples().get(7).key());
        assertThat(new TargetAssignmentEpochRemoved("g").key()).isEqualTo(new TargetAssignmentEpoch("g", 9).key());
        assertThat(samples().stream().filter(r -> r.value() == null)).hasSize(5);
    }

    @Test
    void keysOfDifferentMembersGroupsAndKindsDiffer() {
        assertThat(new MemberRemoved("g", "m").key()).isNotEqualTo(new MemberRemoved("g", "n").key());
        assertThat(new MemberRemoved("g", "m").key()).isNotEqualTo(new MemberRemoved("h", "m").key());
        assertThat(new MemberRemoved("g", "m").key()).isNotEqualTo(new CurrentAssignmentRemoved("g", "m").key());
        assertThat(ConsumerGroupRecordSerde.isConsumerGroupKey(new byte[] {0, 1, 0, 0})).isFalse();
    }

    @Test
    void newerValueVersionWithAppendedFieldsIsReadByItsKnownPrefix() {
        TargetAssignmentEpoch r = new TargetAssignmentEpoch("g", 4);
        byte[] newer = Arrays.copyOf(r.value(), r.value().length + 3);
        newer[1] = 1;

        assertThat(ConsumerGroupRecordSerde.deserialize(r.key(), newer)).isEqualTo(r);
    }

    @Test
    void negativeVersionAndTruncatedValueAreRejected() {
        GroupEpoch r = new GroupEpoch("g", 1, 2);
        byte[] value = r.value();
        value[0] = (byte) 0x80;
        assertThatThrownBy(() -> ConsumerGroupRecordSerde.deserialize(r.key(), value))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: >= 0");
        assertThatThrownBy(() -> ConsumerGroupRecordSerde.deserialize(r.key(), Arrays.copyOf(r.value(), 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    }

    @Test
    void unknownKeyTypesAndMemberStatesAreRejectedWithTheirOffset() {
        assertThatThrownBy(() -> ConsumerGroupRecordSerde.deserialize(new byte[] {0, 9, 0, 1, 'g'}, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at offset 0: unknown record type 9 (expected: one of 3, 5, 6, 7, 8)");

        CurrentAssignment r = (CurrentAssignment) samples().get(9);
        byte[] value = r.value();
        value[10] = 7; // the state code, after version, member epoch and previous member epoch
        assertThatThrownBy(() -> ConsumerGroupRecordSerde.deserialize(r.key(), value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("value at offset 10: unknown member state code: 7");
    }

    @Property(tries = 200)
    void currentAssignmentRoundTrips(
            @ForAll String memberId,
            @ForAll int epoch,
            @ForAll @IntRange(min = 0, max = 2) int state,
            @ForAll Set<@IntRange(min = 0, max = 1000) Integer> assigned,
            @ForAll Set<@IntRange(min = 0, max = 1000) Integer> pending) {
        CurrentAssignment r = new CurrentAssignment("group-ü", memberId, epoch, epoch - 1,
                MemberState.fromCode((byte) state), Map.of(T1, assigned), Map.of(T2, pending));

        assertThat(ConsumerGroupRecordSerde.deserialize(r.key(), r.value())).isEqualTo(r);
    }
}
