package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendValidationTest {
    private static final TopicPartition TP = new TopicPartition("valid", 0);

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime(50_000L);
    private PartitionLog log;

    @BeforeEach
    void open() throws Exception {
        log = PartitionLog.open(root.resolve("valid-0"), TP, LogConfig.from(Map.of("max.message.bytes", 400)), time, false,
            PartitionCheckpoint.NONE);
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("a", "1"))), 0);
    }

    @AfterEach
    void close() {
        log.close();
    }

    @Test
    void badCrcIsCorruptAndNothingIsAppended() {
        MemoryRecords good = TestRecords.batch(List.of(KV.of("b", "2")));
        MemoryRecords bad = TestRecords.batch(List.of(KV.of("c", "3")));
        ByteBuffer buf = bad.buffer();
        buf.put(buf.limit() - 1, (byte) (buf.get(buf.limit() - 1) ^ 0x7F));

        assertThatThrownBy(() -> log.appendAsLeader(TestRecords.concat(good, bad), 0)).isInstanceOf(CorruptRecordException.class);
        assertThat(log.logEndOffset()).isEqualTo(1);
        assertThat(TestRecords.readAll(log)).hasSize(1);
    }

    @Test
    void truncatedBatchIsCorrupt() {
        ByteBuffer buf = TestRecords.batch(List.of(KV.of("b", "2"))).buffer();
        buf.limit(buf.limit() - 3);
        assertThatThrownBy(() -> log.appendAsLeader(MemoryRecords.readableRecords(buf.slice()), 0))
            .isInstanceOf(CorruptRecordException.class);
        assertThat(log.logEndOffset()).isEqualTo(1);
    }

    @Test
    void batchLargerThanMaxMessageBytesIsRejected() {
        MemoryRecords big = TestRecords.batch(List.of(KV.of("b", "x".repeat(500))));
        assertThatThrownBy(() -> log.appendAsLeader(big, 0)).isInstanceOf(RecordTooLargeException.class);
        assertThat(log.logEndOffset()).isEqualTo(1);
    }

    @Test
    void oldMagicIsUnsupported() {
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(256), RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
            TimestampType.CREATE_TIME, 0L);
        b.append(1L, "k".getBytes(), "v".getBytes());
        b.append(2L, "k".getBytes(), "v".getBytes());
        assertThatThrownBy(() -> log.appendAsLeader(b.build(), 0)).isInstanceOf(UnsupportedForMessageFormatException.class);
    }

    @Test
    void nullKeyIsInvalidOnCompactedTopic() {
        log.updateConfig(LogConfig.from(Map.of("max.message.bytes", 400, "cleanup.policy", "compact")));
        assertThatThrownBy(() -> log.appendAsLeader(TestRecords.batch(List.of(new KV(null, "v", 1L))), 0))
            .isInstanceOf(InvalidRecordException.class);
        assertThat(log.appendAsLeader(TestRecords.batch(Compression.gzip().build(), List.of(KV.of("k", "v"))), 0).firstOffset())
            .isEqualTo(1);
    }

    @Test
    void offsetsAndLeaderEpochAreStampedInPlace() {
        MemoryRecords records = TestRecords.batch(Compression.zstd().build(), List.of(KV.of("b", "2"), KV.of("c", "3")));
        LogAppendInfo info = log.appendAsLeader(records, 7);
        MutableRecordBatch batch = records.batches().iterator().next();
        assertThat(batch.baseOffset()).isEqualTo(1);
        assertThat(batch.lastOffset()).isEqualTo(2);
        assertThat(batch.partitionLeaderEpoch()).isEqualTo(7);
        assertThat(batch.isValid()).isTrue();
        assertThat(info).isEqualTo(new LogAppendInfo(1, 2, -1, 0, 2, false));
        assertThat(log.latestEpoch()).isEqualTo(7);
    }

    @Test
    void logAppendTimeIsStampedIntoTheBatch() {
        log.updateConfig(LogConfig.from(Map.of("max.message.bytes", 400, "message.timestamp.type", "LogAppendTime")));
        MemoryRecords records = TestRecords.batch(Compression.lz4().build(), List.of(new KV("b", "2", 5L)));
        LogAppendInfo info = log.appendAsLeader(records, 0);
        assertThat(info.logAppendTime()).isEqualTo(50_000L);
        MutableRecordBatch batch = records.batches().iterator().next();
        assertThat(batch.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(batch.isValid()).isTrue();
        assertThat(TestRecords.readAll(log).get(1).timestamp()).isEqualTo(50_000L);
    }

    @Test
    void diskErrorTakesTheLogOffline() throws Exception {
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("b", "2"))), 0);
        io.herald.storage.testutil.TestDirs.delete(log.dir());
        java.nio.file.Files.writeString(log.dir(), "not a directory");

        assertThatThrownBy(log::roll).isInstanceOf(KafkaStorageException.class);
        assertThat(log.isOffline()).isTrue();
        assertThatThrownBy(() -> log.appendAsLeader(TestRecords.batch(List.of(KV.of("c", "3"))), 0))
            .isInstanceOf(KafkaStorageException.class);
        java.nio.file.Files.delete(log.dir());
    }
}
