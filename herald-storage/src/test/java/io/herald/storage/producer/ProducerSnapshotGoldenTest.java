package io.herald.storage.producer;

import static io.herald.common.codec.GoldenCase.current;
import static io.herald.common.codec.GoldenCase.older;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.codec.GoldenCase;
import io.herald.common.codec.GoldenFixture;
import io.herald.common.codec.GoldenFixtures;

import java.util.List;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden bytes of producer snapshots ({@link ProducerSnapshot}): v1, which Herald wrote before transactions and must
 * keep reading, and v2, the current version. Fixtures are under {@code golden/producer-snapshot/}; see
 * {@link GoldenFixtures}.
 */
class ProducerSnapshotGoldenTest {
    private static final GoldenFixtures GOLDEN = GoldenFixtures.of("producer-snapshot");

    static List<GoldenCase<List<ProducerStateEntry>>> cases() {
        return List.of(
            older("snapshot-v1", "two idempotent producers, as Herald wrote them before transactions", List.of(
                new ProducerStateEntry(42L, (short) 0, List.of(new BatchMetadata(Integer.MAX_VALUE, 1, 30, 32))),
                new ProducerStateEntry(1000L, (short) 3, List.of(new BatchMetadata(0, 4, 10, 14),
                    new BatchMetadata(5, 5, 20, 20))))),
            current("snapshot-v2", "an idempotent producer, one inside a transaction, and one whose epoch a "
                + "transaction-version-2 marker bumped (no batches)", List.of(
                new ProducerStateEntry(7L, (short) 1, List.of(new BatchMetadata(0, 2, 0, 2)), -1, 1_700_000_000_000L,
                    OptionalLong.empty()),
                new ProducerStateEntry(4_000_000_000L, (short) 12, List.of(new BatchMetadata(40, 44, 100, 104),
                    new BatchMetadata(45, 45, 110, 110)), 5, 1_700_000_000_123L, OptionalLong.of(100)),
                new ProducerStateEntry(Long.MAX_VALUE, Short.MAX_VALUE, List.of(), Integer.MAX_VALUE, -1L,
                    OptionalLong.empty()))),
            current("snapshot-v2-empty", "a partition without producers", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesToAndDecodesFromItsGoldenBytes(GoldenCase<List<ProducerStateEntry>> c) {
        if (c.current()) {
            GOLDEN.verify(c.name(), c.description(), GoldenFixture.entry(ProducerSnapshot.encode(c.record())));
        }
        assertThat(ProducerSnapshot.decode(GOLDEN.read(c.name()).bytes("entry")))
            .containsExactlyInAnyOrderElementsOf(c.record());
    }

    @Test
    void everyStoredFixtureIsCheckedByACase() {
        assertThat(GOLDEN.names()).isSubsetOf(cases().stream().map(GoldenCase::name)
            .collect(Collectors.toCollection(TreeSet::new)));
    }

    @Test
    void damagedSnapshotsAreCorrupt() {
        byte[] good = GOLDEN.read("snapshot-v2").bytes("entry");
        for (int i = 0; i < good.length; i += 7) {
            byte[] bad = good.clone();
            bad[i] ^= 0x40;
            assertThatThrownBy(() -> ProducerSnapshot.decode(bad)).isInstanceOf(CorruptRecordException.class);
        }
        assertThatThrownBy(() -> ProducerSnapshot.decode(java.util.Arrays.copyOf(good, good.length - 4)))
            .isInstanceOf(CorruptRecordException.class);
        assertThatThrownBy(() -> ProducerSnapshot.decode(new byte[11])).isInstanceOf(CorruptRecordException.class);
    }
}
