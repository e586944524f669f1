package io.herald.share.record;

import static io.herald.common.codec.GoldenCase.current;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.codec.GoldenCase;
import io.herald.common.codec.GoldenFixture;
import io.herald.common.codec.GoldenFixtures;
import io.herald.coordinator.share.PersistedBatch;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.share.state.SharePartitionState;
import io.herald.share.state.ShareStateUpdate;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden bytes of the {@code __share_group_state} records ({@link ShareRecordSerde}): an existing log must stay
 * readable, so every value version that exists is pinned here with its variants and the tombstone. Fixtures are
 * under {@code golden/share-group-state/}; see {@link GoldenFixtures} for how new ones are created.
 */
class ShareRecordGoldenTest {
    private static final GoldenFixtures GOLDEN = GoldenFixtures.of("share-group-state");
    private static final ShareRecordSerde SERDE = ShareRecordSerde.INSTANCE;
    private static final SharePartitionKey KEY = new SharePartitionKey("grüppe-🚀",
            new Uuid(0x0123456789abcdefL, 0xfedcba9876543210L), 7);

    static List<GoldenCase<ShareRecord>> cases() {
        return List.of(
                current("share-snapshot-v0", "a snapshot with every field set and three batches",
                        new ShareRecord.Snapshot(KEY, new SharePartitionState(3, 2, 9, 1_000_000_000_123L, 41,
                                1_700_000_000_000L, 1_700_000_000_500L, List.of(
                                        new PersistedBatch(1_000_000_000_123L, 1_000_000_000_130L, (byte) 2,
                                                (short) 1),
                                        new PersistedBatch(1_000_000_000_131L, 1_000_000_000_131L, (byte) 0,
                                                (short) 3),
                                        new PersistedBatch(1_000_000_000_140L, 1_000_000_000_199L, (byte) 4,
                                                Short.MAX_VALUE))))),
                current("share-snapshot-v0-initialized", "a share-partition just initialized without a start offset",
                        new ShareRecord.Snapshot(new SharePartitionKey("g", Uuid.ONE_UUID, 0),
                                new SharePartitionState(0, -1, 0, -1, -1, 5, 5, List.of()))),
                current("share-update-v0", "an update with a start offset and two batches",
                        new ShareRecord.Update(KEY, new ShareStateUpdate(3, 9, 500, 12, List.of(
                                new PersistedBatch(500, 510, (byte) 0, (short) 2),
                                new PersistedBatch(511, 600, (byte) 2, (short) 1))))),
                current("share-update-v0-keep-start", "an update keeping the start offset (-1), no batches",
                        new ShareRecord.Update(KEY, new ShareStateUpdate(0, -1, -1, -1, List.of()))),
                current("share-snapshot-tombstone", "a deleted share-partition", new ShareRecord.Tombstone(KEY)));
    }

    // One test encodes and then decodes, so that a run writing missing fixtures writes before it reads.
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesToAndDecodesFromItsGoldenBytes(GoldenCase<ShareRecord> c) {
        GOLDEN.verify(c.name(), c.description(), GoldenFixture.keyValue(SERDE.key(c.record()),
                SERDE.value(c.record())));

        GoldenFixture fixture = GOLDEN.read(c.name());
        Optional<ShareRecord> decoded = SERDE.decode(ByteBuffer.wrap(fixture.bytes("key")),
                fixture.section("value").map(ByteBuffer::wrap).orElse(null));

        assertThat(decoded).contains(c.record());
    }

    @Test
    void everyStoredFixtureIsCheckedByACase() {
        assertThat(GOLDEN.names()).isSubsetOf(cases().stream().map(GoldenCase::name)
                .collect(Collectors.toCollection(TreeSet::new)));
    }

    @Test
    void theTwoKindsOfKeyOfAShareParitionDifferOnlyInTheirType() {
        byte[] snapshot = SERDE.key(cases().get(0).record());
        byte[] update = SERDE.key(cases().get(2).record());
        assertThat(snapshot[1]).isZero();
        assertThat(update[1]).isEqualTo((byte) 1);
        assertThat(Arrays.copyOfRange(snapshot, 2, snapshot.length))
                .isEqualTo(Arrays.copyOfRange(update, 2, update.length));
        assertThat(SERDE.key(new ShareRecord.Tombstone(KEY))).isEqualTo(snapshot);
    }

    @Test
    void anUnknownKeyTypeIsSkippedAndBadBytesAreCorrupt() {
        byte[] unknownKey = {0, 42, 0, 1, 'x'};
        assertThat(SERDE.decode(ByteBuffer.wrap(unknownKey), null)).isEmpty();

        ShareRecord record = cases().get(0).record();
        byte[] key = SERDE.key(record);
        byte[] value = SERDE.value(record);
        byte[] truncated = Arrays.copyOf(value, value.length - 3);
        assertThatThrownBy(() -> SERDE.decode(ByteBuffer.wrap(key), ByteBuffer.wrap(truncated)))
                .isInstanceOf(CorruptRecordException.class);
        byte[] backwards = SERDE.value(new ShareRecord.Update(KEY, new ShareStateUpdate(0, 0, 0, 0,
                List.of(new PersistedBatch(5, 6, (byte) 0, (short) 0)))));
        backwards[2 + 4 + 4 + 8 + 4 + 4 + 8 + 7] = 0; // the last offset 6 becomes 0, before the first
        byte[] updateKey = SERDE.key(new ShareRecord.Update(KEY, new ShareStateUpdate(0, 0, 0, 0, List.of())));
        assertThatThrownBy(() -> SERDE.decode(ByteBuffer.wrap(updateKey), ByteBuffer.wrap(backwards)))
                .isInstanceOf(CorruptRecordException.class);
        assertThatThrownBy(() -> SERDE.decode(ByteBuffer.wrap(updateKey), null))
                .as("an update is never a tombstone").isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void aNewerVersionWithAppendedFieldsIsReadByItsPrefix() {
        ShareRecord record = cases().get(0).record();
        byte[] value = SERDE.value(record);
        byte[] newer = Arrays.copyOf(value, value.length + 4);
        newer[1] = 1; // version 1, with a field v0 does not know
        assertThat(SERDE.decode(ByteBuffer.wrap(SERDE.key(record)), ByteBuffer.wrap(newer))).contains(record);
    }
}
