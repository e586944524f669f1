package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.testutil.TestRecords;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producer batches the broker took records out of (delayed delivery): they keep the producer's offset range and
 * sequences, so the producer state treats them as the producer's batch, and the records left keep their offsets.
 */
class GappedAppendTest {
    private static final TopicPartition TP = new TopicPartition("gaps", 0);
    private static final long PID = 7L;

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime(1_000L);
    private PartitionLog log;

    private PartitionLog open(Map<String, String> configs) throws Exception {
        log = PartitionLog.open(root.resolve("gaps-0"), TP, LogConfig.from(configs), time, false,
            PartitionCheckpoint.NONE);
        return log;
    }

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    /** A producer batch of {@code count} offsets from sequence {@code seq} that holds only the deltas given. */
    private static MemoryRecords gapped(int seq, int count, int... kept) {
        if (kept.length == 0) {
            ByteBuffer buffer = ByteBuffer.allocate(DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
            DefaultRecordBatch.writeEmptyHeader(buffer, RecordBatch.MAGIC_VALUE_V2, PID, (short) 0, seq, 0,
                count - 1, RecordBatch.NO_PARTITION_LEADER_EPOCH, TimestampType.CREATE_TIME, 1_000L, false, false);
            return MemoryRecords.readableRecords(buffer.flip());
        }
        MemoryRecordsBuilder b = new MemoryRecordsBuilder(ByteBuffer.allocate(1024), RecordBatch.MAGIC_VALUE_V2,
            Compression.NONE, TimestampType.CREATE_TIME, 0, RecordBatch.NO_TIMESTAMP, PID, (short) 0, seq, false,
            false, RecordBatch.NO_PARTITION_LEADER_EPOCH, 1024);
        for (int delta : kept) {
            b.appendWithOffset(delta, 1_000L, null, ("v" + (seq + delta)).getBytes(StandardCharsets.UTF_8));
        }
        b.overrideLastOffset(count - 1);
        return b.build();
    }

    private List<String> valuesWithOffsets() {
        List<String> out = new ArrayList<>();
        for (MutableRecordBatch batch : TestRecords.batches(log.read(0, 1 << 20, log.logEndOffset(), true).slice())) {
            for (Record r : batch) {
                ByteBuffer v = r.value();
                byte[] bytes = new byte[v.remaining()];
                v.get(bytes);
                out.add(r.offset() + "=" + new String(bytes, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Test
    void keptRecordsKeepTheirOffsetsAndTheRangeIsUsedUp() throws Exception {
        open(Map.of());
        LogAppendInfo info = log.appendGappedAsLeader(gapped(0, 4, 0, 2), 0);
        assertThat(info.firstOffset()).isZero();
        assertThat(info.lastOffset()).isEqualTo(3);
        assertThat(log.logEndOffset()).isEqualTo(4);
        // The producer's next batch follows its sequence as if nothing had been taken out.
        log.appendAsLeader(TestRecords.idempotentBatch(Compression.NONE, PID, (short) 0, 4,
            List.of(TestRecords.KV.of(null, "v4"))), 0);
        assertThat(valuesWithOffsets()).containsExactly("0=v0", "2=v2", "4=v4");
    }

    @Test
    void aRetryOfTheWholeBatchIsADuplicate() throws Exception {
        open(Map.of());
        log.appendGappedAsLeader(gapped(0, 3, 1), 0);
        LogAppendInfo retry = log.appendGappedAsLeader(gapped(0, 3, 1), 0);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isZero();
        assertThat(log.logEndOffset()).isEqualTo(3);
    }

    @Test
    void aBatchWithEveryRecordTakenOutKeepsOnlyItsRange() throws Exception {
        open(Map.of("compression.type", "lz4"));
        log.appendGappedAsLeader(gapped(0, 3), 0);
        assertThat(log.logEndOffset()).isEqualTo(3);
        log.appendGappedAsLeader(gapped(3, 2, 1), 0);
        assertThat(log.logEndOffset()).isEqualTo(5);
        assertThat(valuesWithOffsets()).containsExactly("4=v4");
        // Loading the log again (recovery) accepts what it wrote.
        log.close();
        log = PartitionLog.open(root.resolve("gaps-0"), TP, LogConfig.from(Map.of("compression.type", "lz4")), time,
            true, PartitionCheckpoint.NONE);
        assertThat(log.logEndOffset()).isEqualTo(5);
        assertThat(log.producerState(PID).orElseThrow().lastSequence()).isEqualTo(4);
    }

    @Test
    void aClientBatchMustStillHoldEveryOffset() throws Exception {
        open(Map.of());
        assertThatThrownBy(() -> log.appendAsLeader(gapped(0, 4, 0, 2), 0))
            .isInstanceOf(CorruptRecordException.class);
        assertThat(log.logEndOffset()).isZero();
    }
}
