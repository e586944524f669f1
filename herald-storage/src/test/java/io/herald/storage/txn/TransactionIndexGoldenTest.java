package io.herald.storage.txn;

import static io.herald.common.codec.GoldenCase.current;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.codec.GoldenCase;
import io.herald.common.codec.GoldenFixture;
import io.herald.common.codec.GoldenFixtures;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden bytes of {@code .txnindex} files: Kafka's {@code AbortedTxn} layout, version 0, which Kafka has never
 * changed. Fixtures are under {@code golden/txn-index/}; see {@link GoldenFixtures}.
 */
class TransactionIndexGoldenTest {
    private static final GoldenFixtures GOLDEN = GoldenFixtures.of("txn-index");

    @TempDir
    Path dir;

    static List<GoldenCase<List<AbortedTxn>>> cases() {
        return List.of(
            current("aborted-txn-v0", "one aborted transaction, the last stable offset right after its marker",
                List.of(new AbortedTxn(4711L, 1_000L, 1_007L, 1_008L))),
            current("txn-index-v0-interleaved", "three aborted transactions of three producers; the first one's last "
                + "stable offset is held back by the second, still open when the first aborted",
                List.of(new AbortedTxn(1L, 20L, 30L, 25L), new AbortedTxn(2L, 25L, 40L, 41L),
                    new AbortedTxn(Long.MAX_VALUE, 0x7fff_ffff_0000L, 0x7fff_ffff_0010L, 0x7fff_ffff_0011L))));
    }

    // One test encodes and then decodes, so that a run writing missing fixtures writes before it reads.
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesToAndDecodesFromItsGoldenBytes(GoldenCase<List<AbortedTxn>> c) throws Exception {
        Path file = dir.resolve("00000000000000000000.txnindex");
        try (TransactionIndex index = TransactionIndex.open(file, 0)) {
            for (AbortedTxn txn : c.record()) {
                index.append(txn);
            }
        }
        GOLDEN.verify(c.name(), c.description(), GoldenFixture.entry(Files.readAllBytes(file)));

        Path stored = dir.resolve("00000000000000000000.stored.txnindex");
        Files.write(stored, GOLDEN.read(c.name()).bytes("entry"));
        try (TransactionIndex index = TransactionIndex.open(stored, 0)) {
            assertThat(index.needsRebuild()).isFalse();
            assertThat(index.entries()).isEqualTo(c.record());
        }
    }

    @Test
    void everyStoredFixtureIsCheckedByACase() {
        assertThat(GOLDEN.names()).isSubsetOf(cases().stream().map(GoldenCase::name)
            .collect(Collectors.toCollection(TreeSet::new)));
    }
}
