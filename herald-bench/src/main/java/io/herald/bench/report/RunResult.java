package io.herald.bench.report;

import io.herald.bench.broker.BrokerKind;
import io.herald.bench.load.Commits;
import io.herald.bench.load.CpuUsage;
import io.herald.bench.load.LatencyResult;
import io.herald.bench.load.ShareDrain;
import io.herald.bench.load.Throughput;
import io.herald.bench.load.Workload;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One run of one workload on one fresh broker. Startup time and idle memory are measured on every run (every
 * run starts its own broker); the workload's own numbers are in {@code throughput} or {@code latency}, or the
 * run failed and {@code failure} says why.
 *
 * @param pair    1-based index of the Herald/Kafka pair this run belongs to
 * @param commits a transactional produce run's transactions and commit latencies, over the interval of its
 *                {@code throughput}
 * @param share   a share group drain's deliveries and acknowledgement latencies; its throughput is also
 *                {@code throughput}
 * @param cpu     CPU time of the broker and of the load generator over {@code throughput}'s interval (a latency
 *                workload: over the whole run at its fixed rate)
 */
public record RunResult(Workload workload, BrokerKind broker, int pair, long startupNanos, OptionalLong idleRssBytes,
                 OptionalLong peakRssBytes, Optional<Throughput> throughput, Optional<Commits> commits,
                 Optional<LatencyResult> latency, Optional<ShareDrain> share, Optional<String> failure,
                 Optional<CpuUsage> cpu) {

    /** Without CPU readings (tests, machines without /proc). */
    public RunResult(Workload workload, BrokerKind broker, int pair, long startupNanos, OptionalLong idleRssBytes,
                     OptionalLong peakRssBytes, Optional<Throughput> throughput, Optional<Commits> commits,
                     Optional<LatencyResult> latency, Optional<ShareDrain> share, Optional<String> failure) {
        this(workload, broker, pair, startupNanos, idleRssBytes, peakRssBytes, throughput, commits, latency, share,
                failure, Optional.empty());
    }

    public boolean ok() {
        return failure.isEmpty();
    }
}
