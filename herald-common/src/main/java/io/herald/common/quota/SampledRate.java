package io.herald.common.quota;

/**
 * A per-second rate measured over the last {@code samples} windows, as Kafka's {@code Rate} over a
 * {@code SampledStat} measures a quota: values add up in the current window's sample; a window that has lasted
 * its span gives way to the next sample (reusing the oldest slot); a sample older than all windows together counts
 * nothing. The rate divides the sum by the time since the oldest live sample began, but never by less than
 * {@code samples - 1} whole windows (a client's first burst is not measured over a few milliseconds), and never by
 * less than 1 ms.
 *
 * <p>Thread-safe: a client's connections record from several event loops. Used by client quotas (herald-broker) and
 * connection creation rates (herald-protocol).
 */
public final class SampledRate {
    private final long windowMs;
    private final long[] starts;
    private final double[] totals;
    /** Slots in use: samples are created as time moves on, up to the array length. */
    private int used;
    private int current;
    private long lastRecordMs;

    public SampledRate(int samples, long windowMs, long nowMs) {
        if (samples < 1 || windowMs < 1) {
            throw new IllegalArgumentException("samples: " + samples + ", windowMs: " + windowMs
                    + " (expected: >= 1)");
        }
        this.windowMs = windowMs;
        this.starts = new long[samples];
        this.totals = new double[samples];
        this.lastRecordMs = nowMs;
    }

    /** Adds {@code value} (negative to take back what a refused fetch recorded) at {@code nowMs}. */
    public synchronized void record(double value, long nowMs) {
        lastRecordMs = nowMs;
        if (used == 0) {
            used = 1;
            current = 0;
            starts[0] = nowMs;
            totals[0] = 0;
        } else if (nowMs - starts[current] >= windowMs) {
            current = (current + 1) % starts.length;
            if (current >= used) {
                used = current + 1;
            }
            starts[current] = nowMs;
            totals[current] = 0;
        }
        totals[current] += value;
    }

    /** The rate per second at {@code nowMs}. */
    public synchronized double rate(long nowMs) {
        purgeObsolete(nowMs);
        double sum = 0;
        for (int i = 0; i < used; i++) {
            sum += totals[i];
        }
        return sum / (windowSizeMs(nowMs) / 1000.0);
    }

    /** The span the rate is measured over at {@code nowMs}, in ms (Kafka's {@code Rate.windowSize}). */
    public synchronized long windowSizeMs(long nowMs) {
        purgeObsolete(nowMs);
        long oldest = nowMs;
        for (int i = 0; i < used; i++) {
            oldest = Math.min(oldest, starts[i]);
        }
        long elapsed = nowMs - oldest;
        long fullWindows = elapsed / windowMs;
        long minFullWindows = starts.length - 1;
        if (fullWindows < minFullWindows) {
            elapsed += (minFullWindows - fullWindows) * windowMs;
        }
        return Math.max(elapsed, 1);
    }

    /** The time of the last {@link #record}, or of the creation. */
    public synchronized long lastRecordMs() {
        return lastRecordMs;
    }

    /** Empties the samples that began longer ago than all windows together, restarting them now. */
    private void purgeObsolete(long nowMs) {
        long expireAge = starts.length * windowMs;
        for (int i = 0; i < used; i++) {
            if (nowMs - starts[i] >= expireAge) {
                starts[i] = nowMs;
                totals[i] = 0;
            }
        }
    }
}
