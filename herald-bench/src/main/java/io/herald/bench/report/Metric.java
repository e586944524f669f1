package io.herald.bench.report;

import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Function;

/** A number read off a run, how to print it, and which direction is better. */
record Metric(String name, String unit, boolean higherIsBetter, String format,
              Function<RunResult, OptionalDouble> extract) {

    static final double MIB = 1024.0 * 1024.0;

    static final Metric STARTUP = new Metric("startup to first Metadata", "ms", false, "%.0f",
            r -> OptionalDouble.of(r.startupNanos() / 1e6));
    static final Metric IDLE_RSS = new Metric("RSS idle after startup", "MiB", false, "%.0f",
            r -> r.idleRssBytes().isPresent() ? OptionalDouble.of(r.idleRssBytes().getAsLong() / MIB) : OptionalDouble.empty());
    static final Metric PEAK_RSS = new Metric("RSS peak under load", "MiB", false, "%.0f",
            r -> r.peakRssBytes().isPresent() ? OptionalDouble.of(r.peakRssBytes().getAsLong() / MIB) : OptionalDouble.empty());
    static final Metric RECORDS_PER_SEC = new Metric("throughput", "records/s", true, "%,.0f",
            r -> r.throughput().map(t -> OptionalDouble.of(t.recordsPerSecond())).orElse(OptionalDouble.empty()));
    static final Metric MB_PER_SEC = new Metric("throughput", "MB/s", true, "%.1f",
            r -> r.throughput().map(t -> OptionalDouble.of(t.megabytesPerSecond())).orElse(OptionalDouble.empty()));
    static final Metric TRANSACTIONS_PER_SEC = new Metric("transactions", "txn/s", true, "%,.0f",
            r -> r.commits().map(c -> OptionalDouble.of(c.transactionsPerSecond())).orElse(OptionalDouble.empty()));
    static final Metric COMMIT_P50 = commitLatency("p50", 50);
    static final Metric COMMIT_P99 = commitLatency("p99", 99);
    static final Metric P50 = latency("p50", 50);
    static final Metric P99 = latency("p99", 99);
    static final Metric P999 = latency("p99.9", 99.9);
    static final Metric MAX = new Metric("latency max", "ms", false, "%.1f",
            r -> r.latency().map(l -> OptionalDouble.of(l.maxMillis())).orElse(OptionalDouble.empty()));
    static final Metric ACHIEVED_RATE = new Metric("achieved send rate", "records/s", true, "%,.0f",
            r -> r.latency().map(l -> OptionalDouble.of(l.achievedRate())).orElse(OptionalDouble.empty()));

    static final Metric DRAIN_SECONDS = new Metric("time to drain", "s", false, "%.2f",
            r -> r.share().map(s -> OptionalDouble.of(s.drainSeconds())).orElse(OptionalDouble.empty()));
    static final Metric DUPLICATES = new Metric("duplicate deliveries", "records", false, "%,.0f",
            r -> r.share().map(s -> OptionalDouble.of(s.duplicates())).orElse(OptionalDouble.empty()));
    static final Metric ACK_P50 = ackLatency("p50", 50);
    static final Metric ACK_P99 = ackLatency("p99", 99);

    static final Metric BROKER_CORES = new Metric("broker CPU", "cores", false, "%.2f",
            r -> r.cpu().map(c -> OptionalDouble.of(c.brokerCores())).orElse(OptionalDouble.empty()));
    static final Metric CLIENT_CORES = new Metric("load generator CPU", "cores", false, "%.2f",
            r -> r.cpu().map(c -> OptionalDouble.of(c.loadGeneratorCores())).orElse(OptionalDouble.empty()));
    static final Metric BROKER_CPU_PER_GB = new Metric("broker CPU per GB", "CPU s", false, "%.2f",
            r -> perGigabyte(r, true));
    static final Metric BROKER_CPU_PER_MILLION = new Metric("broker CPU per million records", "CPU s", false,
            "%.2f", r -> r.cpu().flatMap(c -> r.throughput().filter(t -> t.records() > 0)
                    .map(t -> c.brokerSeconds() / (t.records() / 1e6)))
            .map(OptionalDouble::of).orElse(OptionalDouble.empty()));

    /** CPU seconds of the broker (or load generator) per 10^9 bytes of record values moved in the interval. */
    private static OptionalDouble perGigabyte(RunResult r, boolean broker) {
        return r.cpu().flatMap(c -> r.throughput().filter(t -> t.bytes() > 0)
                        .map(t -> (broker ? c.brokerSeconds() : c.loadGeneratorSeconds()) / (t.bytes() / 1e9)))
                .map(OptionalDouble::of).orElse(OptionalDouble.empty());
    }

    private static Metric latency(String name, double percentile) {
        return new Metric("latency " + name, "ms", false, "%.2f",
                r -> r.latency().map(l -> OptionalDouble.of(l.percentileMillis(percentile))).orElse(OptionalDouble.empty()));
    }

    /** Duration of {@code commitTransaction()}: a client-side latency, like the end-to-end ones. */
    private static Metric commitLatency(String name, double percentile) {
        return new Metric("commitTransaction " + name, "ms", false, "%.2f",
                r -> r.commits().map(c -> OptionalDouble.of(c.percentileMillis(percentile)))
                        .orElse(OptionalDouble.empty()));
    }

    /** Duration of a share consumer's {@code commitSync()} of its acknowledgements: a client-side latency. */
    private static Metric ackLatency(String name, double percentile) {
        return new Metric("ack commitSync " + name, "ms", false, "%.2f",
                r -> r.share().map(s -> OptionalDouble.of(s.commitPercentileMillis(percentile)))
                        .orElse(OptionalDouble.empty()));
    }

    String label() {
        return name + " (" + unit + ")";
    }

    String format(double value) {
        return String.format(format, value);
    }

    /** Median of the runs that have this metric; empty when none has. */
    OptionalDouble median(List<RunResult> runs) {
        double[] values = runs.stream().map(extract).filter(OptionalDouble::isPresent)
                .mapToDouble(OptionalDouble::getAsDouble).sorted().toArray();
        if (values.length == 0) {
            return OptionalDouble.empty();
        }
        int mid = values.length / 2;
        return OptionalDouble.of(values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2);
    }
}
