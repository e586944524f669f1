package io.herald.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.storage.cleaner.CleaningPlanner.Plan;
import io.herald.storage.cleaner.CleaningPlanner.Rules;
import io.herald.storage.cleaner.CleaningPlanner.SegmentInfo;

import java.util.List;

import org.junit.jupiter.api.Test;

class CleaningPlannerTest {
    private static final long NOW = 1_000_000L;
    private static final Rules DEFAULTS = new Rules(0, Long.MAX_VALUE, 0.5);
    /** Three inactive segments of 100 bytes: [0,10) [10,20) [20,30); the active one starts at 30. */
    private static final List<SegmentInfo> SEGMENTS = List.of(
        new SegmentInfo(0, 10, 100, NOW - 3_000, NOW - 3_500),
        new SegmentInfo(10, 20, 100, NOW - 2_000, NOW - 2_500),
        new SegmentInfo(20, 30, 100, NOW - 1_000, NOW - 1_500));

    @Test
    void aNeverCleanedLogIsAllDirtyAndDue() {
        assertThat(CleaningPlanner.plan(SEGMENTS, 30, 0, DEFAULTS, Long.MAX_VALUE, NOW))
            .isEqualTo(new Plan(3, 30, 1.0, true));
    }

    @Test
    void theDirtyRatioMustExceedTheMinimum() {
        // One of three segments written since the last cleaning: 1/3 dirty.
        assertThat(CleaningPlanner.plan(SEGMENTS, 30, 20, DEFAULTS, Long.MAX_VALUE, NOW).due()).isFalse();
        assertThat(CleaningPlanner.plan(SEGMENTS, 30, 20, new Rules(0, Long.MAX_VALUE, 0.33), Long.MAX_VALUE, NOW)
            .due()).isTrue();
        assertThat(CleaningPlanner.plan(SEGMENTS, 30, 30, new Rules(0, Long.MAX_VALUE, 0), Long.MAX_VALUE, NOW)
            .due()).as("nothing dirty, ratio 0 is not above 0").isFalse();
    }

    @Test
    void nothingAtOrAboveTheHighWatermarkIsCleanable() {
        assertThat(CleaningPlanner.plan(SEGMENTS, 19, 0, DEFAULTS, Long.MAX_VALUE, NOW))
            .isEqualTo(new Plan(1, 10, 1.0, true));
        assertThat(CleaningPlanner.plan(SEGMENTS, 9, 0, DEFAULTS, Long.MAX_VALUE, NOW).due()).isFalse();
    }

    @Test
    void dirtySegmentsYoungerThanTheMinimumLagWait() {
        Rules lag = new Rules(1_500, Long.MAX_VALUE, 0.5);
        assertThat(CleaningPlanner.plan(SEGMENTS, 30, 0, lag, Long.MAX_VALUE, NOW))
            .isEqualTo(new Plan(2, 20, 1.0, true));
        assertThat(CleaningPlanner.plan(SEGMENTS, 30, 0, new Rules(5_000, Long.MAX_VALUE, 0.5), Long.MAX_VALUE, NOW)
            .segments()).isZero();
        assertThat(CleaningPlanner.plan(SEGMENTS, 30, 20, new Rules(1_500, Long.MAX_VALUE, 0), Long.MAX_VALUE, NOW))
            .as("the lag only holds back dirty segments").isEqualTo(new Plan(2, 20, 0, false));
    }

    @Test
    void theMaximumLagForcesACleaningWhateverTheRatio() {
        Rules strict = new Rules(0, 1_000, 1.0);
        assertThat(CleaningPlanner.plan(SEGMENTS, 30, 20, strict, Long.MAX_VALUE, NOW).due())
            .as("first dirty batch 1500 ms old").isTrue();
        assertThat(CleaningPlanner.plan(SEGMENTS, 30, 20, new Rules(0, 1_500, 1.0), Long.MAX_VALUE, NOW).due())
            .isFalse();
    }

    @Test
    void aTombstonePastItsHorizonMakesTheLogDue() {
        Rules never = new Rules(0, Long.MAX_VALUE, 1.0);
        assertThat(CleaningPlanner.plan(SEGMENTS, 30, 30, never, NOW + 1, NOW).due()).isFalse();
        assertThat(CleaningPlanner.plan(SEGMENTS, 30, 30, never, NOW, NOW).due()).isTrue();
    }
}
