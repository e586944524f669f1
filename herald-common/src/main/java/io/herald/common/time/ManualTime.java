package io.herald.common.time;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when a test calls {@link #advance}. Both readings move together: the monotonic
 * clock is the wall clock in nanoseconds, so a deadline computed from either fires at the same advance.
 *
 * <p>Thread-safe.
 */
public final class ManualTime implements Time {
    /** Where a new clock starts: an arbitrary fixed instant, so tests are reproducible. */
    public static final long DEFAULT_START_MS = 1_700_000_000_000L;

    private final AtomicLong nowMs;

    public ManualTime() {
        this(DEFAULT_START_MS);
    }

    public ManualTime(long startMs) {
        if (startMs < 0) {
            throw new IllegalArgumentException("startMs: " + startMs + " (expected: >= 0)");
        }
        this.nowMs = new AtomicLong(startMs);
    }

    /** Moves the clock forward by {@code ms}. */
    public void advance(long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("ms: " + ms + " (expected: >= 0, time does not go back)");
        }
        nowMs.addAndGet(ms);
    }

    @Override
    public long milliseconds() {
        return nowMs.get();
    }

    @Override
    public long nanoseconds() {
        return nowMs.get() * 1_000_000L;
    }

    @Override
    public String toString() {
        return "ManualTime(" + nowMs.get() + ")";
    }
}
