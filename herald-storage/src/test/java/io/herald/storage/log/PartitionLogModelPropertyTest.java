package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.testutil.TestDirs;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;
import io.herald.storage.testutil.TestRecords.Rec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;

/**
 * PartitionLog against an in-memory model (a list of batches): random appends in every
 * compression, reads, rolls, size retention, DeleteRecords, truncation and close/reopen must keep
 * offsets, contents, log start and log end in agreement.
 */
class PartitionLogModelPropertyTest {
    private static final TopicPartition TP = new TopicPartition("model", 0);
    private static final List<Compression> COMPRESSIONS = List.of(Compression.NONE, Compression.gzip().build(),
        Compression.lz4().build(), Compression.zstd().build(), Compression.snappy().build());

    /** One appended batch as the model knows it. */
    record ModelBatch(long baseOffset, int sizeInBytes, List<KV> records) {
        long lastOffset() {
            return baseOffset + records.size() - 1;
        }
    }

    static final class Model {
        final List<ModelBatch> batches = new ArrayList<>();
        long logStart;
        long logEnd;

        List<Rec> records() {
            List<Rec> out = new ArrayList<>();
            for (ModelBatch b : batches) {
                for (int i = 0; i < b.records().size(); i++) {
                    long offset = b.baseOffset() + i;
                    if (offset >= logStart) {
                        KV kv = b.records().get(i);
                        out.add(new Rec(offset, kv.key(), kv.value(), kv.timestamp()));
                    }
                }
            }
            return out;
        }

        int indexOfBatchContaining(long offset) {
            for (int i = 0; i < batches.size(); i++) {
                if (batches.get(i).lastOffset() >= offset) {
                    return i;
                }
            }
            return -1;
        }

        void dropBelow(long start) {
            logStart = Math.max(logStart, start);
            batches.removeIf(b -> b.lastOffset() < logStart);
        }
    }

    @Property(tries = 40)
    void logAgreesWithModel(@ForAll long seed, @ForAll @IntRange(min = 5, max = 60) int steps) throws Exception {
        Random random = new Random(seed);
        Path root = TestDirs.create("model-log");
        Path dir = root.resolve("model-0");
        ManualTime time = new ManualTime(1_000_000L);
        Map<String, Object> overrides = new HashMap<>(Map.of("internal.segment.bytes", 600 + random.nextInt(3000),
            "index.interval.bytes", random.nextInt(300), "segment.index.bytes", random.nextBoolean() ? 96 : 4096,
            "retention.ms", -1, "retention.bytes", -1, "file.delete.delay.ms", 0));
        LogConfig config = LogConfig.from(overrides);
        PartitionLog log = PartitionLog.open(dir, TP, config, time, false, PartitionCheckpoint.NONE);
        Model model = new Model();
        StringBuilder trace = new StringBuilder();
        try {
            for (int step = 0; step < steps; step++) {
                int op = random.nextInt(20);
                trace.append(op).append(' ');
                if (op < 9) {
                    append(log, model, random);
                } else if (op < 13) {
                    checkRead(log, model, random);
                } else if (op == 13) {
                    log.roll();
                } else if (op == 14) {
                    long before = log.logStartOffset();
                    Map<String, Object> sized = new HashMap<>(overrides);
                    sized.put("retention.bytes", random.nextInt(4000));
                    log.updateConfig(LogConfig.from(sized));
                    log.deleteOldSegments();
                    log.updateConfig(config);
                    long after = log.logStartOffset();
                    assertThat(after).isGreaterThanOrEqualTo(before);
                    if (after != before && after != model.logEnd) {
                        assertThat(model.batches).extracting(ModelBatch::baseOffset).contains(after);
                    }
                    model.dropBelow(after);
                } else if (op == 15) {
                    log.updateHighWatermark(log.logEndOffset());
                    long target = model.logStart + random.nextInt((int) (model.logEnd - model.logStart + 1));
                    assertThat(log.deleteRecordsBefore(target)).isEqualTo(Math.max(target, model.logStart));
                    model.dropBelow(target);
                } else if (op == 16) {
                    List<Long> candidates = new ArrayList<>();
                    model.batches.stream().filter(b -> b.baseOffset() >= model.logStart).forEach(b -> candidates.add(b.baseOffset()));
                    candidates.add(model.logEnd);
                    long target = candidates.get(random.nextInt(candidates.size()));
                    trace.append("(truncate ").append(target).append(") ");
                    log.truncateTo(target);
                    model.batches.removeIf(b -> b.baseOffset() >= target);
                    model.logEnd = target;
                } else {
                    PartitionCheckpoint cp = log.checkpoint();
                    log.close();
                    log = PartitionLog.open(dir, TP, config, time, random.nextBoolean(), cp);
                }
                assertThat(log.logStartOffset()).as("log start after step %d, ops %s", step, trace).isEqualTo(model.logStart);
                assertThat(log.logEndOffset()).as("log end after step %d, ops %s", step, trace).isEqualTo(model.logEnd);
                assertThat(TestRecords.readAll(log)).as("contents after step %d, ops %s", step, trace).isEqualTo(model.records());
            }
        } finally {
            log.close();
            TestDirs.delete(root);
        }
    }

