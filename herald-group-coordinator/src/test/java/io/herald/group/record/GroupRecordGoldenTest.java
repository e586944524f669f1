package io.herald.group.record;

import io.herald.group.offsets.OffsetAndMetadata;
import static io.herald.common.codec.GoldenCase.current;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.codec.GoldenCase;
import io.herald.common.codec.GoldenFixture;
import io.herald.common.codec.GoldenFixtures;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden bytes of the classic group records in {@code __consumer_offsets} ({@link GroupRecordSerde}): an
 * existing log must stay readable, so every value version that exists is pinned here, with its null and
 * tombstone variants. Fixtures are under {@code golden/consumer-offsets-classic/}; see {@link GoldenFixtures}
 * for how new ones are created.
 */
class GroupRecordGoldenTest {
    private static final GoldenFixtures GOLDEN = GoldenFixtures.of("consumer-offsets-classic");

    static List<GoldenCase<GroupRecord>> cases() {
        var staticMember = new GroupRecord.MemberValue("consumer-1-5b0c", "instance-ü", "client-🚀", "/10.0.0.1",
                300_000, 45_000, new byte[] {0, 1, 2, (byte) 0xff}, new byte[] {9, 8, 7});
        var dynamicMember = new GroupRecord.MemberValue("consumer-2-77aa", null, "client-2", "/10.0.0.2", 60_000,
                10_000, new byte[0], new byte[0]);
        return List.of(
                current("offset-commit-v0", "offset commit, every field set, explicit expiry",
                        new GroupRecord.OffsetCommit("group-ü", "orders.eu-1", 7, Optional.of(new OffsetAndMetadata(
                                1_234_567_890_123L, 42, "meta ✓ 🚀", 1_700_000_000_000L,
                                OptionalLong.of(1_700_000_600_000L))))),
                current("offset-commit-v0-no-expiry", "offset commit without leader epoch, metadata or expiry",
                        new GroupRecord.OffsetCommit("g", "t", 0, Optional.of(new OffsetAndMetadata(
                                0, -1, "", 5, OptionalLong.empty())))),
                current("offset-commit-tombstone", "tombstone of an offset commit",
                        new GroupRecord.OffsetCommit("group-ü", "orders.eu-1", 7, Optional.empty())),
                current("group-metadata-v0", "group metadata, a static and a dynamic member",
                        new GroupRecord.GroupMetadata("group-ü", Optional.of(new GroupRecord.GroupMetadataValue(
                                "consumer", 5, "cooperative-sticky", "consumer-1-5b0c", 1_700_000_000_123L,
                                List.of(staticMember, dynamicMember))))),
                current("group-metadata-v0-empty", "group metadata of an empty group: no protocol, leader, member",
                        new GroupRecord.GroupMetadata("g", Optional.of(new GroupRecord.GroupMetadataValue(
                                "", 0, null, null, -1, List.of())))),
                current("group-metadata-tombstone", "tombstone of a group",
                        new GroupRecord.GroupMetadata("group-ü", Optional.empty())));
    }

    // One test encodes and then decodes, so that a run writing missing fixtures writes before it reads.
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesToAndDecodesFromItsGoldenBytes(GoldenCase<GroupRecord> c) {
        GoldenFixture encoded = GoldenFixture.keyValue(GroupRecordSerde.key(c.record()),
                GroupRecordSerde.value(c.record()));
        GOLDEN.verify(c.name(), c.description(), encoded);

        GoldenFixture fixture = GOLDEN.read(c.name());

        Optional<GroupRecord> decoded = GroupRecordSerde.decode(ByteBuffer.wrap(fixture.bytes("key")),
                fixture.section("value").map(ByteBuffer::wrap).orElse(null));

        // Recursive: MemberValue holds byte arrays, which record equality compares by identity.
        assertThat(decoded).get().usingRecursiveComparison().isEqualTo(c.record());
    }

    @Test
    void everyStoredFixtureIsCheckedByACase() {
        assertThat(GOLDEN.names()).isSubsetOf(cases().stream().map(GoldenCase::name)
                .collect(Collectors.toCollection(TreeSet::new)));
    }
}
