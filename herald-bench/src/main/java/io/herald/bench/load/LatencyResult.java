package io.herald.bench.load;

import org.HdrHistogram.Histogram;

/**
 * End-to-end latencies in microseconds of the records sent after the warm-up, and how close the producer came
 * to the target rate.
 */
public record LatencyResult(Histogram micros, double targetRate, double achievedRate, long sent, long received) {

    public double percentileMillis(double percentile) {
        return micros.getValueAtPercentile(percentile) / 1000.0;
    }

    public double maxMillis() {
        return micros.getMaxValue() / 1000.0;
    }
}
