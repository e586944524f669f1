package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;
import io.herald.storage.testutil.TestRecords.Rec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimestampAndRetentionTest {
    private static final TopicPartition TP = new TopicPartition("time", 0);

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime(10_000_000L);
    private PartitionLog log;

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    private PartitionLog open(LogConfig config) throws Exception {
        log = PartitionLog.open(root.resolve("time-0"), TP, config, time, false, PartitionCheckpoint.NONE);
        return log;
    }

    @Test
    void offsetForTimestampMatchesABruteForceScan() throws Exception {
        open(LogConfig.from(Map.of("internal.segment.bytes", 1200, "index.interval.bytes", 100,
            "segment.index.bytes", 4096, "retention.ms", -1, "retention.bytes", -1)));
        Random random = new Random(42);
        long ts = 1_000;
        for (int b = 0; b < 60; b++) {
            List<KV> kvs = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(4); i++) {
                // Mostly increasing, sometimes going back: the index must not assume sorted records.
                ts += random.nextInt(50) - 10;
                kvs.add(new KV("k", "v" + b, ts));
            }
            log.appendAsLeader(TestRecords.batch(b % 3 == 0 ? Compression.gzip().build() : Compression.NONE, kvs), b / 10);
        }
        assertThat(log.numberOfSegments()).isGreaterThan(2);
        List<Rec> all = TestRecords.readAll(log);
        long maxTs = all.stream().mapToLong(Rec::timestamp).max().orElseThrow();
        for (long target = 900; target <= maxTs + 10; target += 7) {
            final long t = target;
            Optional<Rec> expected = all.stream().filter(r -> r.timestamp() >= t).findFirst();
            Optional<TimestampAndOffset> actual = log.offsetForTimestamp(target);
            assertThat(actual.map(TimestampAndOffset::offset)).as("target %d", target).isEqualTo(expected.map(Rec::offset));
            assertThat(actual.map(TimestampAndOffset::timestamp)).isEqualTo(expected.map(Rec::timestamp));
        }
        Rec max = all.stream().filter(r -> r.timestamp() == maxTs).findFirst().orElseThrow();
        assertThat(log.offsetForTimestamp(-3L).orElseThrow().offset()).isEqualTo(max.offset());
        assertThat(log.offsetForTimestamp(-2L).orElseThrow().offset()).isEqualTo(0);
        assertThat(log.offsetForTimestamp(-4L).orElseThrow().offset()).isEqualTo(0);
        assertThat(log.offsetForTimestamp(-1L).orElseThrow()).isEqualTo(new TimestampAndOffset(-1, log.logEndOffset(), Optional.of(5)));
    }

    @Test
    void maxTimestampPointsInsideACompressedBatch() throws Exception {
        open(LogConfig.defaults());
        log.appendAsLeader(TestRecords.batch(List.of(new KV("a", "1", 100))), 0);
        log.appendAsLeader(TestRecords.batch(Compression.snappy().build(),
            List.of(new KV("b", "1", 200), new KV("c", "1", 900), new KV("d", "1", 300))), 2);
        assertThat(log.offsetForTimestamp(-3L)).contains(new TimestampAndOffset(900, 2, Optional.of(2)));
        assertThat(log.offsetForTimestamp(250)).contains(new TimestampAndOffset(900, 2, Optional.of(2)));
        assertThat(log.offsetForTimestamp(901)).isEmpty();
    }

    @Test
    void timeRetentionDeletesExpiredSegmentsAndRollsAnExpiredActiveOne() throws Exception {
        open(LogConfig.from(Map.of("retention.ms", 60_000, "file.delete.delay.ms", 0)));
        log.appendAsLeader(TestRecords.batch(List.of(new KV("a", "1", time.milliseconds()))), 0);
        log.roll();
        time.advance(30_000);
        log.appendAsLeader(TestRecords.batch(List.of(new KV("b", "1", time.milliseconds()))), 0);
        log.roll();
        time.advance(40_000);
        log.appendAsLeader(TestRecords.batch(List.of(new KV("c", "1", time.milliseconds()))), 0);
        log.updateHighWatermark(log.logEndOffset());

        assertThat(log.deleteOldSegments()).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(1);
        assertThat(log.numberOfSegments()).isEqualTo(2);

        time.advance(61_000);
        assertThat(log.deleteOldSegments()).isEqualTo(2);
        assertThat(log.logStartOffset()).isEqualTo(3);
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.numberOfSegments()).isEqualTo(1);
        assertThat(log.read(3, 1000, Long.MAX_VALUE, true).slice().size()).isZero();
        assertThat(log.appendAsLeader(TestRecords.batch(List.of(KV.of("d", "1"))), 0).firstOffset()).isEqualTo(3);
    }

    @Test
    void retentionDoesNothingWithoutTheDeletePolicy() throws Exception {
        open(LogConfig.from(Map.of("retention.ms", 1, "retention.bytes", 0, "cleanup.policy", "compact")));
        log.appendAsLeader(TestRecords.batch(List.of(new KV("a", "1", 1))), 0);
        log.roll();
        log.appendAsLeader(TestRecords.batch(List.of(new KV("a", "2", 1))), 0);
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.deleteOldSegments()).isZero();
        assertThat(log.logStartOffset()).isZero();
    }

    @Test
    void deletedSegmentStaysReadableUntilTheDeleteDelay() throws Exception {
        open(LogConfig.from(Map.of("retention.ms", -1, "retention.bytes", 0, "file.delete.delay.ms", 600_000)));
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("a", "1"))), 0);
        FileSlice slice = log.read(0, 1000, Long.MAX_VALUE, true).slice();
        log.roll();
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("b", "1"))), 0);
        log.updateHighWatermark(1); // keeps the active segment: only what is below the high watermark goes
        assertThat(log.deleteOldSegments()).isEqualTo(1);
        assertThat(TestRecords.records(slice)).extracting(Rec::key).containsExactly("a");
        assertThat(java.nio.file.Files.exists(log.dir().resolve(LogSegment.fileName(0, LogSegment.LOG_SUFFIX + LogSegment.DELETED_SUFFIX))))
            .isTrue();
    }

    @Test
    void retentionKeepsSegmentsAboveTheHighWatermark() throws Exception {
        open(LogConfig.from(Map.of("retention.ms", 60_000, "file.delete.delay.ms", 0)));
        for (int i = 0; i < 3; i++) {
            log.appendAsLeader(TestRecords.batch(List.of(new KV("a", "1", time.milliseconds()))), 0);
            log.roll();
        }
        time.advance(61_000);
        log.updateHighWatermark(1);
        assertThat(log.deleteOldSegments()).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(1);
        log.updateHighWatermark(3);
        assertThat(log.deleteOldSegments()).isEqualTo(2);
        assertThat(log.logStartOffset()).isEqualTo(3);
    }

    @Test
    void segmentMsRollsAnOldSegment() throws Exception {
        open(LogConfig.from(Map.of("segment.ms", 1_000)));
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("a", "1"))), 0);
        time.advance(999);
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("b", "1"))), 0);
        assertThat(log.numberOfSegments()).isEqualTo(1);
        time.advance(1);
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("c", "1"))), 0);
        assertThat(log.numberOfSegments()).isEqualTo(2);
    }

    @Test
    void leaderEpochsAreTrackedTruncatedAndPersisted() throws Exception {
        open(LogConfig.defaults());
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("a", "1"), KV.of("a", "2"))), 1);
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("a", "3"))), 3);
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("a", "4"))), 3);
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("a", "5"))), 5);
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(new io.herald.storage.epoch.EpochEndOffset(1, 2));
        assertThat(log.endOffsetForEpoch(2)).isEqualTo(new io.herald.storage.epoch.EpochEndOffset(1, 2));
        assertThat(log.endOffsetForEpoch(3)).isEqualTo(new io.herald.storage.epoch.EpochEndOffset(3, 4));
        assertThat(log.endOffsetForEpoch(5)).isEqualTo(new io.herald.storage.epoch.EpochEndOffset(5, 5));
        assertThat(log.endOffsetForEpoch(0)).isEqualTo(io.herald.storage.epoch.EpochEndOffset.UNDEFINED);
        log.truncateTo(4);
        assertThat(log.latestEpoch()).isEqualTo(3);
        log.close();
        open(LogConfig.defaults());
        assertThat(log.latestEpoch()).isEqualTo(3);
        assertThat(log.endOffsetForEpoch(3)).isEqualTo(new io.herald.storage.epoch.EpochEndOffset(3, 4));
    }
}
