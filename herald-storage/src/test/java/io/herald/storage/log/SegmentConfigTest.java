package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.testutil.TestDirs;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;
import io.herald.storage.testutil.TestRecords.Rec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** segment.index.bytes below one entry, segment.jitter.ms, max.compaction.lag.ms rolls and preallocate. */
class SegmentConfigTest {
    private static final TopicPartition TP = new TopicPartition("segments", 0);

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime();
    private PartitionLog log;

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    private PartitionLog open(Map<String, ?> overrides, boolean recover) throws Exception {
        log = PartitionLog.open(root.resolve("segments-0"), TP, LogConfig.from(overrides), time, recover,
            PartitionCheckpoint.NONE);
        return log;
    }

    private List<Rec> appendFive() {
        List<Rec> written = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long offset = log.appendAsLeader(TestRecords.batch(List.of(new KV("k" + i, "v" + i, 1_000L))), 0)
                .firstOffset();
            written.add(new Rec(offset, "k" + i, "v" + i, 1_000L));
        }
        return written;
    }

    @Test
    void indexesTooSmallForOneEntryPutEveryBatchInItsOwnSegment() throws Exception {
        // segment.index.bytes=8 holds one offset entry and no time entry (12 bytes): the segment is always full.
        open(Map.of("segment.index.bytes", 8), false);
        List<Rec> written = appendFive();
        assertThat(log.numberOfSegments()).isEqualTo(5);
        assertThat(TestRecords.readAll(log)).isEqualTo(written);
        assertThat(log.offsetForTimestamp(1_000L).orElseThrow().offset()).isZero();
        log.close();
        open(Map.of("segment.index.bytes", 8), true);
        assertThat(TestRecords.readAll(log)).isEqualTo(written);
        assertThat(log.appendAsLeader(TestRecords.batch(List.of(KV.of("k", "v"))), 0).firstOffset()).isEqualTo(5);
    }

    @Test
    void jitterIsBelowTheSmallerOfJitterAndSegmentMs() {
        SplittableRandom random = new SplittableRandom(1);
        LogConfig none = LogConfig.defaults();
        LogConfig wide = LogConfig.from(Map.of("segment.ms", 1_000, "segment.jitter.ms", Long.MAX_VALUE));
        LogConfig narrow = LogConfig.from(Map.of("segment.ms", 1_000, "segment.jitter.ms", 10));
        boolean someJitter = false;
        for (int i = 0; i < 1_000; i++) {
            assertThat(RollPolicy.drawJitter(none, random)).isZero();
            long j = RollPolicy.drawJitter(wide, random);
            assertThat(j).isBetween(0L, 999L);
            someJitter |= j > 0;
            assertThat(RollPolicy.drawJitter(narrow, random)).isBetween(0L, 9L);
        }
        assertThat(someJitter).isTrue();
    }

    @Test
    void aSegmentRollsNoLaterThanSegmentMsAndNoEarlierThanItsJitter() throws Exception {
        open(Map.of("segment.ms", 1_000, "segment.jitter.ms", 400), false);
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("a", "1"))), 0);
        long jitter = log.segments().get(0).rollJitterMs();
        assertThat(jitter).isBetween(0L, 399L);
        time.advance(999 - jitter);
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("b", "1"))), 0);
        assertThat(log.numberOfSegments()).isEqualTo(1);
        time.advance(1);
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("c", "1"))), 0);
        assertThat(log.numberOfSegments()).isEqualTo(2);
    }

    @Test
    void aCompactedTopicRollsByMaxCompactionLag() throws Exception {
        open(Map.of("cleanup.policy", "compact", "max.compaction.lag.ms", 500), false);
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("a", "1"))), 0);
        time.advance(500);
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("b", "1"))), 0);
        assertThat(log.numberOfSegments()).isEqualTo(2);
    }

    @Test
    void preallocatedSegmentsAreCutToTheirDataOnRollAndCloseAndRecoverAfterACrash() throws Exception {
        Map<String, Object> config = Map.of("preallocate", true, "segment.bytes", 1 << 20);
        open(config, false);
        Path first = log.dir().resolve(LogSegment.fileName(0, LogSegment.LOG_SUFFIX));
        assertThat(Files.size(first)).isEqualTo(1 << 20);
        List<Rec> written = appendFive();
        assertThat(Files.size(first)).isEqualTo(1 << 20);
        log.roll();
        assertThat(Files.size(first)).isEqualTo(log.segments().get(0).sizeInBytes());
        log.appendAsLeader(TestRecords.batch(List.of(new KV("late", "v", 1_000L))), 0);
        written.add(new Rec(5, "late", "v", 1_000L));
        Path second = log.dir().resolve(LogSegment.fileName(5, LogSegment.LOG_SUFFIX));
        assertThat(Files.size(second)).isEqualTo(1 << 20);

        // A crash: the files as they are now, zeros after the data included, without a close.
        Path crashed = root.resolve("crashed");
        TestDirs.copy(log.dir(), crashed.resolve("segments-0"));
        log.close();
        assertThat(Files.size(second)).isEqualTo(log.segments().get(1).sizeInBytes());

        PartitionLog recovered = PartitionLog.open(crashed.resolve("segments-0"), TP, LogConfig.from(config), time,
            true, PartitionCheckpoint.NONE);
        try {
            assertThat(TestRecords.readAll(recovered)).isEqualTo(written);
            assertThat(recovered.appendAsLeader(TestRecords.batch(List.of(KV.of("k", "v"))), 0).firstOffset())
                .isEqualTo(6);
        } finally {
            recovered.close();
        }
        log = null;
    }
}
