package io.herald.common.time;

/**
 * The clock every time-dependent part of Herald reads, injected so that tests move time by hand
 * ({@link ManualTime}) instead of sleeping.
 *
 * <p>{@link #milliseconds()} is wall-clock time (record timestamps, retention, expiry);
 * {@link #nanoseconds()} is monotonic and only meaningful as a difference (durations, deadlines).
 *
 * <p>Implementations are thread-safe.
 */
public interface Time {
    /** The system clocks: {@link System#currentTimeMillis()} and {@link System#nanoTime()}. */
    Time SYSTEM = new Time() {
        @Override
        public long milliseconds() {
            return System.currentTimeMillis();
        }

        @Override
        public long nanoseconds() {
            return System.nanoTime();
        }

        @Override
        public String toString() {
            return "Time.SYSTEM";
        }
    };

    /** Wall-clock milliseconds since the epoch. */
    long milliseconds();

    /** A monotonic nanosecond counter with an arbitrary origin. */
    long nanoseconds();

    /** Monotonic milliseconds ({@link #nanoseconds()} in ms), for deadlines that must not jump with the wall clock. */
    default long hiResClockMs() {
        return nanoseconds() / 1_000_000L;
    }
}
