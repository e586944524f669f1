package io.herald.broker.delay;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.broker.delay.TimerState.Pending;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The timer index against a reference model: a sorted set of everything pending. */
class TimerIndexTest {
    private static final long DAY = 86_400_000L;
    private static final long YEAR = 365 * DAY;
    private static final Comparator<Pending> BY_DUE =
            Comparator.comparingLong(Pending::dueMs).thenComparingLong(Pending::offset);
    private static final List<TopicPartition> TARGETS =
            List.of(new TopicPartition("orders", 0), new TopicPartition("orders", 1), new TopicPartition("mail", 0));

    @TempDir
    Path dir;

    private long files() throws Exception {
        if (!Files.isDirectory(dir.resolve("index"))) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir.resolve("index"))) {
            return s.count();
        }
    }

    /** Releases everything due, as the timer partition does, checking each answer against the model. */
    private static void releaseDue(TimerIndex index, TreeSet<Pending> model, long now) {
        while (true) {
            List<Pending> due = index.due(now, 100);
            List<Pending> expected = new ArrayList<>();
            for (Pending p : model) {
                if (p.dueMs() > now || expected.size() == 100) {
                    break;
                }
                expected.add(p);
            }
            assertThat(due).as("due at %d", now).containsExactlyElementsOf(expected);
            if (due.isEmpty()) {
                return;
            }
            due.forEach(p -> {
                assertThat(index.remove(p.offset())).isTrue();
                model.remove(p);
            });
        }
    }

    @Test
    void releasesExactlyWhatAModelReleasesWhateverTheDelay() throws Exception {
        Random random = new Random(42);
        long now = 1_700_000_000_000L;
        TreeSet<Pending> model = new TreeSet<>(BY_DUE);
        long offset = 0;
        try (TimerIndex index = new TimerIndex(dir.resolve("index"), 2_000)) {
            for (int step = 0; step < 4_000; step++) {
                for (int i = random.nextInt(20); i > 0; i--) {
                    long ahead = switch (random.nextInt(5)) {
                        case 0 -> random.nextInt(3_000) - 500; // some already due
                        case 1 -> random.nextInt(200_000);
                        case 2 -> (long) random.nextInt(3 * 3_600_000);
                        case 3 -> (long) (random.nextDouble() * 3 * DAY);
                        default -> (long) (random.nextDouble() * 5 * YEAR);
                    };
                    Pending p = new Pending(now + ahead, offset++, TARGETS.get(random.nextInt(TARGETS.size())));
                    index.add(p, now);
                    model.add(p);
                }
                // Time jumps by up to an hour, so that every bucket width is read back.
                now += random.nextInt(10) == 0 ? random.nextInt(3_600_000) : random.nextInt(5_000);
                releaseDue(index, model, now);
                assertThat(index.pending()).isEqualTo(model.size());
                if (model.isEmpty()) {
                    assertThat(index.nextDueMs()).isEmpty();
                } else {
                    assertThat(index.nextDueMs()).hasValue(model.first().dueMs());
                }
            }
            assertThat(index.buckets()).as("bucket files stay few").isLessThan(1_500);
            assertThat(index.inMemory()).as("the far future is on disk").isLessThan(model.size() / 10);
            now += 10 * YEAR;
            releaseDue(index, model, now);
            assertThat(model).isEmpty();
            assertThat(index.pending()).isZero();
            assertThat(index.buckets()).isZero();
        }
        assertThat(files()).isZero();
    }

    @Test
    void millionsAheadStayOnDiskWithOnlyTheNearFutureInMemory() throws Exception {
        long now = 1_000_000L;
        int dueInAMinute = 0;
        int readBack = 0;
        try (TimerIndex index = new TimerIndex(dir.resolve("index"), 2_000)) {
            for (int i = 0; i < 200_000; i++) {
                long ahead = 10_000 + (i * 7919L) % 600_000;
                dueInAMinute += ahead <= 70_000 ? 1 : 0;
                readBack += ahead < 73_000 ? 1 : 0; // the near window, and the rest of its one-second bucket
                index.add(new Pending(now + ahead, i, TARGETS.get(i % 3)), now);
            }
            assertThat(index.inMemory()).isZero();
            assertThat(index.pending()).isEqualTo(200_000);
            assertThat(files()).isGreaterThan(0);
            assertThat(index.nextDueMs()).hasValue(now + 10_000);
            assertThat(index.nextWakeMs()).hasValue(now + 10_000 - 2_000);
            assertThat(index.pendingByTopic()).containsEntry("orders", 133_334).containsEntry("mail", 66_666);

            // A minute on: only about a minute's worth plus the near window was read back.
            List<Pending> due = index.due(now + 70_000, Integer.MAX_VALUE);
            assertThat(due).hasSize(dueInAMinute).isSortedAccordingTo(BY_DUE);
            assertThat(index.inMemory()).isBetween(dueInAMinute, readBack);
        }
    }

    @Test
    void aRecordReleasedWhileOnDiskIsDroppedWhenItsBucketIsRead() {
        long now = 0;
        try (TimerIndex index = new TimerIndex(dir.resolve("index"), 2_000)) {
            index.add(new Pending(60_000, 1, TARGETS.get(0)), now);
            index.add(new Pending(60_001, 2, TARGETS.get(0)), now);
            assertThat(index.remove(1)).isFalse(); // another leader with a fast clock released it
            assertThat(index.pending()).isEqualTo(2);

            List<Pending> due = index.due(61_000, 10);
            assertThat(due).extracting(Pending::offset).containsExactly(2L);
            assertThat(index.pending()).isEqualTo(1);
            assertThat(index.pendingByTopic()).isEqualTo(Map.of("orders", 1));
        }
    }

    @Test
    void aDueTimeYearsAheadWaitsAndComesBack() {
        long now = 0;
        try (TimerIndex index = new TimerIndex(dir.resolve("index"), 2_000)) {
            Pending far = new Pending(30 * YEAR + 200 * DAY + 123, 7, TARGETS.get(2)); // a year bucket, then a day's
            index.add(far, now);
            Map<Long, Integer> seen = new HashMap<>();
            for (long t = 0; t < far.dueMs(); t += 7 * DAY) {
                assertThat(index.due(t, 10)).isEmpty();
                seen.merge((long) index.buckets(), 1, Integer::sum);
            }
            assertThat(seen.keySet()).containsOnly(1L);
            assertThat(index.due(far.dueMs(), 10)).containsExactly(far);
        }
    }
}
