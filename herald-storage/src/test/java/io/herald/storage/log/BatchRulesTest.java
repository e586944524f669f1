package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;
import io.herald.storage.testutil.TestRecords.Rec;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topic rules an append is held to: timestamp bounds (KIP-937) and the broker-side codec. */
class BatchRulesTest {
    private static final TopicPartition TP = new TopicPartition("rules", 0);
    private static final long NOW = 1_700_000_000_000L;

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime(NOW);
    private PartitionLog log;

    @AfterEach
    void close() {
        log.close();
    }

    private void open(Map<String, ?> overrides) throws Exception {
        log = PartitionLog.open(root.resolve("rules-0"), TP, LogConfig.from(overrides), time, false,
            PartitionCheckpoint.NONE);
    }

    private static MemoryRecords at(Compression codec, long... timestamps) {
        KV[] kvs = new KV[timestamps.length];
        for (int i = 0; i < timestamps.length; i++) {
            kvs[i] = new KV("k" + i, "v" + i, timestamps[i]);
        }
        return TestRecords.batch(codec, List.of(kvs));
    }

    @Test
    void byDefaultATimestampMoreThanAnHourAheadIsInvalid() throws Exception {
        open(Map.of());
        log.appendAsLeader(at(Compression.NONE, NOW + 3_600_000), 0);
        log.appendAsLeader(at(Compression.NONE, 1_000L), 0);
        assertThatThrownBy(() -> log.appendAsLeader(at(Compression.gzip().build(), NOW, NOW + 3_600_001), 0))
            .isInstanceOf(InvalidTimestampException.class)
            .satisfies(e -> assertThat(((RecordValidationFailure) e).recordErrors()).extracting(RecordError::batchIndex)
                .containsExactly(1));
        assertThat(log.logEndOffset()).isEqualTo(2);
    }

    @Test
    void theBackwardBoundChecksEveryRecordOfACompressedBatch() throws Exception {
        open(Map.of("message.timestamp.before.max.ms", 1_000, "message.timestamp.after.max.ms", 0));
        log.appendAsLeader(at(Compression.lz4().build(), NOW - 1_000, NOW, RecordBatch.NO_TIMESTAMP), 0);
        // The header's base and max timestamps are fine; only the middle record is too old.
        assertThatThrownBy(() -> log.appendAsLeader(at(Compression.zstd().build(), NOW, NOW - 1_001, NOW), 0))
            .isInstanceOf(InvalidTimestampException.class)
            .satisfies(e -> assertThat(((RecordValidationFailure) e).recordErrors()).extracting(RecordError::batchIndex)
                .containsExactly(1));
        assertThatThrownBy(() -> log.appendAsLeader(at(Compression.NONE, NOW + 1), 0))
            .isInstanceOf(InvalidTimestampException.class);
        assertThat(log.logEndOffset()).isEqualTo(3);
    }

    @Test
    void timestampBoundsDoNotApplyToLogAppendTimeTopics() throws Exception {
        open(Map.of("message.timestamp.type", "LogAppendTime", "message.timestamp.before.max.ms", 0,
            "message.timestamp.after.max.ms", 0));
        log.appendAsLeader(at(Compression.NONE, 5L, NOW + 10_000_000), 0);
        assertThat(TestRecords.readAll(log)).extracting(Rec::timestamp).containsOnly(NOW);
    }

