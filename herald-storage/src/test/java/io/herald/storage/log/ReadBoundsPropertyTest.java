package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.testutil.TestDirs;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;

/**
 * A read returns exactly the longest run of whole batches that starts with the batch holding the fetch offset,
 * fits the byte budget (the first batch always, with minOneMessage) and stops before the first batch at or above
 * the offset bound: checked against a list of the appended batches, with index intervals from "every batch" to
 * "no index entry at all", so that reads which jump through the offset index and reads which walk every header
 * must agree.
 */
class ReadBoundsPropertyTest {
    private static final TopicPartition TP = new TopicPartition("bounds", 0);

    /** base offset, last offset, size in bytes of one appended batch. */
    record Batch(long baseOffset, long lastOffset, int size) {}

    @Property(tries = 60)
    void readReturnsTheLongestEligibleRunOfWholeBatches(@ForAll long seed,
                                                        @ForAll @IntRange(min = 1, max = 80) int batchCount) throws Exception {
        Random random = new Random(seed);
        Path root = TestDirs.create("read-bounds");
        int[] intervals = {0, 1, 100, 700, 1 << 20};
        LogConfig config = LogConfig.from(Map.of("segment.bytes", 1 << 24,
            "index.interval.bytes", intervals[random.nextInt(intervals.length)], "segment.index.bytes", 4096));
        PartitionLog log = PartitionLog.open(root.resolve("bounds-0"), TP, config, new ManualTime(1_000_000L), false,
            PartitionCheckpoint.NONE);
        try {
            List<Batch> batches = new ArrayList<>();
            long next = 0;
            for (int i = 0; i < batchCount; i++) {
                int n = 1 + random.nextInt(6);
                List<KV> kvs = new ArrayList<>();
                for (int r = 0; r < n; r++) {
                    kvs.add(new KV("k" + r, "v".repeat(random.nextInt(200)), 1_000L));
                }
                MemoryRecords records = TestRecords.batch(kvs);
                int size = records.sizeInBytes();
                log.appendAsLeader(records, 0);
                batches.add(new Batch(next, next + n - 1, size));
                next += n;
            }
            for (int check = 0; check < 40; check++) {
                long offset = random.nextInt((int) next);
                int maxBytes = random.nextInt(random.nextBoolean() ? 600 : 20_000);
                long bound = random.nextInt(4) == 0 ? Long.MAX_VALUE : random.nextInt((int) next + 2);
                boolean minOne = random.nextBoolean();

                List<MutableRecordBatch> got = TestRecords.batches(log.read(offset, maxBytes, bound, minOne).slice());

                List<Batch> expected = expected(batches, offset, maxBytes, bound, minOne);
                assertThat(got).as("read(%d, %d, %d, %s)", offset, maxBytes, bound, minOne).hasSameSizeAs(expected);
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i).baseOffset()).isEqualTo(expected.get(i).baseOffset());
                    assertThat(got.get(i).lastOffset()).isEqualTo(expected.get(i).lastOffset());
                    assertThat(got.get(i).sizeInBytes()).isEqualTo(expected.get(i).size());
                }
            }
        } finally {
            log.close();
            TestDirs.delete(root);
        }
    }

    private static List<Batch> expected(List<Batch> batches, long offset, int maxBytes, long bound, boolean minOne) {
        List<Batch> out = new ArrayList<>();
        int first = 0;
        while (batches.get(first).lastOffset() < offset) {
            first++;
        }
        long total = 0;
        for (int i = first; i < batches.size(); i++) {
            Batch b = batches.get(i);
            if (b.baseOffset() >= bound) {
                break;
            }
            if (total + b.size() > maxBytes && !(minOne && i == first)) {
                break;
            }
            total += b.size();
            out.add(b);
        }
        return out;
    }
}
