package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log dir goes offline on an I/O error or low free space, and comes back after a recheck, without a restart. */
class LogDirFailureTest {
    private static final TopicPartition A0 = new TopicPartition("a", 0);
    private static final TopicPartition A1 = new TopicPartition("a", 1);
    private static final LogManagerConfig NO_TIMERS = new LogManagerConfig(Long.MAX_VALUE, Long.MAX_VALUE,
        Long.MAX_VALUE, Long.MAX_VALUE);
    private static final long RECHECK_MS = 10_000;
    private static final long MIN_FREE = 1_000_000;

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime(1_000_000L);
    private final LogConfig config = LogConfig.from(Map.of("retention.ms", -1, "retention.bytes", -1));
    private final AtomicLong free = new AtomicLong(Long.MAX_VALUE);
    private final List<String> events = new ArrayList<>();
    private LogManager manager;

    @AfterEach
    void close() {
        if (manager != null) {
            manager.close();
        }
    }

    private void start(long minFreeBytes, Path... dirs) throws Exception {
        // No background health task: the test drives runDirHealthCheck on the manual clock.
        LogDirHealthConfig health = new LogDirHealthConfig(RECHECK_MS, minFreeBytes, Long.MAX_VALUE);
        manager = new LogManager(List.of(dirs), config, NO_TIMERS, time, topic -> config, health, dir -> free.get());
        manager.addDirListener(new LogDirListener() {
            @Override
            public void onLogDirOffline(Path dir, Set<TopicPartition> partitions) {
                events.add("offline " + dir.getFileName() + " " + partitions);
            }

            @Override
            public void onLogDirOnline(Path dir, Set<TopicPartition> partitions) {
                events.add("online " + dir.getFileName() + " " + partitions);
            }
        });
        manager.startup();
    }

    private static void append(PartitionLog log, int batches) {
        for (int i = 0; i < batches; i++) {
            log.appendAsLeader(TestRecords.batch(List.of(KV.of("k" + i, "v" + i))), 0);
        }
    }

    @Test
    void anIoErrorTakesTheWholeDirOfflineAndARecheckRecoversItWithoutARestart() throws Exception {
        Path d1 = root.resolve("d1");
        Path d2 = root.resolve("d2");
        start(0, d1, d2);
        PartitionLog a0 = manager.getOrCreateLog(A0, config);
        PartitionLog a1 = manager.getOrCreateLog(A1, config);
        assertThat(a0.dir().getParent()).isEqualTo(d1.toAbsolutePath().normalize());
        append(a0, 5);
        append(a1, 3);

        // The disk "goes away" under the open log: every new file in it fails.
        Path aside = root.resolve("d1-aside");
        Files.move(d1, aside);
        Files.writeString(d1, "not a directory");
        assertThatThrownBy(a0::roll).isInstanceOf(KafkaStorageException.class);
        manager.runDirHealthCheck();

        assertThat(events).containsExactly("offline d1 [a-0]");
        assertThat(manager.isOffline(A0)).isTrue();
        assertThat(manager.log(A0)).isEmpty();
        assertThat(manager.logDirs()).extracting(LogDirInfo::online).containsExactly(false, true);
        assertThatThrownBy(() -> manager.getOrCreateLog(A0, config)).isInstanceOf(KafkaStorageException.class)
            .hasMessageContaining("offline log dir");
        append(a1, 1); // the other dir goes on
        assertThat(a1.logEndOffset()).isEqualTo(4);

        // Repaired, but not rechecked before the interval is up.
        Files.delete(d1);
        Files.move(aside, d1);
        time.advance(RECHECK_MS - 1);
        manager.runDirHealthCheck();
        assertThat(manager.isOffline(A0)).isTrue();

        time.advance(1);
        manager.runDirHealthCheck();
        assertThat(events).containsExactly("offline d1 [a-0]", "online d1 [a-0]");
        PartitionLog recovered = manager.log(A0).orElseThrow();
        assertThat(recovered).isNotSameAs(a0);
        assertThat(recovered.logEndOffset()).isEqualTo(5);
        append(recovered, 1);
        assertThat(recovered.logEndOffset()).isEqualTo(6);
        assertThat(manager.logDirs()).extracting(LogDirInfo::online).containsExactly(true, true);
    }

    @Test
    void belowMinFreeBytesTheDirIsOfflineAndComesBackRecoveredOnceThereIsSpace() throws Exception {
        Path d1 = root.resolve("d1");
        start(MIN_FREE, d1);
        PartitionLog a0 = manager.getOrCreateLog(A0, config);
        append(a0, 4);
        manager.runDirHealthCheck();
        assertThat(events).isEmpty();

        free.set(MIN_FREE - 1);
        manager.runDirHealthCheck();
        assertThat(events).containsExactly("offline d1 [a-0]");
        assertThat(manager.allDirsOffline()).isTrue();
        // Refused before the filesystem is full: KAFKA_STORAGE_ERROR, no bytes written.
        assertThatThrownBy(() -> append(a0, 1)).isInstanceOf(KafkaStorageException.class);
        assertThat(a0.dir().resolve(String.format("%020d.log", 0))).exists();

        // A torn write the crash-style recovery must cut off: half a batch header at the end of the segment.
        Files.write(a0.dir().resolve(String.format("%020d.log", 0)), new byte[] {0, 0, 0, 0, 0, 0, 0, 9, 0, 0},
            StandardOpenOption.APPEND);

        time.advance(RECHECK_MS);
        manager.runDirHealthCheck();
        assertThat(manager.isOffline(A0)).as("still short of space").isTrue();

        free.set(MIN_FREE);
        time.advance(RECHECK_MS);
        manager.runDirHealthCheck();
        assertThat(events).containsExactly("offline d1 [a-0]", "online d1 [a-0]");
        PartitionLog recovered = manager.log(A0).orElseThrow();
        assertThat(recovered.logEndOffset()).isEqualTo(4);
        append(recovered, 2);
        assertThat(recovered.logEndOffset()).isEqualTo(6);
        assertThat(recovered.read(0, 1 << 20, Long.MAX_VALUE, true).slice().size())
            .isEqualTo(recovered.sizeInBytes());
    }

    @Test
    void aFailureIsReportedOnceHoweverManyAppendsFail() throws Exception {
        Path d1 = root.resolve("d1");
        Path d2 = root.resolve("d2");
        start(0, d1, d2);
        PartitionLog a0 = manager.getOrCreateLog(A0, config);
        append(a0, 1);
        Files.move(d1, root.resolve("aside"));
        Files.writeString(d1, "gone");
        for (int i = 0; i < 100; i++) {
            assertThatThrownBy(a0::roll).isInstanceOf(KafkaStorageException.class);
        }
        manager.runDirHealthCheck();
        manager.runDirHealthCheck();
        assertThat(events).containsExactly("offline d1 [a-0]");
    }
}