    @Test
    void aProducerMayNotClaimLogAppendTime() throws Exception {
        open(Map.of("message.timestamp.type", "LogAppendTime"));
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(256), RecordBatch.MAGIC_VALUE_V2,
            Compression.NONE, TimestampType.LOG_APPEND_TIME, 0L, NOW);
        b.append(NOW, "k".getBytes(), "v".getBytes());
        assertThatThrownBy(() -> log.appendAsLeader(b.build(), 0)).isInstanceOf(InvalidTimestampException.class);
    }

    @Test
    void theLeaderRecompressesBatchesWhoseCodecDiffersKeepingOffsetsAndProducerFields() throws Exception {
        open(Map.of("compression.type", "zstd", "compression.zstd.level", 19));
        log.appendAsLeader(at(Compression.NONE, NOW, NOW + 1), 0);
        MemoryRecords idempotent = TestRecords.idempotentBatch(Compression.gzip().build(), 42L, (short) 3, 0,
            List.of(new KV("a", "1", NOW), new KV("b", null, NOW + 2), new KV(null, "3", NOW + 1)));
        LogAppendInfo info = log.appendAsLeader(idempotent, 5);
        assertThat(info.firstOffset()).isEqualTo(2);
        assertThat(info.lastOffset()).isEqualTo(4);

        List<MutableRecordBatch> stored = TestRecords.batches(log.read(0, 1 << 20, Long.MAX_VALUE, true).slice());
        assertThat(stored).extracting(MutableRecordBatch::compressionType).containsOnly(CompressionType.ZSTD);
        MutableRecordBatch rebuilt = stored.get(1);
        assertThat(rebuilt.baseOffset()).isEqualTo(2);
        assertThat(rebuilt.lastOffset()).isEqualTo(4);
        assertThat(rebuilt.producerId()).isEqualTo(42L);
        assertThat(rebuilt.producerEpoch()).isEqualTo((short) 3);
        assertThat(rebuilt.baseSequence()).isZero();
        assertThat(rebuilt.partitionLeaderEpoch()).isEqualTo(5);
        assertThat(rebuilt.maxTimestamp()).isEqualTo(NOW + 2);
        assertThat(rebuilt.isValid()).isTrue();
        assertThat(TestRecords.readAll(log)).containsExactly(new Rec(0, "k0", "v0", NOW), new Rec(1, "k1", "v1", NOW + 1),
            new Rec(2, "a", "1", NOW), new Rec(3, "b", null, NOW + 2), new Rec(4, null, "3", NOW + 1));

        // The producer state saw the original batch: a retry is a duplicate, the next sequence follows.
        MemoryRecords retry = TestRecords.idempotentBatch(Compression.gzip().build(), 42L, (short) 3, 0,
            List.of(new KV("a", "1", NOW), new KV("b", null, NOW + 2), new KV(null, "3", NOW + 1)));
        assertThat(log.appendAsLeader(retry, 5).duplicate()).isTrue();
        assertThat(log.appendAsLeader(TestRecords.idempotentBatch(Compression.NONE, 42L, (short) 3, 3,
            List.of(new KV("c", "4", NOW))), 5).firstOffset()).isEqualTo(5);
    }

    @Test
    void aBatchAlreadyInTheTopicsCodecIsStoredAsSent() throws Exception {
        open(Map.of("compression.type", "lz4"));
        MemoryRecords records = at(Compression.lz4().level(1).build(), NOW);
        log.appendAsLeader(records, 0);
        assertThat(records.batches().iterator().next().baseOffset()).as("stamped in place, not rebuilt").isZero();
        assertThat(log.read(0, 1 << 20, Long.MAX_VALUE, true).slice().size()).isEqualTo(records.sizeInBytes());
    }

    @Test
    void uncompressedDecompressesAndTheResultIsHeldToMaxMessageBytes() throws Exception {
        MemoryRecords compressible = TestRecords.batch(Compression.gzip().build(),
            List.of(new KV("k", "x".repeat(2_000), NOW)));
        open(Map.of("compression.type", "uncompressed", "max.message.bytes", 1_000));
        assertThat(compressible.sizeInBytes()).isLessThan(1_000);
        assertThatThrownBy(() -> log.appendAsLeader(compressible, 0)).isInstanceOf(RecordTooLargeException.class)
            .hasMessageContaining("after recompression");
        log.updateConfig(LogConfig.from(Map.of("compression.type", "uncompressed")));
        log.appendAsLeader(TestRecords.batch(Compression.snappy().build(), List.of(new KV("k", "v", NOW))), 0);
        assertThat(TestRecords.batches(log.read(0, 1 << 20, Long.MAX_VALUE, true).slice()))
            .extracting(MutableRecordBatch::compressionType).containsExactly(CompressionType.NONE);
    }
}
