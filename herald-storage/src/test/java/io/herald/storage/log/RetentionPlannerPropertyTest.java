package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.storage.log.RetentionPlanner.Plan;
import io.herald.storage.log.RetentionPlanner.Rules;
import io.herald.storage.log.RetentionPlanner.SegmentInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiPredicate;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * {@link RetentionPlanner} against a model that spells Kafka's retention out literally: three passes in a row
 * (log start, then {@code retention.bytes}, then {@code retention.ms}), each removing segments from the head of
 * a list while its predicate holds, the segment lies wholly below the high watermark and is not the empty last
 * segment. The planner does it in one walk over the segments; both must agree for every input, and the named
 * invariants must hold on their own.
 */
class RetentionPlannerPropertyTest {
    private static final long NOW = 10_000_000L;

    /** A random log: increasing base offsets, sizes (the last often empty), timestamps around now. */
    record Log(List<SegmentInfo> segments, long logStartOffset, long highWatermark, long logEndOffset) {}

    static Log randomLog(Random random) {
        int n = 1 + random.nextInt(7);
        List<SegmentInfo> segments = new ArrayList<>();
        long base = random.nextInt(100);
        for (int i = 0; i < n; i++) {
            boolean last = i == n - 1;
            int size = (last && random.nextBoolean()) || random.nextInt(8) == 0 ? 0 : random.nextInt(400);
            long ts = NOW - random.nextInt(3_000);
            segments.add(new SegmentInfo(base, size, ts));
            base += size == 0 && last ? 0 : 1 + random.nextInt(50);
        }
        long logEnd = base;
        long logStart = nearEdge(random, boundaries(segments, logEnd), segments.get(0).baseOffset(), logEnd);
        long hw = nearEdge(random, boundaries(segments, logEnd), logStart, logEnd);
        return new Log(segments, logStart, hw, logEnd);
    }

    /** Segment base offsets and the log end: where the log start and high watermark rules flip. */
    private static List<Long> boundaries(List<SegmentInfo> segments, long logEnd) {
        List<Long> out = new ArrayList<>();
        segments.forEach(s -> out.add(s.baseOffset()));
        out.add(logEnd);
        return out;
    }

    /** Mostly an edge or one off it, sometimes anything, always within {@code [min, max]}. */
    private static long nearEdge(Random random, List<Long> edges, long min, long max) {
        long v = random.nextInt(4) == 0 ? min + (long) (random.nextDouble() * (max - min + 1))
            : edges.get(random.nextInt(edges.size())) + random.nextInt(3) - 1;
        return Math.max(min, Math.min(max, v));
    }

    static Rules randomRules(Random random, Log log) {
        // retention.bytes flips where it equals what is left after dropping a prefix of segments.
        List<Long> byteEdges = new ArrayList<>(List.of(0L));
        long suffix = 0;
        for (int i = log.segments().size() - 1; i >= 0; i--) {
            suffix += log.segments().get(i).sizeInBytes();
            byteEdges.add(suffix);
        }
        List<Long> ageEdges = new ArrayList<>(List.of(0L));
        log.segments().forEach(s -> ageEdges.add(NOW - s.largestTimestamp()));
        long bytes = random.nextInt(5) == 0 ? -1 : nearEdge(random, byteEdges, 0, suffix + 100);
        long ms = random.nextInt(5) == 0 ? -1 : nearEdge(random, ageEdges, 0, 3_500);
        return new Rules(random.nextInt(5) != 0, ms, bytes);
    }

    @Property(tries = 2_000)
    void planAgreesWithTheThreePassModel(@ForAll long seed) {
        Random random = new Random(seed);
        Log log = randomLog(random);
        Rules rules = randomRules(random, log);

        Plan plan = RetentionPlanner.plan(log.segments(), log.logStartOffset(), log.highWatermark(),
            log.logEndOffset(), rules, NOW);

        int expected = model(log, rules);
        assertThat(plan.segmentsToDelete()).as("%s %s", log, rules).isEqualTo(expected);
        assertThat(plan.rollFirst()).isEqualTo(expected == log.segments().size());
        checkInvariants(log, plan);
    }

