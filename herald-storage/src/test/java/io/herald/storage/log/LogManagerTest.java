package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.time.ManualTime;
import io.herald.storage.checkpoint.OffsetCheckpointFile;
import io.herald.storage.config.LogConfig;
import io.herald.storage.testutil.TestDirs;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {
    private static final TopicPartition A0 = new TopicPartition("a", 0);
    private static final TopicPartition A1 = new TopicPartition("a", 1);
    private static final TopicPartition B0 = new TopicPartition("b-with-dash", 0);
    private static final LogManagerConfig NO_TIMERS = new LogManagerConfig(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime(1_000_000L);
    private static final Map<String, Object> CONFIG = Map.of("retention.ms", -1, "retention.bytes", -1,
        "internal.segment.bytes", 500);
    private final LogConfig config = LogConfig.from(CONFIG);
    private LogManager manager;

    @AfterEach
    void close() {
        if (manager != null) {
            manager.close();
        }
    }

    private LogManager start(List<Path> dirs) throws Exception {
        manager = new LogManager(dirs, config, NO_TIMERS, time);
        manager.startup();
        return manager;
    }

    private static void append(PartitionLog log, int batches) {
        for (int i = 0; i < batches; i++) {
            log.appendAsLeader(TestRecords.batch(List.of(KV.of("k" + i, "value-" + i), KV.of("k" + i, "again"))), 4);
        }
    }

    @Test
    void logsAreSpreadOverDirsAndReloadedAfterACleanShutdown() throws Exception {
        Path d1 = root.resolve("d1");
        Path d2 = root.resolve("d2");
        start(List.of(d1, d2));
        for (TopicPartition tp : List.of(A0, A1, B0)) {
            append(manager.getOrCreateLog(tp, config), 10);
        }
        assertThat(manager.logDirOf(A0)).isNotEqualTo(manager.logDirOf(A1));
        PartitionLog a0 = manager.log(A0).orElseThrow();
        a0.updateHighWatermark(15);
        a0.deleteRecordsBefore(7);
        manager.close();

        for (Path d : List.of(d1, d2)) {
            assertThat(d.resolve(LogManager.CLEAN_SHUTDOWN_FILE)).exists();
        }
        Path a0Dir = a0.dir().getParent();
        Map<TopicPartition, Long> starts = new OffsetCheckpointFile(a0Dir.resolve(OffsetCheckpointFile.LOG_START_OFFSET)).read();
        Map<TopicPartition, Long> hws = new OffsetCheckpointFile(a0Dir.resolve(OffsetCheckpointFile.HIGH_WATERMARK)).read();
        Map<TopicPartition, Long> recovery = new OffsetCheckpointFile(a0Dir.resolve(OffsetCheckpointFile.RECOVERY_POINT)).read();
        assertThat(starts).containsEntry(A0, 7L);
        assertThat(hws).containsEntry(A0, 15L);
        assertThat(recovery).containsEntry(A0, 20L);

        start(List.of(d1, d2));
        assertThat(manager.allLogs()).hasSize(3);
        assertThat(d1.resolve(LogManager.CLEAN_SHUTDOWN_FILE)).doesNotExist();
        PartitionLog reloaded = manager.log(A0).orElseThrow();
        assertThat(reloaded.logStartOffset()).isEqualTo(7);
        assertThat(reloaded.highWatermark()).isEqualTo(15);
        assertThat(reloaded.logEndOffset()).isEqualTo(20);
        assertThat(manager.log(B0).orElseThrow().logEndOffset()).isEqualTo(20);
        assertThat(reloaded.appendAsLeader(TestRecords.batch(List.of(KV.of("x", "y"))), 4).firstOffset()).isEqualTo(20);
    }

    @Test
    void cleanMarkerSkipsRecoveryAndItsAbsenceForcesIt() throws Exception {
        Path d1 = root.resolve("d1");
        start(List.of(d1));
        PartitionLog log = manager.getOrCreateLog(A0, config);
        append(log, 12);
        assertThat(log.numberOfSegments()).isGreaterThan(1);
        Path firstSegment = log.segments().get(0).logFile();
        manager.close();

        // Damage a CRC-covered byte of the first batch of the first (non-last) segment.
        try (RandomAccessFile f = new RandomAccessFile(firstSegment.toFile(), "rw")) {
            f.seek(40);
            int b = f.read();
            f.seek(40);
            f.write(b ^ 0xFF);
        }
        start(List.of(d1));
        assertThat(manager.log(A0).orElseThrow().logEndOffset()).as("clean start trusts the files").isEqualTo(24);
        manager.close();

        Files.delete(d1.resolve(LogManager.CLEAN_SHUTDOWN_FILE));
        Files.delete(d1.resolve(OffsetCheckpointFile.RECOVERY_POINT));
        start(List.of(d1));
        PartitionLog recovered = manager.log(A0).orElseThrow();
        assertThat(recovered.logEndOffset()).as("unclean start re-validates from the recovery point").isZero();
        assertThat(recovered.numberOfSegments()).isEqualTo(1);
    }

    @Test
    void runRetentionAndCheckpointAllWorkOnDemand() throws Exception {
        Path d1 = root.resolve("d1");
        start(List.of(d1));
        PartitionLog log = manager.getOrCreateLog(A0, LogConfig.from(Map.of("retention.ms", -1,
            "retention.bytes", 0, "internal.segment.bytes", 500)));
        append(log, 12);
        int segments = log.numberOfSegments();
        assertThat(manager.runRetention()).as("nothing above the high watermark goes").isZero();
        log.updateHighWatermark(log.logEndOffset());
        assertThat(manager.runRetention()).isEqualTo(segments);
        assertThat(log.numberOfSegments()).as("retention.bytes=0 deletes the active segment too, after a roll")
            .isEqualTo(1);
        manager.checkpointAll();
        assertThat(new OffsetCheckpointFile(d1.resolve(OffsetCheckpointFile.LOG_START_OFFSET)).read())
            .containsEntry(A0, log.logStartOffset());
        manager.deleteLog(A0);
        assertThat(manager.log(A0)).isEmpty();
        assertThat(d1.resolve("a-0")).doesNotExist();
    }

    @Test
    void aDirThatIsAFileIsOfflineWhileTheOtherDirKeepsWorking() throws Exception {
        Path bad = root.resolve("bad");
        Files.writeString(bad, "I am a file");
        Path good = root.resolve("good");
        start(List.of(bad, good));

        assertThat(manager.logDirs()).extracting(LogDirInfo::online).containsExactly(false, true);
        PartitionLog log = manager.getOrCreateLog(A0, config);
        assertThat(manager.logDirOf(A0)).contains(good.toAbsolutePath().normalize());
        append(log, 2);
        assertThat(log.logEndOffset()).isEqualTo(4);
    }

    @Test
    void diskFailureOfOneDirFailsOnlyItsPartitions() throws Exception {
        Path d1 = root.resolve("d1");
        Path d2 = root.resolve("d2");
        start(List.of(d1, d2));
        PartitionLog p1 = manager.getOrCreateLog(A0, config);
        PartitionLog p2 = manager.getOrCreateLog(A1, config);
        Path failing = p1.dir().getParent();
        append(p1, 1);

        TestDirs.delete(failing);
        Files.writeString(failing, "disk gone");

        assertThatThrownBy(p1::roll).isInstanceOf(KafkaStorageException.class);
        assertThatThrownBy(() -> append(p1, 1)).isInstanceOf(KafkaStorageException.class);
        append(p2, 3);
        assertThat(p2.logEndOffset()).isEqualTo(6);
        // A new partition cannot go to the failed dir; it lands on the healthy one.
        assertThat(manager.getOrCreateLog(B0, config).dir().getParent()).isEqualTo(p2.dir().getParent());

        TestDirs.delete(p2.dir().getParent());
        Files.writeString(p2.dir().getParent(), "also gone");
        assertThatThrownBy(() -> manager.getOrCreateLog(new TopicPartition("c", 0), config)).isInstanceOf(KafkaStorageException.class);
        manager.close();
        manager = null;
        Files.delete(failing);
        Files.delete(p2.dir().getParent());
    }

    @Test
    void parsesTopicPartitionDirNames() {
        assertThat(LogManager.parseTopicPartition("my-topic-12")).contains(new TopicPartition("my-topic", 12));
        assertThat(LogManager.parseTopicPartition("topic")).isEmpty();
        assertThat(LogManager.parseTopicPartition("topic-x")).isEmpty();
    }

    @Test
    void aLogThatThrowsDoesNotStopRetentionOrFlushOfTheOthers() throws Exception {
        start(List.of(root.resolve("d1")));
        LogConfig sized = LogConfig.from(Map.of("retention.bytes", 0, "internal.segment.bytes", 500, "flush.ms", 0));
        List<TopicPartition> healthy = List.of(A0, A1, new TopicPartition("c", 0));
        for (TopicPartition tp : healthy) {
            PartitionLog log = manager.getOrCreateLog(tp, sized);
            append(log, 12);
            log.updateHighWatermark(log.logEndOffset());
        }
        PartitionLog broken = manager.getOrCreateLog(B0, sized);
        append(broken, 12);
        broken.updateHighWatermark(broken.logEndOffset());
        broken.updateConfig(null); // stands in for any bug that makes one log throw

        assertThat(manager.runRetention()).isPositive();
        manager.runTimeBasedFlush();

        for (TopicPartition tp : healthy) {
            PartitionLog log = manager.log(tp).orElseThrow();
            assertThat(log.numberOfSegments()).as("%s", tp).isEqualTo(1);
            assertThat(log.recoveryPoint()).as("%s", tp).isEqualTo(log.logEndOffset());
        }
        assertThat(broken.numberOfSegments()).isGreaterThan(1);
    }

    @Test
    void aLogWhoseCleaningFailsIsMarkedUncleanableAndTheOthersAreCleaned() throws Exception {
        start(List.of(root.resolve("d1")));
        LogConfig compacted = LogConfig.from(Map.of("cleanup.policy", "compact", "internal.segment.bytes", 500));
        PartitionLog corrupt = manager.getOrCreateLog(A0, compacted);
        PartitionLog fine = manager.getOrCreateLog(A1, compacted);
        for (PartitionLog log : List.of(corrupt, fine)) {
            append(log, 12);
            log.roll();
            log.updateHighWatermark(log.logEndOffset());
        }
        // Garbage inside the records of the first batch: its header (and size) stay as they were.
        Path first = corrupt.dir().resolve(LogSegment.fileName(0, LogSegment.LOG_SUFFIX));
        try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
            f.seek(61);
            f.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f});
        }
        long fineBefore = TestRecords.readAll(fine).size();

        manager.runCleaner();

        assertThat(manager.uncleanablePartitions()).containsExactly(A0);
        assertThat(TestRecords.readAll(fine)).hasSizeLessThan((int) fineBefore);
        manager.runCleaner(); // the uncleanable log is not tried again
        assertThat(manager.uncleanablePartitions()).containsExactly(A0);
        assertThat(corrupt.isOffline()).as("still served").isFalse();
        manager.deleteLog(A0);
        assertThat(manager.uncleanablePartitions()).isEmpty();
    }
}
