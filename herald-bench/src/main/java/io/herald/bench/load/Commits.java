package io.herald.bench.load;

import org.HdrHistogram.Histogram;

/**
 * The transactions a transactional produce workload committed in its measured interval, and how long each
 * {@code commitTransaction()} call took, in microseconds.
 *
 * @param transactions committed transactions begun after the warm-up
 * @param nanos        from the first of them beginning to the last commit returning (the throughput's interval)
 * @param micros       one value per committed transaction: the duration of its {@code commitTransaction()}
 */
public record Commits(long transactions, long nanos, Histogram micros) {

    public Commits {
        if (micros.getTotalCount() != transactions) {
            throw new IllegalArgumentException("micros holds " + micros.getTotalCount() + " commit durations"
                    + " (expected: one per transaction, " + transactions + ")");
        }
    }

    public double transactionsPerSecond() {
        return transactions * 1e9 / nanos;
    }

    public double percentileMillis(double percentile) {
        return micros.getValueAtPercentile(percentile) / 1000.0;
    }
}
