package io.herald.group.record;

import static io.herald.common.codec.GoldenCase.current;
import static org.assertj.core.api.Assertions.assertThat;

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
import io.herald.common.codec.GoldenCase;
import io.herald.group.consumer.MemberState;
import io.herald.common.codec.GoldenFixture;
import io.herald.common.codec.GoldenFixtures;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden bytes of the KIP-848 consumer group records in {@code __consumer_offsets}
 * ({@link ConsumerGroupRecordSerde}): every record type, its value versions, its empty variants and its
 * tombstone. Fixtures are under {@code golden/consumer-offsets-consumer-group/}; see {@link GoldenFixtures}.
 */
class ConsumerGroupRecordGoldenTest {
    private static final GoldenFixtures GOLDEN = GoldenFixtures.of("consumer-offsets-consumer-group");

    // Uuids with both halves negative and positive, so that sign handling of the two longs is pinned.
    private static final Uuid TOPIC_A = new Uuid(0x0123456789abcdefL, 0xfedcba9876543210L);
    private static final Uuid TOPIC_B = new Uuid(-2L, 3L);

    static List<GoldenCase<ConsumerGroupRecord>> cases() {
        return List.of(
                current("group-epoch-v0", "group epoch with a metadata hash",
                        new GroupEpoch("group-ü", 17, -6_148_914_691_236_517_206L)),
                current("group-epoch-tombstone", "group deleted", new GroupDeleted("group-ü")),
                current("member-metadata-v0", "member metadata, every optional field present",
                        new MemberMetadata("group-ü", "member-🚀", Optional.of("instance-1"), Optional.of("rack-b"),
                                "client-1", "/10.0.0.1", List.of("payments", "orders"), Optional.of("orders\\..*"),
                                Optional.of("uniform"), 300_000)),
                current("member-metadata-v0-absent", "member metadata, no optional field, no subscribed name",
                        new MemberMetadata("g", "m", Optional.empty(), Optional.empty(), "", "/h", List.of(),
                                Optional.empty(), Optional.empty(), -1)),
                current("member-metadata-tombstone", "member removed", new MemberRemoved("group-ü", "member-🚀")),
                current("target-assignment-epoch-v0", "target assignment epoch",
                        new TargetAssignmentEpoch("group-ü", 16)),
                current("target-assignment-epoch-tombstone", "target assignment epoch removed",
                        new TargetAssignmentEpochRemoved("group-ü")),
                current("target-assignment-member-v0", "a member's target assignment over two topics",
                        new TargetAssignmentMember("group-ü", "member-🚀",
                                Map.of(TOPIC_A, Set.of(5, 0, 2), TOPIC_B, Set.of(1)))),
                current("target-assignment-member-v0-empty", "an empty target assignment",
                        new TargetAssignmentMember("g", "m", Map.of())),
                current("target-assignment-member-tombstone", "target assignment member removed",
                        new TargetAssignmentMemberRemoved("group-ü", "member-🚀")),
                current("current-assignment-v0", "current assignment with partitions pending revocation",
                        new CurrentAssignment("group-ü", "member-🚀", 17, 15, MemberState.UNREVOKED_PARTITIONS,
                                Map.of(TOPIC_A, Set.of(0, 2)), Map.of(TOPIC_A, Set.of(5), TOPIC_B, Set.of(1)))),
                current("current-assignment-v0-empty", "a static member away: epoch -2, nothing owned",
                        new CurrentAssignment("g", "m", -2, 0, MemberState.STABLE, Map.of(), Map.of())),
                current("current-assignment-tombstone", "current assignment removed",
                        new CurrentAssignmentRemoved("group-ü", "member-🚀")));
    }

    // One test encodes and then decodes, so that a run writing missing fixtures writes before it reads.
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesToAndDecodesFromItsGoldenBytes(GoldenCase<ConsumerGroupRecord> c) {
        GoldenFixture encoded = GoldenFixture.keyValue(ConsumerGroupRecordSerde.key(c.record()),
                ConsumerGroupRecordSerde.value(c.record()));
        GOLDEN.verify(c.name(), c.description(), encoded);

        GoldenFixture fixture = GOLDEN.read(c.name());

        assertThat(ConsumerGroupRecordSerde.isConsumerGroupKey(fixture.bytes("key"))).isTrue();
        assertThat(ConsumerGroupRecordSerde.deserialize(fixture.bytes("key"), fixture.section("value").orElse(null)))
                .isEqualTo(c.record());
    }

    @Test
    void everyStoredFixtureIsCheckedByACase() {
        assertThat(GOLDEN.names()).isSubsetOf(cases().stream().map(GoldenCase::name)
                .collect(Collectors.toCollection(TreeSet::new)));
    }
}