    private static void append(PartitionLog log, Model model, Random random) {
        int n = 1 + random.nextInt(5);
        List<KV> kvs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String value = random.nextInt(10) == 0 ? null : "v".repeat(random.nextInt(60));
            kvs.add(new KV("k" + random.nextInt(20), value, 1_000L + random.nextInt(1000)));
        }
        MemoryRecords records = TestRecords.batch(COMPRESSIONS.get(random.nextInt(COMPRESSIONS.size())), kvs);
        int size = records.sizeInBytes();
        LogAppendInfo info = log.appendAsLeader(records, 3);
        assertThat(info.firstOffset()).isEqualTo(model.logEnd);
        assertThat(info.lastOffset()).isEqualTo(model.logEnd + n - 1);
        assertThat(info.numRecords()).isEqualTo(n);
        model.batches.add(new ModelBatch(model.logEnd, size, kvs));
        model.logEnd += n;
    }

    private static void checkRead(PartitionLog log, Model model, Random random) {
        if (random.nextInt(8) == 0) {
            long bad = random.nextBoolean() ? model.logStart - 1 - random.nextInt(3) : model.logEnd + 1 + random.nextInt(3);
            if (bad >= 0 || bad > model.logEnd) {
                assertThatThrownBy(() -> log.read(bad, 1000, Long.MAX_VALUE, true)).isInstanceOf(OffsetOutOfRangeException.class);
            }
            return;
        }
        long offset = model.logStart + random.nextInt((int) (model.logEnd - model.logStart + 1));
        int maxBytes = random.nextInt(1500);
        boolean minOne = random.nextBoolean();
        LogReadResult result = log.read(offset, maxBytes, Long.MAX_VALUE, minOne);
        assertThat(result.logEndOffset()).isEqualTo(model.logEnd);
        List<MutableRecordBatch> got = TestRecords.batches(result.slice());
        if (offset == model.logEnd) {
            assertThat(got).isEmpty();
            return;
        }
        int first = model.indexOfBatchContaining(offset);
        ModelBatch firstBatch = model.batches.get(first);
        if (!minOne && firstBatch.sizeInBytes() > maxBytes) {
            assertThat(got).isEmpty();
            return;
        }
        assertThat(got).isNotEmpty();
        if (got.size() > 1 || !minOne) {
            assertThat(result.slice().size()).isLessThanOrEqualTo(maxBytes);
        }
        for (int i = 0; i < got.size(); i++) {
            ModelBatch expected = model.batches.get(first + i);
            assertThat(got.get(i).baseOffset()).isEqualTo(expected.baseOffset());
            assertThat(got.get(i).lastOffset()).isEqualTo(expected.lastOffset());
            assertThat(got.get(i).sizeInBytes()).isEqualTo(expected.sizeInBytes());
            assertThat(got.get(i).partitionLeaderEpoch()).isEqualTo(3);
        }
    }
}
