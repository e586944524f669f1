package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.producer.BatchMetadata;
import io.herald.storage.producer.ProducerStateManager;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdempotentProducerTest {
    private static final TopicPartition TP = new TopicPartition("idem", 0);
    private static final long PID = 1000L;

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime(1_000L);
    private PartitionLog log;

    @BeforeEach
    void open() throws Exception {
        log = PartitionLog.open(root.resolve("idem-0"), TP, LogConfig.defaults(), time, false, PartitionCheckpoint.NONE);
    }

    @AfterEach
    void close() {
        log.close();
    }

    private static MemoryRecords batch(long pid, int epoch, int seq, int count) {
        List<KV> kvs = Stream.iterate(0, i -> i + 1).limit(count).map(i -> KV.of("k" + (seq + i), "v" + (seq + i))).toList();
        return TestRecords.idempotentBatch(Compression.NONE, pid, (short) epoch, seq, kvs);
    }

    @Test
    void retriedBatchIsADuplicateWithItsOriginalOffsets() {
        LogAppendInfo first = log.appendAsLeader(batch(PID, 0, 0, 3), 0);
        log.appendAsLeader(batch(PID, 0, 3, 2), 0);

        LogAppendInfo retry = log.appendAsLeader(batch(PID, 0, 0, 3), 0);

        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(first.firstOffset());
        assertThat(retry.lastOffset()).isEqualTo(first.lastOffset());
        assertThat(log.logEndOffset()).isEqualTo(5);
    }

    @Test
    void sequenceGapIsOutOfOrderAndAppendsNothing() {
        log.appendAsLeader(batch(PID, 0, 0, 3), 0);
        assertThatThrownBy(() -> log.appendAsLeader(batch(PID, 0, 5, 1), 0)).isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.appendAsLeader(batch(PID, 0, 3, 1), 0).firstOffset()).isEqualTo(3);
    }

    @Test
    void olderEpochIsFencedAndNewEpochMustStartAtZero() {
        log.appendAsLeader(batch(PID, 1, 0, 2), 0);
        assertThatThrownBy(() -> log.appendAsLeader(batch(PID, 0, 2, 1), 0)).isInstanceOf(InvalidProducerEpochException.class);
        assertThatThrownBy(() -> log.appendAsLeader(batch(PID, 2, 7, 1), 0)).isInstanceOf(OutOfOrderSequenceException.class);
        log.appendAsLeader(batch(PID, 2, 0, 1), 0);
        assertThat(log.producerState(PID).orElseThrow().producerEpoch()).isEqualTo((short) 2);
        assertThat(log.logEndOffset()).isEqualTo(3);
    }

    @Test
    void unknownProducerIsAcceptedAtAnySequence() {
        assertThat(log.appendAsLeader(batch(PID, 0, 42, 2), 0).duplicate()).isFalse();
        assertThat(log.producerState(PID).orElseThrow().lastBatch()).contains(new BatchMetadata(42, 43, 0, 1));
    }

    @Test
    void sequenceWrapsAroundAtIntMax() {
        log.appendAsLeader(batch(PID, 0, Integer.MAX_VALUE, 1), 0);
        assertThat(log.appendAsLeader(batch(PID, 0, 0, 1), 0).firstOffset()).isEqualTo(1);
    }

    @Test
    void batchesOfOneAppendAreCheckedAgainstEachOther() {
        log.appendAsLeader(TestRecords.concat(batch(PID, 0, 0, 2), batch(PID, 0, 2, 2)), 0);
        assertThat(log.logEndOffset()).isEqualTo(4);
        assertThatThrownBy(() -> log.appendAsLeader(TestRecords.concat(batch(PID, 0, 4, 1), batch(PID, 0, 9, 1)), 0))
            .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.logEndOffset()).isEqualTo(4);
    }

    @Test
    void onlyTheLastFiveBatchesAreRemembered() {
        for (int seq = 0; seq < 6; seq++) {
            log.appendAsLeader(batch(PID, 0, seq, 1), 0);
        }
        assertThat(log.appendAsLeader(batch(PID, 0, 1, 1), 0).duplicate()).isTrue();
        assertThatThrownBy(() -> log.appendAsLeader(batch(PID, 0, 0, 1), 0)).isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void stateSurvivesCleanCloseAndReopen() throws Exception {
        LogAppendInfo first = log.appendAsLeader(batch(PID, 0, 0, 3), 0);
        log.roll();
        log.appendAsLeader(batch(PID, 0, 3, 1), 0);
        log.close();
        log = PartitionLog.open(root.resolve("idem-0"), TP, LogConfig.defaults(), time, false, PartitionCheckpoint.NONE);

        LogAppendInfo retry = log.appendAsLeader(batch(PID, 0, 0, 3), 0);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(first.firstOffset());
        assertThatThrownBy(() -> log.appendAsLeader(batch(PID, 0, 9, 1), 0)).isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.appendAsLeader(batch(PID, 0, 4, 1), 0).firstOffset()).isEqualTo(4);
    }

    @Test
    void stateIsRebuiltFromTheLogWithoutAnySnapshot() throws Exception {
        log.appendAsLeader(batch(PID, 0, 0, 3), 0);
        log.roll();
        LogAppendInfo second = log.appendAsLeader(batch(PID, 0, 3, 2), 0);
        log.close();
        try (Stream<Path> files = Files.list(root.resolve("idem-0"))) {
            for (Path p : files.filter(p -> p.toString().endsWith(ProducerStateManager.SNAPSHOT_SUFFIX)).toList()) {
                Files.delete(p);
            }
        }
        log = PartitionLog.open(root.resolve("idem-0"), TP, LogConfig.defaults(), time, true, PartitionCheckpoint.NONE);

        LogAppendInfo retry = log.appendAsLeader(batch(PID, 0, 3, 2), 0);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(second.firstOffset());
        assertThatThrownBy(() -> log.appendAsLeader(batch(PID, 0, 6, 1), 0)).isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.appendAsLeader(batch(PID, 0, 5, 1), 0).firstOffset()).isEqualTo(5);
    }

    @Test
    void corruptSnapshotIsIgnoredAndStateReplayedFromTheLog() throws Exception {
        log.appendAsLeader(batch(PID, 0, 0, 3), 0);
        log.close();
        try (Stream<Path> files = Files.list(root.resolve("idem-0"))) {
            for (Path p : files.filter(p -> p.toString().endsWith(ProducerStateManager.SNAPSHOT_SUFFIX)).toList()) {
                byte[] bytes = Files.readAllBytes(p);
                bytes[bytes.length - 1] ^= 0x01;
                Files.write(p, bytes);
            }
        }
        log = PartitionLog.open(root.resolve("idem-0"), TP, LogConfig.defaults(), time, false, PartitionCheckpoint.NONE);
        assertThat(log.producerState(PID).orElseThrow().lastBatch()).contains(new BatchMetadata(0, 2, 0, 2));
        assertThat(log.appendAsLeader(batch(PID, 0, 0, 3), 0).duplicate()).isTrue();
    }

    @Test
    void truncationForgetsTruncatedBatches() {
        log.appendAsLeader(batch(PID, 0, 0, 2), 0);
        log.appendAsLeader(batch(PID, 0, 2, 2), 0);
        log.truncateTo(2);
        assertThat(log.producerState(PID).orElseThrow().lastBatch()).contains(new BatchMetadata(0, 1, 0, 1));
        assertThat(log.appendAsLeader(batch(PID, 0, 2, 2), 0).duplicate()).isFalse();
    }
}
