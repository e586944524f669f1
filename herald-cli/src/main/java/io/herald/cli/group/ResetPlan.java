package io.herald.cli.group;

import java.util.OptionalLong;

/**
 * The offset a reset moves one partition to, from what the log and the group say, with kafka-consumer-groups'
 * rules: every result lies in {@code [earliest, latest]} (an offset outside the log would be reset again by the
 * consumer's {@code auto.offset.reset}), a time after the last record means the log end, and a shift of a
 * partition without a committed offset starts from the earliest offset.
 *
 * <p>Stateless and thread-safe.
 */
final class ResetPlan {

    private ResetPlan() {
    }

    /**
     * @param current  the group's committed offset, if any
     * @param earliest the log start offset
     * @param latest   the log end offset
     * @param byTime   for {@link OffsetTarget.Datetime}: the first offset at or after the time, if any
     */
    static long offset(OffsetTarget target, OptionalLong current, long earliest, long latest, OptionalLong byTime) {
        long wanted = switch (target) {
            case OffsetTarget.Earliest e -> earliest;
            case OffsetTarget.Latest l -> latest;
            case OffsetTarget.Offset o -> o.offset();
            case OffsetTarget.ShiftBy s -> saturatedAdd(current.orElse(earliest), s.delta());
            case OffsetTarget.Datetime d -> byTime.orElse(latest);
        };
        return Math.max(earliest, Math.min(latest, wanted));
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        // Overflow only if both have the same sign and the sum's sign differs.
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return sum;
    }
}
