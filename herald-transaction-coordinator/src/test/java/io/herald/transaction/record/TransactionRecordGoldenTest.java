package io.herald.transaction.record;

import static io.herald.common.codec.GoldenCase.current;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.codec.GoldenCase;
import io.herald.common.codec.GoldenFixture;
import io.herald.common.codec.GoldenFixtures;
import io.herald.transaction.state.TransactionMetadata;
import io.herald.transaction.state.TransactionState;
import io.herald.transaction.state.TransactionVersion;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden bytes of the {@code __transaction_state} records ({@link TransactionRecordSerde}): an existing log must
 * stay readable, so every value version that exists is pinned here with its variants and the tombstone. Fixtures
 * are under {@code golden/transaction-state/}; see {@link GoldenFixtures} for how new ones are created.
 */
class TransactionRecordGoldenTest {
    private static final GoldenFixtures GOLDEN = GoldenFixtures.of("transaction-state");
    private static final TransactionRecordSerde SERDE = TransactionRecordSerde.INSTANCE;

    static List<GoldenCase<TransactionRecord>> cases() {
        return List.of(
                current("transaction-metadata-v0", "an ongoing transaction over two topics, every field set",
                        TransactionRecord.of(new TransactionMetadata("txn-ü-🚀", 4_000_000_123L, 4_000_000_122L, -1,
                                (short) 17, (short) 16, 60_000, TransactionState.ONGOING,
                                Set.of(new TopicPartition("orders.eu-1", 3), new TopicPartition("orders.eu-1", 0),
                                        new TopicPartition("__consumer_offsets", 12)),
                                1_700_000_000_000L, 1_700_000_000_500L, TransactionVersion.TV_0))),
                current("transaction-metadata-v0-empty", "a producer without a transaction: no partitions, no start",
                        TransactionRecord.of(new TransactionMetadata("t", 0, 0, -1, (short) 0, (short) -1, 1,
                                TransactionState.EMPTY, Set.of(), -1, 5, TransactionVersion.TV_0))),
                current("transaction-metadata-v0-prepare-commit-tv2",
                        "a TV2 commit at an exhausted epoch, with the next producer id",
                        TransactionRecord.of(new TransactionMetadata("tv2", 7, 7, 8, Short.MAX_VALUE,
                                (short) (Short.MAX_VALUE - 1), 900_000, TransactionState.PREPARE_COMMIT,
                                Set.of(new TopicPartition("t", 0)), 10, 20, TransactionVersion.TV_2))),
                current("transaction-metadata-tombstone", "an expired transactional id",
                        TransactionRecord.tombstone("txn-ü-🚀")));
    }

    // One test encodes and then decodes, so that a run writing missing fixtures writes before it reads.
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesToAndDecodesFromItsGoldenBytes(GoldenCase<TransactionRecord> c) {
        GOLDEN.verify(c.name(), c.description(), GoldenFixture.keyValue(SERDE.key(c.record()),
                SERDE.value(c.record())));

        GoldenFixture fixture = GOLDEN.read(c.name());
        Optional<TransactionRecord> decoded = SERDE.decode(ByteBuffer.wrap(fixture.bytes("key")),
                fixture.section("value").map(ByteBuffer::wrap).orElse(null));

        assertThat(decoded).contains(c.record());
    }

    @Test
    void everyStoredFixtureIsCheckedByACase() {
        assertThat(GOLDEN.names()).isSubsetOf(cases().stream().map(GoldenCase::name)
                .collect(Collectors.toCollection(TreeSet::new)));
    }

    @Test
    void anUnknownKeyTypeIsSkippedAndBadBytesAreCorrupt() {
        byte[] unknownKey = {0, 42, 0, 1, 'x'};
        assertThat(SERDE.decode(ByteBuffer.wrap(unknownKey), null)).isEmpty();

        TransactionRecord record = cases().get(0).record();
        byte[] value = SERDE.value(record);
        byte[] truncated = java.util.Arrays.copyOf(value, value.length - 3);
        assertThatThrownBy(() -> SERDE.decode(ByteBuffer.wrap(SERDE.key(record)), ByteBuffer.wrap(truncated)))
                .isInstanceOf(CorruptRecordException.class);
        byte[] badState = value.clone();
        badState[2 + 8 + 8 + 8 + 2 + 2 + 4] = 9; // the state id
        assertThatThrownBy(() -> SERDE.decode(ByteBuffer.wrap(SERDE.key(record)), ByteBuffer.wrap(badState)))
                .isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void aNewerVersionWithAppendedFieldsIsReadByItsPrefix() {
        TransactionRecord record = cases().get(0).record();
        byte[] value = SERDE.value(record);
        byte[] newer = java.util.Arrays.copyOf(value, value.length + 4);
        newer[1] = 1; // version 1, with a field v0 does not know
        assertThat(SERDE.decode(ByteBuffer.wrap(SERDE.key(record)), ByteBuffer.wrap(newer))).contains(record);
    }
}
