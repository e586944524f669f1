package io.herald.broker.quota;

/**
 * The token bucket of a {@code controller_mutation_rate} quota, as Kafka's (KIP-599): tokens flow in at the quota's
 * rate per second up to a burst of {@code samples * window seconds * rate}; each mutated partition takes one. The
 * bucket starts full and may go negative: a request that finds it below zero is over its quota until it refills.
 *
 * <p>Thread-safe.
 */
final class TokenBucket {
    private final int samples;
    private final long windowMs;
    private double tokens;
    private long lastUpdateMs;
    private long lastRecordMs;

    TokenBucket(int samples, long windowMs, double rate, long nowMs) {
        this.samples = samples;
        this.windowMs = windowMs;
        this.tokens = burst(rate);
        this.lastUpdateMs = nowMs;
        this.lastRecordMs = nowMs;
    }

    /** The tokens at {@code nowMs} for a quota of {@code rate} per second. */
    synchronized double tokens(double rate, long nowMs) {
        refill(rate, nowMs);
        return tokens;
    }

    /** Takes {@code permits} tokens at {@code nowMs}. */
    synchronized void take(double permits, double rate, long nowMs) {
        refill(rate, nowMs);
        lastRecordMs = nowMs;
        tokens = Math.min(burst(rate), tokens - permits);
    }

    synchronized long lastRecordMs() {
        return lastRecordMs;
    }

    private void refill(double rate, long nowMs) {
        tokens = Math.min(burst(rate), tokens + rate * Math.max(0, nowMs - lastUpdateMs) / 1000.0);
        lastUpdateMs = Math.max(lastUpdateMs, nowMs);
    }

    private double burst(double rate) {
        return samples * (windowMs / 1000.0) * rate;
    }
}
