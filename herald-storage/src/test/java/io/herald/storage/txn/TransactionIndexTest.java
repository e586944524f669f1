package io.herald.storage.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transaction index against Kafka's own {@code TransactionIndex} (kafka-storage 4.3.1, test scope): the same
 * entries give the same bytes, each reads the other's file, and both answer the same searches.
 */
class TransactionIndexTest {
    @TempDir
    Path dir;

    private static final List<AbortedTxn> ENTRIES = List.of(
        new AbortedTxn(7L, 100, 104, 100),
        new AbortedTxn(3L, 90, 110, 105),
        new AbortedTxn(7L, 106, 120, 121),
        new AbortedTxn(Long.MAX_VALUE, 121, 130, 131));

    private TransactionIndex write(Path file, List<AbortedTxn> entries) throws Exception {
        TransactionIndex index = TransactionIndex.open(file, 100);
        for (AbortedTxn e : entries) {
            index.append(e);
        }
        return index;
    }

    @Test
    void entryLayoutIsKafkasAbortedTxn() {
        ByteBuffer b = ByteBuffer.wrap(new AbortedTxn(0x0102030405060708L, 11, 22, 33).toBytes());
        assertThat(b.capacity()).isEqualTo(34);
        assertThat(b.getShort(0)).isEqualTo((short) 0);
        assertThat(b.getLong(2)).isEqualTo(0x0102030405060708L);
        assertThat(b.getLong(10)).isEqualTo(11);
        assertThat(b.getLong(18)).isEqualTo(22);
        assertThat(b.getLong(26)).isEqualTo(33);
    }

    @Test
    void sameBytesAsKafkasIndexAndEachReadsTheOthersFile() throws Exception {
        Path ours = dir.resolve("ours.txnindex");
        try (TransactionIndex index = write(ours, ENTRIES)) {
            assertThat(index.entries()).isEqualTo(ENTRIES);
        }
        File theirs = dir.resolve("theirs.txnindex").toFile();
        try (var kafka = new org.apache.kafka.storage.internals.log.TransactionIndex(100, theirs)) {
            for (AbortedTxn e : ENTRIES) {
                kafka.append(new org.apache.kafka.storage.internals.log.AbortedTxn(e.producerId(), e.firstOffset(),
                    e.lastOffset(), e.lastStableOffset()));
            }
            kafka.flush();
        }
        assertThat(Files.readAllBytes(ours)).isEqualTo(Files.readAllBytes(theirs.toPath()));

        try (TransactionIndex reopened = TransactionIndex.open(theirs.toPath(), 100);
             var kafka = new org.apache.kafka.storage.internals.log.TransactionIndex(100, ours.toFile())) {
            assertThat(reopened.entries()).isEqualTo(ENTRIES);
            assertThat(kafka.allAbortedTxns()).extracting(t -> new AbortedTxn(t.producerId(), t.firstOffset(),
                t.lastOffset(), t.lastStableOffset())).isEqualTo(ENTRIES);
        }
    }

    @Test
    void searchesAgreeWithKafkas() throws Exception {
        Path file = dir.resolve("00000000000000000100.txnindex");
        Random random = new Random(17);
        try (TransactionIndex index = write(file, ENTRIES);
             var kafka = new org.apache.kafka.storage.internals.log.TransactionIndex(100, file.toFile())) {
            for (int i = 0; i < 500; i++) {
                long fetch = 80 + random.nextInt(60);
                long upper = fetch + random.nextInt(40);
                TransactionIndex.SearchResult ours = index.collect(fetch, upper);
                var theirs = kafka.collectAbortedTxns(fetch, upper);
                assertThat(ours.complete()).as("complete for [%d, %d)", fetch, upper).isEqualTo(theirs.isComplete());
                assertThat(ours.abortedTxns()).as("entries for [%d, %d)", fetch, upper)
                    .isEqualTo(theirs.abortedTransactions().stream().map(t -> new AbortedTxn(t.producerId(),
                        t.firstOffset(), t.lastOffset(), t.lastStableOffset())).toList());
            }
        }
    }

