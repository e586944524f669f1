package io.herald.group.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.group.record.ShareGroupRecord.CurrentAssignment;
import io.herald.group.record.ShareGroupRecord.CurrentAssignmentRemoved;
import io.herald.group.record.ShareGroupRecord.GroupDeleted;
import io.herald.group.record.ShareGroupRecord.GroupEpoch;
import io.herald.group.record.ShareGroupRecord.MemberMetadata;
import io.herald.group.record.ShareGroupRecord.MemberRemoved;
import io.herald.group.record.ShareGroupRecord.StatePartitions;
import io.herald.group.record.ShareGroupRecord.StatePartitionsRemoved;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentEpoch;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentEpochRemoved;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentMember;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentMemberRemoved;
import io.herald.group.record.ShareGroupRecord.TopicPartitions;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class ShareGroupRecordSerdeTest {
    private static final Uuid T1 = new Uuid(1, 2);
    private static final Uuid T2 = new Uuid(-7, 9);

    private static List<ShareGroupRecord> samples() {
        return List.of(
                new GroupEpoch("g", 7, -123456789L),
                new GroupDeleted("g"),
                new MemberMetadata("g", "m", Optional.of("rack"), "client", "/10.0.0.1", List.of("b", "a")),
                new MemberRemoved("g", "m"),
                new TargetAssignmentEpoch("g", 3),
                new TargetAssignmentEpochRemoved("g"),
                new TargetAssignmentMember("g", "m", Map.of(T1, Set.of(3, 1), T2, Set.of(0))),
                new TargetAssignmentMemberRemoved("g", "m"),
                new CurrentAssignment("g", "m", 5, 4, Map.of(T1, Set.of(1))),
                new CurrentAssignmentRemoved("g", "m"),
                new StatePartitions("g", Map.of(T1, new TopicPartitions("t1", Set.of(0))), Map.of(),
                        Map.of(T2, new TopicPartitions("t2", Set.of(1, 2)))),
                new StatePartitionsRemoved("g"));
    }

    @Test
    void everyRecordKindRoundTripsThroughBothSerdes() {
        for (ShareGroupRecord r : samples()) {
            byte[] key = ShareGroupRecordSerde.key(r);
            byte[] value = ShareGroupRecordSerde.value(r);
            assertThat(ShareGroupRecordSerde.deserialize(key, value)).isEqualTo(r);
            // __consumer_offsets is read through the serde of all its formats, which routes by key type.
            assertThat(GroupCoordinatorRecordSerde.INSTANCE.decode(ByteBuffer.wrap(key),
                    value == null ? null : ByteBuffer.wrap(value))).contains(r);
            assertThat(GroupCoordinatorRecordSerde.INSTANCE.key(r)).isEqualTo(key);
        }
    }

    @Test
    void tombstonesShareTheKeyOfWhatTheyDelete() {
        List<ShareGroupRecord> all = samples();
        for (int i = 0; i < all.size(); i += 2) {
            assertThat(ShareGroupRecordSerde.key(all.get(i + 1))).as(all.get(i + 1).toString())
                    .isEqualTo(ShareGroupRecordSerde.key(all.get(i)));
            assertThat(ShareGroupRecordSerde.value(all.get(i + 1))).isNull();
            assertThat(ShareGroupRecordSerde.value(all.get(i))).isNotNull();
        }
    }

    @Test
    void keysOfDifferentKindsGroupsAndMembersDiffer() {
        assertThat(samples().stream().filter(r -> ShareGroupRecordSerde.value(r) != null)
                .map(r -> Arrays.toString(ShareGroupRecordSerde.key(r))).distinct()).hasSize(6);
        assertThat(ShareGroupRecordSerde.key(new MemberRemoved("g", "m1")))
                .isNotEqualTo(ShareGroupRecordSerde.key(new MemberRemoved("g", "m2")));
        assertThat(ShareGroupRecordSerde.key(new GroupDeleted("g1")))
                .isNotEqualTo(ShareGroupRecordSerde.key(new GroupDeleted("g2")));
    }

    @Test
    void subscriptionsAreSetsAndEmptyTopicsVanish() {
        assertThat(new MemberMetadata("g", "m", Optional.empty(), "c", "h", List.of("b", "a", "b")))
                .isEqualTo(new MemberMetadata("g", "m", Optional.empty(), "c", "h", List.of("a", "b")));
        assertThat(new StatePartitions("g", Map.of(T1, new TopicPartitions("t", Set.of())), Map.of(), Map.of())
                .initializing()).isEmpty();
    }

    @Test
    void aTruncatedOrNegativeVersionValueIsCorrupt() {
        GroupEpoch epoch = new GroupEpoch("g", 1, 2);
        byte[] value = ShareGroupRecordSerde.value(epoch);
        assertThatThrownBy(() -> ShareGroupRecordSerde.deserialize(ShareGroupRecordSerde.key(epoch),
                Arrays.copyOf(value, value.length - 1))).isInstanceOf(IllegalArgumentException.class);
        byte[] negative = value.clone();
        negative[0] = (byte) 0xff;
        negative[1] = (byte) 0xff;
        assertThatThrownBy(() -> ShareGroupRecordSerde.deserialize(ShareGroupRecordSerde.key(epoch), negative))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 200)
    void statePartitionsAndAssignmentsRoundTrip(@ForAll @Size(max = 4) List<@IntRange(max = 40) Integer> a,
                                                @ForAll @Size(max = 4) List<@IntRange(max = 40) Integer> b,
                                                @ForAll @IntRange(min = -2, max = 1000) int epoch) {
        Map<Uuid, TopicPartitions> topics = new TreeMap<>();
        topics.put(T1, new TopicPartitions("t-1", new TreeSet<>(a)));
        topics.put(T2, new TopicPartitions("t-2", new TreeSet<>(b)));
        StatePartitions sp = new StatePartitions("g", topics, Map.of(T2, new TopicPartitions("x", Set.copyOf(a))),
                topics);
        CurrentAssignment ca = new CurrentAssignment("g", "m", epoch, epoch - 1,
                Map.of(T1, new TreeSet<>(a), T2, new TreeSet<>(b)));
        for (ShareGroupRecord r : List.<ShareGroupRecord>of(sp, ca)) {
            assertThat(ShareGroupRecordSerde.deserialize(ShareGroupRecordSerde.key(r), ShareGroupRecordSerde.value(r)))
                    .isEqualTo(r);
        }
    }
}
