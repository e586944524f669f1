package io.herald.protocol;

/** An inclusive range of API versions. */
public record VersionRange(short min, short max) {

    public VersionRange {
        if (min < 0 || min > max) {
            throw new IllegalArgumentException("invalid version range: " + min + ".." + max
                + " (expected: 0 <= min <= max)");
        }
    }

    public boolean contains(short version) {
        return version >= min && version <= max;
    }

    @Override
    public String toString() {
        return min + ".." + max;
    }
}
