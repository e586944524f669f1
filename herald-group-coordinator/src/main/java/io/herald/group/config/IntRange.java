package io.herald.group.config;

/**
 * The closed range {@code [min, max]} a broker allows a group's own value of a config in: Kafka's
 * {@code group.<type>.min.*} / {@code group.<type>.max.*} pairs ({@code group.share.min.record.lock.duration.ms}, ...).
 */
public record IntRange(int min, int max) {

    public IntRange {
        if (min > max) {
            throw new IllegalArgumentException("min: " + min + " (expected: <= max " + max + ")");
        }
    }

    public boolean contains(int value) {
        return value >= min && value <= max;
    }

    /** {@code value} moved into the range, as Kafka caps a group's value when the broker's bounds changed. */
    public int clamp(int value) {
        return Math.max(min, Math.min(max, value));
    }
}