    /** Invariants that hold whatever the rules: checked apart from the model, so a shared mistake shows. */
    private static void checkInvariants(Log log, Plan plan) {
        List<SegmentInfo> segments = log.segments();
        int k = plan.segmentsToDelete();
        long newStart = k == segments.size() ? log.logEndOffset() : segments.get(k).baseOffset();
        if (k > 0) {
            assertThat(newStart).as("NeverPastHighWatermark").isLessThanOrEqualTo(log.highWatermark());
        }
        SegmentInfo last = segments.get(segments.size() - 1);
        if (last.sizeInBytes() == 0) {
            assertThat(k).as("NeverTheEmptyActiveSegment").isLessThan(segments.size());
        }
        assertThat(k).as("WithinTheLog").isBetween(0, segments.size());
    }

    private static int model(Log log, Rules rules) {
        List<SegmentInfo> remaining = new ArrayList<>(log.segments());
        int deleted = pass(remaining, log, (s, next) -> next != null && next.baseOffset() <= log.logStartOffset());
        if (!rules.delete()) {
            return deleted;
        }
        if (rules.bytes() >= 0) {
            long size = remaining.stream().mapToLong(SegmentInfo::sizeInBytes).sum();
            if (size >= rules.bytes()) {
                long[] diff = {size - rules.bytes()};
                deleted += pass(remaining, log, (s, next) -> {
                    if (diff[0] - s.sizeInBytes() >= 0) {
                        diff[0] -= s.sizeInBytes();
                        return true;
                    }
                    return false;
                });
            }
        }
        if (rules.ms() >= 0 && !remaining.isEmpty()) {
            deleted += pass(remaining, log, (s, next) -> NOW - s.largestTimestamp() > rules.ms());
        }
        return deleted;
    }

    /** Removes segments from the head while they qualify; returns how many. */
    private static int pass(List<SegmentInfo> remaining, Log log, BiPredicate<SegmentInfo, SegmentInfo> rule) {
        int removed = 0;
        while (!remaining.isEmpty()) {
            SegmentInfo s = remaining.get(0);
            SegmentInfo next = remaining.size() > 1 ? remaining.get(1) : null;
            long upperBound = next == null ? log.logEndOffset() : next.baseOffset();
            boolean lastAndEmpty = next == null && s.sizeInBytes() == 0;
            if (log.highWatermark() >= upperBound && rule.test(s, next) && !lastAndEmpty) {
                remaining.remove(0);
                removed++;
            } else {
                break;
            }
        }
        return removed;
    }

    @Test
    void sizeRetentionOfZeroRollsAndDeletesTheActiveSegmentOnceItIsReplicated() {
        List<SegmentInfo> segments = List.of(new SegmentInfo(0, 100, NOW), new SegmentInfo(5, 100, NOW));
        Rules zeroBytes = new Rules(true, -1, 0);
        assertThat(RetentionPlanner.plan(segments, 0, 5, 9, zeroBytes, NOW)).isEqualTo(new Plan(1, false));
        assertThat(RetentionPlanner.plan(segments, 0, 9, 9, zeroBytes, NOW)).isEqualTo(new Plan(2, true));
    }

    @Test
    void deleteRecordsRuleAppliesWithoutTheDeletePolicy() {
        List<SegmentInfo> segments = List.of(new SegmentInfo(0, 100, NOW), new SegmentInfo(5, 100, NOW),
            new SegmentInfo(10, 100, NOW));
        assertThat(RetentionPlanner.plan(segments, 7, 12, 12, Rules.LOG_START_ONLY, NOW)).isEqualTo(new Plan(1, false));
        assertThat(RetentionPlanner.plan(segments, 10, 12, 12, Rules.LOG_START_ONLY, NOW)).isEqualTo(new Plan(2, false));
    }

    @Test
    void timeRetentionStopsAtTheFirstYoungSegment() {
        List<SegmentInfo> segments = List.of(new SegmentInfo(0, 100, NOW - 5_000), new SegmentInfo(5, 100, NOW),
            new SegmentInfo(10, 100, NOW - 5_000));
        assertThat(RetentionPlanner.plan(segments, 0, 15, 15, new Rules(true, 1_000, -1), NOW))
            .isEqualTo(new Plan(1, false));
    }
}
