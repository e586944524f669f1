package io.herald.group.config;

/**
 * A broker-level default of a group config with the range a group's own value must lie in, e.g.
 * {@code group.share.record.lock.duration.ms} (30000) within {@code [group.share.min.record.lock.duration.ms,
 * group.share.max.record.lock.duration.ms]} (15000 to 60000). The default itself lies in the range: Kafka refuses
 * to start otherwise, and so does Herald ({@link io.herald.group.GroupConfig}).
 */
public record Bounded(int value, IntRange range) {

    public Bounded {
        if (!range.contains(value)) {
            throw new IllegalArgumentException("value: " + value + " (expected: within [" + range.min() + ", "
                    + range.max() + "])");
        }
    }

    public static Bounded of(int value, int min, int max) {
        return new Bounded(value, new IntRange(min, max));
    }
}
