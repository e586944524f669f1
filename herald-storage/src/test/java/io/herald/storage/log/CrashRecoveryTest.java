package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.testutil.TestDirs;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;
import io.herald.storage.testutil.TestRecords.Rec;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A crash can leave any prefix of the last segment on disk, or garbage in it. For every byte of the
 * final three batches, recovery must keep exactly the complete valid batches before the damage and
 * the next append must continue right after them.
 */
class CrashRecoveryTest {
    private static final TopicPartition TP = new TopicPartition("crash", 0);
    private static final int BATCHES = 24;

    private final ManualTime time = new ManualTime(5_000L);
    private Path root;
    private Path source;
    /** For each batch: its offsets and where it ends in the last segment (-1 if in an earlier segment). */
    private final List<long[]> batchEnds = new ArrayList<>();
    private final List<Rec> allRecords = new ArrayList<>();
    private long lastSegmentBase;
    private LogConfig config;

    @BeforeEach
    void writeLog() throws Exception {
        root = TestDirs.create("crash");
        source = root.resolve("src").resolve("crash-0");
        config = LogConfig.from(Map.of("internal.segment.bytes", 1000, "index.interval.bytes", 150,
            "segment.index.bytes", 4096, "retention.ms", -1, "retention.bytes", -1));
        PartitionLog log = PartitionLog.open(source, TP, config, time, false, PartitionCheckpoint.NONE);
        for (int i = 0; i < BATCHES; i++) {
            List<KV> kvs = List.of(new KV("k" + i, "value-" + i + "-a", 100 + i), new KV("k" + i, "value-" + i + "-b", 101 + i));
            LogAppendInfo info = log.appendAsLeader(TestRecords.batch(i % 2 == 0 ? Compression.NONE : Compression.lz4().build(), kvs), 1);
            allRecords.add(new Rec(info.firstOffset(), kvs.get(0).key(), kvs.get(0).value(), kvs.get(0).timestamp()));
            allRecords.add(new Rec(info.lastOffset(), kvs.get(1).key(), kvs.get(1).value(), kvs.get(1).timestamp()));
            LogSegment active = log.segments().get(log.segments().size() - 1);
            batchEnds.add(new long[] {info.firstOffset(), info.lastOffset(), active.sizeInBytes()});
        }
        lastSegmentBase = log.segments().get(log.segments().size() - 1).baseOffset();
        assertThat(log.numberOfSegments()).isGreaterThan(2);
        log.flush();
        // Deliberately not closed: the copy looks like a crashed broker's directory (untrimmed indexes, no snapshot).
    }

    @AfterEach
    void cleanUp() {
        TestDirs.delete(root);
    }

    @Test
    void recoveryKeepsExactlyTheCompleteBatchesBeforeATruncation() throws Exception {
        int from = (int) batchEnds.get(BATCHES - 4)[2];
        int to = (int) batchEnds.get(BATCHES - 1)[2];
        assertThat(from).isPositive();
        for (int cut = from; cut <= to; cut++) {
            final int position = cut;
            checkRecovery(cut, file -> file.setLength(position), ends -> ends <= position);
        }
    }

    @Test
    void recoveryDropsACorruptedBatchAndEverythingAfterIt() throws Exception {
        int from = (int) batchEnds.get(BATCHES - 3)[2];
        int to = (int) batchEnds.get(BATCHES - 1)[2];
        for (int pos = from; pos < to; pos++) {
            int batchStart = batchStartContaining(pos);
            int rel = pos - batchStart;
            // baseOffset (0..7) and partitionLeaderEpoch (12..15) are outside the v2 CRC by design.
            if (rel < 8 || (rel >= 12 && rel < 16)) {
                continue;
            }
            final int position = pos;
            checkRecovery(pos, file -> {
                file.seek(position);
                int b = file.read();
                file.seek(position);
                file.write(b ^ 0x5A);
            }, ends -> ends <= batchStart);
        }
    }

    private int batchStartContaining(int pos) {
        int start = 0;
        for (long[] b : batchEnds) {
            if (b[0] >= lastSegmentBase) {
                if (pos < b[2]) {
                    return start;
                }
                start = (int) b[2];
            }
        }
        throw new IllegalArgumentException("position " + pos + " beyond the log");
    }

    interface Damage {
        void apply(RandomAccessFile file) throws Exception;
    }

    interface Survives {
        boolean test(long batchEnd);
    }

    private void checkRecovery(int position, Damage damage, Survives survives) throws Exception {
        Path copyRoot = root.resolve("copy-" + position);
        Path copy = copyRoot.resolve("crash-0");
        TestDirs.copy(source, copy);
        try (RandomAccessFile file = new RandomAccessFile(copy.resolve(LogSegment.fileName(lastSegmentBase, LogSegment.LOG_SUFFIX)).toFile(), "rw")) {
            damage.apply(file);
        }
        long expectedEnd = 0;
        for (long[] b : batchEnds) {
            boolean earlierSegment = b[0] < lastSegmentBase;
            if (earlierSegment || survives.test(b[2])) {
                expectedEnd = b[1] + 1;
            } else {
                break;
            }
        }
        final long end = expectedEnd;
        PartitionLog log = PartitionLog.open(copy, TP, config, time, true, new PartitionCheckpoint(lastSegmentBase, 0, 0));
        try {
            assertThat(log.logEndOffset()).as("log end after damage at byte %d", position).isEqualTo(end);
            assertThat(TestRecords.readAll(log)).as("records after damage at byte %d", position)
                .isEqualTo(allRecords.stream().filter(r -> r.offset() < end).toList());
            LogAppendInfo info = log.appendAsLeader(TestRecords.batch(List.of(KV.of("after", "crash"))), 2);
            assertThat(info.firstOffset()).isEqualTo(end);
            assertThat(log.read(end, 10_000, Long.MAX_VALUE, true).slice().size()).isPositive();
        } finally {
            log.close();
            TestDirs.delete(copyRoot);
        }
    }
}