    @Test
    void noFileUntilTheFirstEntry() throws Exception {
        Path file = dir.resolve("00000000000000000100.txnindex");
        try (TransactionIndex index = TransactionIndex.open(file, 100)) {
            assertThat(file).doesNotExist();
            assertThat(index.entries()).isEmpty();
            index.truncateTo(0);
            index.reset();
            assertThat(file).doesNotExist();
            index.append(ENTRIES.get(0));
            assertThat(file).hasSize(34);
        }
    }

    @Test
    void truncationRemovesEntriesWhoseMarkerIsAtOrAfterTheOffset() throws Exception {
        Path file = dir.resolve("t.txnindex");
        try (TransactionIndex index = write(file, ENTRIES)) {
            index.truncateTo(120);
            assertThat(index.entries()).isEqualTo(ENTRIES.subList(0, 2));
            assertThat(file).hasSize(68);
            index.truncateTo(200);
            assertThat(index.entries()).hasSize(2);
            // Appends continue after the cut; the ordering check forgot the removed entries.
            index.append(new AbortedTxn(9L, 111, 111, 112));
            index.reset();
            assertThat(index.entries()).isEmpty();
            assertThat(file).exists().hasSize(0);
        }
    }

    @Test
    void lastOffsetsMustIncrease() throws Exception {
        try (TransactionIndex index = write(dir.resolve("o.txnindex"), ENTRIES.subList(0, 2))) {
            assertThatThrownBy(() -> index.append(new AbortedTxn(1L, 100, 110, 111)))
                .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> TransactionIndex.open(dir.resolve("p.txnindex"), 100)
                .append(new AbortedTxn(1L, 10, 99, 100))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void tornEntryAtTheEndIsCutOnOpen() throws Exception {
        Path file = dir.resolve("torn.txnindex");
        write(file, ENTRIES.subList(0, 2)).close();
        byte[] third = ENTRIES.get(2).toBytes();
        Files.write(file, java.util.Arrays.copyOf(third, 20), java.nio.file.StandardOpenOption.APPEND);
        try (TransactionIndex index = TransactionIndex.open(file, 100)) {
            assertThat(index.needsRebuild()).isFalse();
            assertThat(index.entries()).isEqualTo(ENTRIES.subList(0, 2));
            assertThat(file).hasSize(68);
            index.append(ENTRIES.get(2));
            assertThat(index.entries()).isEqualTo(ENTRIES.subList(0, 3));
        }
    }

    @Test
    void corruptFileIsEmptiedAndFlaggedForRebuild() throws Exception {
        Path file = dir.resolve("bad.txnindex");
        // Out of order, as a foreign or damaged file could be.
        byte[] bytes = new byte[68];
        System.arraycopy(ENTRIES.get(2).toBytes(), 0, bytes, 0, 34);
        System.arraycopy(ENTRIES.get(0).toBytes(), 0, bytes, 34, 34);
        Files.write(file, bytes);
        try (TransactionIndex index = TransactionIndex.open(file, 100)) {
            assertThat(index.needsRebuild()).isTrue();
            assertThat(index.entries()).isEmpty();
        }
        Files.write(file, new byte[] {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0}); // version 1
        try (TransactionIndex index = TransactionIndex.open(file, 0)) {
            assertThat(index.needsRebuild()).isTrue();
        }
    }

    @Test
    void renameKeepsTheIndexUsable() throws Exception {
        Path file = dir.resolve("r.txnindex");
        try (TransactionIndex index = write(file, ENTRIES.subList(0, 1))) {
            Path target = dir.resolve("r.txnindex.deleted");
            index.renameTo(target);
            assertThat(file).doesNotExist();
            assertThat(index.entries()).hasSize(1);
            index.deleteIfExists();
            assertThat(target).doesNotExist();
        }
    }
}
