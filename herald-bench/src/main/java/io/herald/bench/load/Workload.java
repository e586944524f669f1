package io.herald.bench.load;

/**
 * One thing the benchmark measures. Every run of a workload gets a fresh broker with an empty data directory and
 * one topic, {@link #topic()}, with the configured partition count. The set of cases is closed: the report
 * lays each out differently.
 */
public sealed interface Workload {

    /** Short name used in the report, the progress bar and {@code --only}. */
    String name();

    default String topic() {
        return "bench-" + name();
    }

    /** The brokers it runs on and the replication of its topic. */
    default Deployment deployment() {
        return Deployment.SINGLE_BROKER;
    }

    /**
     * Produce as fast as one producer can for a fixed time; throughput counts records acknowledged after the
     * warm-up.
     *
     * @param acks       "1" or "all"
     * @param deployment one broker, or a cluster with a replicated topic (the producer bootstraps from every node)
     */
    record Produce(String name, int recordSize, String acks, Deployment deployment) implements Workload {
    }

    /**
     * Fill the topic with {@code records} records (acks=1), then read them all back with one consumer that
     * {@code assign()}s every partition and seeks to the beginning (no group), twice: the first read warms the
     * benchmark JVM's consumer code, the second is timed.
     */
    record Consume(String name, int recordSize, long records) implements Workload {
    }

    /**
     * Produce at a fixed rate and consume in the same process; latency = consume time - intended send time
     * (stamped into the record, so a stalled producer cannot hide latency: no coordinated omission). The rate is
     * {@code fractionOfPeak} of the lower of the two brokers' median throughputs in {@code peakSource}, so both
     * brokers get the same absolute load.
     */
    record EndToEndLatency(String name, int recordSize, String acks, double fractionOfPeak, Produce peakSource)
            implements Workload {
    }
}
