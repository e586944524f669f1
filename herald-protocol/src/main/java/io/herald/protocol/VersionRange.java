package io.herald.protocol;

/** An inclusive range of API versions. */
public record VersionRange(short min, short max) {

    public VersionRange {
        if (min < 0 || min > max) {
            throw new IllegalArgumentException("invalid version range: " + min + ".." + max
                + " (expected: 0 <= min <= max)");
        }
    }

    /** {@code min..max}, for declarations that would otherwise need a cast per bound. */
    public static VersionRange of(int min, int max) {
        if (min != (short) min || max != (short) max) {
            throw new IllegalArgumentException("invalid version range: " + min + ".." + max
                + " (expected: versions within 0.." + Short.MAX_VALUE + ")");
        }
        return new VersionRange((short) min, (short) max);
    }

    public boolean contains(short version) {
        return version >= min && version <= max;
    }

    @Override
    public String toString() {
        return min + ".." + max;
    }
}
