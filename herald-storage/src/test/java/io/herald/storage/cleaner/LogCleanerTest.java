package io.herald.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.PartitionCheckpoint;
import io.herald.storage.log.PartitionLog;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;
import io.herald.storage.testutil.TestRecords.Rec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCleanerTest {
    private static final TopicPartition TP = new TopicPartition("compacted", 0);
    private static final long DELETE_RETENTION_MS = 10_000;

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime(1_000_000L);
    private final LogConfig config = LogConfig.from(Map.of("cleanup.policy", "compact", "internal.segment.bytes", 800,
        "index.interval.bytes", 100, "segment.index.bytes", 4096, "delete.retention.ms", DELETE_RETENTION_MS,
        "file.delete.delay.ms", 0));
    private PartitionLog log;
    private final List<Rec> written = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        log = PartitionLog.open(root.resolve("compacted-0"), TP, config, time, false, PartitionCheckpoint.NONE);
    }

    @AfterEach
    void close() {
        log.close();
    }

    private void write(int batches) {
        for (int b = 0; b < batches; b++) {
            List<KV> kvs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = b * 3 + i;
                String key = "k" + (n * 7 % 5);
                // Every fourth write of a key is a tombstone.
                String value = n % 4 == 3 ? null : "v" + n;
                kvs.add(new KV(key, value, time.milliseconds()));
            }
            long first = log.appendAsLeader(TestRecords.batch(b % 2 == 0 ? Compression.NONE : Compression.gzip().build(), kvs), 0)
                .firstOffset();
            for (int i = 0; i < kvs.size(); i++) {
                written.add(new Rec(first + i, kvs.get(i).key(), kvs.get(i).value(), kvs.get(i).timestamp()));
            }
        }
        // Replicated: the cleaner never works above the high watermark.
        log.updateHighWatermark(log.logEndOffset());
    }

    /** Newest record per key among offsets below {@code cleanableEnd}; everything at or above it untouched. */
    private List<Rec> expected(long cleanableEnd, boolean tombstonesGone) {
        Map<String, Long> newest = new HashMap<>();
        written.stream().filter(r -> r.offset() < cleanableEnd).forEach(r -> newest.put(r.key(), r.offset()));
        return written.stream()
            .filter(r -> r.offset() >= cleanableEnd
                || (newest.get(r.key()) == r.offset() && !(tombstonesGone && r.value() == null)))
            .toList();
    }

    @Test
    void keepsTheNewestRecordPerKeyWithOriginalOffsetsThenDropsTombstonesAfterTheHorizon() throws Exception {
        write(20);
        log.roll();
        write(1);
        long cleanableEnd = log.segments().get(log.segments().size() - 1).baseOffset();
        LogCleaner cleaner = new LogCleaner(time);

        LogCleaner.CleanResult result = cleaner.clean(log);

        assertThat(result.segmentsRewritten()).isPositive();
        assertThat(result.bytesAfter()).isLessThan(result.bytesBefore());
        List<Rec> firstPass = expected(cleanableEnd, false);
        assertThat(TestRecords.readAll(log)).isEqualTo(firstPass);
        assertThat(firstPass).anyMatch(r -> r.value() == null && r.offset() < cleanableEnd);

        time.advance(DELETE_RETENTION_MS - 1);
        cleaner.clean(log);
        assertThat(TestRecords.readAll(log)).isEqualTo(firstPass);

        time.advance(2);
        cleaner.clean(log);
        assertThat(TestRecords.readAll(log)).isEqualTo(expected(cleanableEnd, true));
        assertThat(log.logEndOffset()).isEqualTo(written.size());
    }

    @Test
    void openCompletesAnInterruptedSwapAndDiscardsUnfinishedOutput() throws Exception {
        write(20);
        log.roll();
        write(1);
        new LogCleaner(time).clean(log);
        List<Rec> cleaned = TestRecords.readAll(log);
        log.close();
        Path dir = root.resolve("compacted-0");
        Path first = dir.resolve(io.herald.storage.log.LogSegment.fileName(0, io.herald.storage.log.LogSegment.LOG_SUFFIX));
        // Crash after ".cleaned" was renamed to ".swap" but before it replaced the original, plus
        // a half-written ".cleaned" of another pass.
        java.nio.file.Files.move(first, first.resolveSibling(first.getFileName() + ".swap"));
        java.nio.file.Files.write(first, new byte[] {1, 2, 3});
        java.nio.file.Files.write(first.resolveSibling(first.getFileName() + ".cleaned"), new byte[] {9, 9});

        log = PartitionLog.open(dir, TP, config, time, true, PartitionCheckpoint.NONE);

        assertThat(TestRecords.readAll(log)).isEqualTo(cleaned);
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".swap") || n.endsWith(".cleaned"));
        }
    }

    @Test
    void readsAtRemovedOffsetsReturnTheNextRetainedRecordAndSurviveReopen() throws Exception {
        write(20);
        log.roll();
        write(1);
        new LogCleaner(time).clean(log);
        List<Rec> after = TestRecords.readAll(log);
        long removed = written.stream().map(Rec::offset).filter(o -> after.stream().noneMatch(r -> r.offset() == o))
            .findFirst().orElseThrow();
        long nextRetained = after.stream().map(Rec::offset).filter(o -> o > removed).findFirst().orElseThrow();
        List<Rec> read = TestRecords.records(log.read(removed, 100_000, Long.MAX_VALUE, true).slice());
        assertThat(read.stream().filter(r -> r.offset() >= removed).findFirst().orElseThrow().offset()).isEqualTo(nextRetained);

        log.close();
        log = PartitionLog.open(root.resolve("compacted-0"), TP, config, time, true, PartitionCheckpoint.NONE);
        assertThat(TestRecords.readAll(log)).isEqualTo(after);
        assertThat(log.appendAsLeader(TestRecords.batch(List.of(KV.of("k1", "new"))), 0).firstOffset()).isEqualTo(written.size());
    }

    @Test
    void maybeCleanWaitsForEnoughDirtyBytesAndForTombstoneHorizons() throws Exception {
        write(20);
        log.roll();
        write(1);
        LogCleaner cleaner = new LogCleaner(time);
        assertThat(cleaner.maybeClean(log)).as("never cleaned: all dirty").isPresent();
        List<Rec> cleaned = TestRecords.readAll(log);
        assertThat(cleaner.maybeClean(log)).as("nothing new since").isEmpty();

        time.advance(DELETE_RETENTION_MS);
        assertThat(cleaner.maybeClean(log)).as("kept tombstones reached their horizon").isPresent();
        assertThat(TestRecords.readAll(log)).hasSizeLessThan(cleaned.size()).noneMatch(r -> r.value() == null
            && r.offset() < log.segments().get(log.segments().size() - 1).baseOffset());
        assertThat(cleaner.maybeClean(log)).isEmpty();
    }

    @Test
    void minCompactionLagKeepsYoungSegmentsUncleaned() throws Exception {
        log.updateConfig(LogConfig.from(Map.of("cleanup.policy", "compact", "internal.segment.bytes", 800,
            "min.compaction.lag.ms", 60_000, "delete.retention.ms", DELETE_RETENTION_MS, "file.delete.delay.ms", 0)));
        write(20);
        log.roll();
        write(1);
        LogCleaner cleaner = new LogCleaner(time);
        assertThat(cleaner.maybeClean(log)).isEmpty();
        assertThat(TestRecords.readAll(log)).hasSameSizeAs(written);
        time.advance(60_001);
        assertThat(cleaner.maybeClean(log)).isPresent();
        assertThat(TestRecords.readAll(log)).hasSizeLessThan(written.size());
    }
}
