package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers take no lock: while one thread appends, rolls and applies retention, another thread's
 * reads must only ever see whole, valid, contiguous batches (never a torn or half-written one).
 */
class ConcurrentReadTest {
    private static final TopicPartition TP = new TopicPartition("concurrent", 0);

    @TempDir
    Path root;

    @Test
    void readsDuringAppendsRollsAndRetentionSeeOnlyWholeBatches() throws Exception {
        LogConfig config = LogConfig.from(Map.of("internal.segment.bytes", 2_000, "index.interval.bytes", 200,
            "segment.index.bytes", 4096, "retention.ms", -1, "retention.bytes", 20_000));
        PartitionLog log = PartitionLog.open(root.resolve("concurrent-0"), TP, config, new ManualTime(0), false, PartitionCheckpoint.NONE);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        try {
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                Random random = new Random(7);
                while (!done.get() || reads.get() == 0) {
                    long start = log.logStartOffset();
                    long end = log.logEndOffset();
                    long offset = start + (long) (random.nextDouble() * (end - start + 1));
                    List<MutableRecordBatch> batches;
                    FileSlice slice;
                    try {
                        slice = log.read(offset, 1 + random.nextInt(3000), Long.MAX_VALUE, true).slice();
                        batches = TestRecords.batches(slice);
                    } catch (OffsetOutOfRangeException e) {
                        assertThat(offset).isLessThan(log.logStartOffset());
                        continue;
                    }
                    long expectedBase = -1;
                    for (MutableRecordBatch b : batches) {
                        assertThat(b.isValid()).isTrue();
                        if (expectedBase >= 0) {
                            assertThat(b.baseOffset()).isEqualTo(expectedBase);
                        } else {
                            assertThat(b.lastOffset()).isGreaterThanOrEqualTo(offset);
                            assertThat(b.baseOffset()).isLessThanOrEqualTo(offset);
                        }
                        expectedBase = b.nextOffset();
                    }
                    if (!batches.isEmpty()) {
                        assertThat(slice.endOffset()).as("the slice's end offset").isEqualTo(expectedBase);
                    }
                    reads.incrementAndGet();
                }
            });
            for (int i = 0; i < 3_000; i++) {
                log.appendAsLeader(TestRecords.batch(List.of(KV.of("k" + i, "v".repeat(i % 50)), KV.of("x", "y"))), 0);
                if (i % 200 == 0) {
                    log.updateHighWatermark(log.logEndOffset());
                    log.deleteOldSegments();
                }
            }
            done.set(true);
            reader.get();
            assertThat(log.logStartOffset()).isPositive();
            assertThat(reads.get()).isPositive();
        } finally {
            done.set(true);
            log.close();
        }
    }
}
