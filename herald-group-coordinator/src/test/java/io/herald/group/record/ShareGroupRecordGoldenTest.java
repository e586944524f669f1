package io.herald.group.record;

import static io.herald.common.codec.GoldenCase.current;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.codec.GoldenCase;
import io.herald.common.codec.GoldenFixture;
import io.herald.common.codec.GoldenFixtures;
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
 * Golden bytes of the share group records in {@code __consumer_offsets} ({@link ShareGroupRecordSerde}): every
 * record type, its value version, its empty variants and its tombstone. Fixtures are under
 * {@code golden/consumer-offsets-share-group/}; see {@link GoldenFixtures}.
 */
class ShareGroupRecordGoldenTest {
    private static final GoldenFixtures GOLDEN = GoldenFixtures.of("consumer-offsets-share-group");

    // Uuids with both halves negative and positive, so that sign handling of the two longs is pinned.
    private static final Uuid TOPIC_A = new Uuid(0x0123456789abcdefL, 0xfedcba9876543210L);
    private static final Uuid TOPIC_B = new Uuid(-2L, 3L);

    static List<GoldenCase<ShareGroupRecord>> cases() {
        return List.of(
                current("share-group-epoch-v0", "share group epoch with a metadata hash",
                        new GroupEpoch("group-ü", 17, -6_148_914_691_236_517_206L)),
                current("share-group-epoch-tombstone", "share group deleted", new GroupDeleted("group-ü")),
                current("share-member-metadata-v0", "share member metadata with a rack and two topics",
                        new MemberMetadata("group-ü", "member-🚀", Optional.of("rack-b"), "client-1", "/10.0.0.1",
                                List.of("payments", "orders"))),
                current("share-member-metadata-v0-absent", "share member metadata without rack or topic",
                        new MemberMetadata("g", "m", Optional.empty(), "", "/h", List.of())),
                current("share-member-metadata-tombstone", "share member removed",
                        new MemberRemoved("group-ü", "member-🚀")),
                current("share-target-assignment-epoch-v0", "share target assignment epoch",
                        new TargetAssignmentEpoch("group-ü", 16)),
                current("share-target-assignment-epoch-tombstone", "share target assignment epoch removed",
                        new TargetAssignmentEpochRemoved("group-ü")),
                current("share-target-assignment-member-v0", "a share member's target over two topics",
                        new TargetAssignmentMember("group-ü", "member-🚀",
                                Map.of(TOPIC_A, Set.of(5, 0, 2), TOPIC_B, Set.of(1)))),
                current("share-target-assignment-member-v0-empty", "an empty share target",
                        new TargetAssignmentMember("g", "m", Map.of())),
                current("share-target-assignment-member-tombstone", "share target assignment member removed",
                        new TargetAssignmentMemberRemoved("group-ü", "member-🚀")),
                current("share-current-assignment-v0", "a share member's current assignment",
                        new CurrentAssignment("group-ü", "member-🚀", 17, 15,
                                Map.of(TOPIC_A, Set.of(0, 2), TOPIC_B, Set.of(1)))),
                current("share-current-assignment-v0-empty", "a new share member: epoch 0, previous -1, nothing",
                        new CurrentAssignment("g", "m", 0, -1, Map.of())),
                current("share-current-assignment-tombstone", "share current assignment removed",
                        new CurrentAssignmentRemoved("group-ü", "member-🚀")),
                current("share-state-partitions-v0", "share-partitions initializing, initialized and deleting",
                        new StatePartitions("group-ü",
                                Map.of(TOPIC_A, new TopicPartitions("orders", Set.of(3, 1))),
                                Map.of(TOPIC_A, new TopicPartitions("orders", Set.of(0)),
                                        TOPIC_B, new TopicPartitions("payments-ü", Set.of(0, 1))),
                                Map.of(new Uuid(7L, -7L), new TopicPartitions("gone", Set.of(0))))),
                current("share-state-partitions-v0-empty", "share state metadata with nothing in it",
                        new StatePartitions("g", Map.of(), Map.of(), Map.of())),
                current("share-state-partitions-tombstone", "share state metadata removed",
                        new StatePartitionsRemoved("group-ü")));
    }

    // One test encodes and then decodes, so that a run writing missing fixtures writes before it reads.
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesToAndDecodesFromItsGoldenBytes(GoldenCase<ShareGroupRecord> c) {
        GoldenFixture encoded = GoldenFixture.keyValue(ShareGroupRecordSerde.key(c.record()),
                ShareGroupRecordSerde.value(c.record()));
        GOLDEN.verify(c.name(), c.description(), encoded);

        GoldenFixture fixture = GOLDEN.read(c.name());

        assertThat(ShareGroupRecordSerde.isShareGroupKey(fixture.bytes("key"))).isTrue();
        assertThat(ConsumerGroupRecordSerde.isConsumerGroupKey(fixture.bytes("key"))).isFalse();
        assertThat(ShareGroupRecordSerde.deserialize(fixture.bytes("key"), fixture.section("value").orElse(null)))
                .isEqualTo(c.record());
    }

    @Test
    void everyStoredFixtureIsCheckedByACase() {
        assertThat(GOLDEN.names()).isSubsetOf(cases().stream().map(GoldenCase::name)
                .collect(Collectors.toCollection(TreeSet::new)));
    }
}
