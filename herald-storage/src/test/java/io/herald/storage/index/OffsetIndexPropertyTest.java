package io.herald.storage.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.storage.testutil.TestDirs;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** OffsetIndex and TimeIndex checked against a TreeMap model through random appends, lookups, truncations and reopens. */
class OffsetIndexPropertyTest {

    @Property(tries = 60)
    void offsetIndexAgreesWithTreeMap(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int steps) throws Exception {
        Random random = new Random(seed);
        Path dir = TestDirs.create("offset-index");
        long base = random.nextInt(1000);
        int maxBytes = 8 * (10 + random.nextInt(100));
        Path file = dir.resolve("x.index");
        OffsetIndex index = new OffsetIndex(file, base, maxBytes, true);
        TreeMap<Long, Integer> model = new TreeMap<>();
        long lastOffset = base;
        int lastPosition = 0;
        try {
            for (int i = 0; i < steps; i++) {
                int op = random.nextInt(10);
                if (op < 6) {
                    long offset = lastOffset + 1 + random.nextInt(5);
                    int position = lastPosition + 1 + random.nextInt(100);
                    if (index.isFull()) {
                        assertThat(model).hasSize(index.maxEntries());
                        continue;
                    }
                    index.append(offset, position);
                    model.put(offset, position);
                    lastOffset = offset;
                    lastPosition = position;
                } else if (op < 8) {
                    long target = base + random.nextInt((int) (lastOffset - base + 10));
                    Map.Entry<Long, Integer> expected = model.floorEntry(target);
                    OffsetPosition actual = index.lookup(target);
                    if (expected == null) {
                        assertThat(actual).isEqualTo(new OffsetPosition(base, 0));
                    } else {
                        assertThat(actual).isEqualTo(new OffsetPosition(expected.getKey(), expected.getValue()));
                    }
                } else if (op == 8) {
                    long target = base + random.nextInt((int) (lastOffset - base + 2));
                    index.truncateTo(target);
                    model.tailMap(target, true).clear();
                    lastOffset = model.isEmpty() ? base : model.lastKey();
                    lastPosition = model.isEmpty() ? 0 : model.lastEntry().getValue();
                } else {
                    index.close();
                    index = new OffsetIndex(file, base, maxBytes, true);
                }
                assertThat(index.entries()).isEqualTo(model.size());
            }
        } finally {
            index.close();
            TestDirs.delete(dir);
        }
    }

    @Property(tries = 60)
    void timeIndexAgreesWithTreeMap(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int steps) throws Exception {
        Random random = new Random(seed);
        Path dir = TestDirs.create("time-index");
        long base = random.nextInt(1000);
        int maxBytes = 12 * (10 + random.nextInt(100));
        Path file = dir.resolve("x.timeindex");
        TimeIndex index = new TimeIndex(file, base, maxBytes, true);
        TreeMap<Long, Long> model = new TreeMap<>(); // timestamp -> offset
        long lastOffset = base;
        long lastTs = 1;
        try {
            for (int i = 0; i < steps; i++) {
                int op = random.nextInt(10);
                if (op < 6) {
                    long offset = lastOffset + random.nextInt(5);
                    // sometimes not larger: must be ignored. Timestamps are >= 1: an all-zero slot reads as preallocated space.
                    long ts = Math.max(1, lastTs + random.nextInt(20) - 3);
                    if (index.isFull()) {
                        continue;
                    }
                    boolean appended = index.maybeAppend(ts, offset);
                    boolean expected = model.isEmpty() || ts > model.lastKey();
                    assertThat(appended).isEqualTo(expected);
                    if (expected) {
                        model.put(ts, offset);
                        lastTs = ts;
                        lastOffset = offset;
                    }
                } else if (op < 8) {
                    long target = random.nextInt((int) lastTs + 10);
                    Map.Entry<Long, Long> floor = model.floorEntry(target);
                    Map.Entry<Long, Long> lower = model.lowerEntry(target);
                    assertThat(index.lookup(target)).isEqualTo(floor == null ? new TimestampOffset(-1, base)
                        : new TimestampOffset(floor.getKey(), floor.getValue()));
                    assertThat(index.lookupBefore(target)).isEqualTo(lower == null ? new TimestampOffset(-1, base)
                        : new TimestampOffset(lower.getKey(), lower.getValue()));
                } else if (op == 8) {
                    long target = base + random.nextInt((int) (lastOffset - base + 2));
                    index.truncateTo(target);
                    model.values().removeIf(o -> o >= target);
                    lastOffset = model.isEmpty() ? base : model.lastEntry().getValue();
                    lastTs = model.isEmpty() ? 1 : model.lastKey();
                } else {
                    index.close();
                    index = new TimeIndex(file, base, maxBytes, true);
                }
                assertThat(index.entries()).isEqualTo(model.size());
            }
        } finally {
            index.close();
            TestDirs.delete(dir);
        }
    }
}
