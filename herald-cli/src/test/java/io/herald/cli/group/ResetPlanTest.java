package io.herald.cli.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResetPlanTest {

    @Test
    void movesToEachTargetWithinTheLog() {
        OptionalLong none = OptionalLong.empty();
        assertThat(ResetPlan.offset(new OffsetTarget.Earliest(), OptionalLong.of(7), 2, 10, none)).isEqualTo(2);
        assertThat(ResetPlan.offset(new OffsetTarget.Latest(), OptionalLong.of(7), 2, 10, none)).isEqualTo(10);
        assertThat(ResetPlan.offset(new OffsetTarget.Offset(5), none, 2, 10, none)).isEqualTo(5);
        assertThat(ResetPlan.offset(new OffsetTarget.Offset(50), none, 2, 10, none)).isEqualTo(10);
        assertThat(ResetPlan.offset(new OffsetTarget.Offset(0), none, 2, 10, none)).isEqualTo(2);
        assertThat(ResetPlan.offset(new OffsetTarget.ShiftBy(-3), OptionalLong.of(7), 2, 10, none)).isEqualTo(4);
        assertThat(ResetPlan.offset(new OffsetTarget.ShiftBy(3), none, 2, 10, none)).isEqualTo(5);
        assertThat(ResetPlan.offset(new OffsetTarget.Datetime(0), none, 2, 10, OptionalLong.of(6))).isEqualTo(6);
        assertThat(ResetPlan.offset(new OffsetTarget.Datetime(0), none, 2, 10, none)).isEqualTo(10);
    }

    @Test
    void neverLeavesTheLogRangeEvenForExtremeShifts() {
        Random random = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            long earliest = random.nextInt(1000);
            long latest = earliest + random.nextInt(1000);
            OffsetTarget target = switch (random.nextInt(4)) {
                case 0 -> new OffsetTarget.ShiftBy(random.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE);
                case 1 -> new OffsetTarget.ShiftBy(random.nextLong());
                case 2 -> new OffsetTarget.Offset(Math.abs(random.nextLong()));
                default -> new OffsetTarget.Datetime(random.nextLong());
            };
            OptionalLong current = random.nextBoolean() ? OptionalLong.of(random.nextInt(3000)) : OptionalLong.empty();
            OptionalLong byTime = random.nextBoolean() ? OptionalLong.of(random.nextInt(3000)) : OptionalLong.empty();
            assertThat(ResetPlan.offset(target, current, earliest, latest, byTime)).isBetween(earliest, latest);
        }
    }
}
