package io.herald.bench.load;

/**
 * Records and value bytes moved in a measured interval. MB = 10^6 bytes of record values (no overhead).
 *
 * @param startNanos when the interval began, on {@link System#nanoTime()}; {@link #UNKNOWN_START} when not known
 */
public record Throughput(long records, long bytes, long nanos, long startNanos) {
    /** The start of an interval whose start nobody noted (tests). */
    public static final long UNKNOWN_START = Long.MIN_VALUE;

    /** An interval whose start is not known. */
    public Throughput(long records, long bytes, long nanos) {
        this(records, bytes, nanos, UNKNOWN_START);
    }

    /** Whether {@link #startNanos()} is known. */
    public boolean hasStart() {
        return startNanos != UNKNOWN_START;
    }

    public double recordsPerSecond() {
        return records * 1e9 / nanos;
    }

    public double megabytesPerSecond() {
        return bytes * 1e9 / nanos / 1e6;
    }
}
