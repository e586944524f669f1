package io.herald.bench.load;

/**
 * CPU time spent in a measured interval.
 *
 * @param brokerSeconds        the broker's processes (all of a cluster's), user + system
 * @param loadGeneratorSeconds the benchmark JVM's, which runs the clients
 * @param nanos                the interval
 */
public record CpuUsage(double brokerSeconds, double loadGeneratorSeconds, long nanos) {

    /** Cores the broker kept busy on average. */
    public double brokerCores() {
        return brokerSeconds / (nanos / 1e9);
    }

    /** Cores the load generator kept busy on average. */
    public double loadGeneratorCores() {
        return loadGeneratorSeconds / (nanos / 1e9);
    }
}
