package io.herald.bench.broker;

import java.util.List;

/**
 * The broker side of one benchmark run: one broker JVM ({@link HeraldProcess}, {@link KafkaProcess}) or a cluster
 * of them ({@link BrokerCluster}), on loopback, with its own data directories. {@link #start()} returns once the
 * broker(s) answer Metadata; {@link #close()} stops every JVM it started (the data is thrown away, so there is no
 * point in a graceful shutdown, except where a subclass says why). Not thread-safe: owned by the benchmark's main
 * thread.
 */
public interface BrokerProcess extends AutoCloseable {

    BrokerKind kind();

    /** Starts the JVM(s) and waits until they answer Metadata; returns how long that took. */
    StartedBroker start() throws BrokerStartException, InterruptedException;

    /** host:port[,host:port...] for clients. */
    String bootstrapServers();

    /** Kills the JVM(s) (if running) and waits for them to exit. Idempotent. */
    @Override
    void close();

    /**
     * What {@link #start()} measured: time from process start to the first successful Metadata answer.
     *
     * @param pids every broker JVM's process id, for sampling their resident memory (summed)
     */
    record StartedBroker(String bootstrapServers, List<Long> pids, long startupNanos) {
        public StartedBroker {
            pids = List.copyOf(pids);
        }
    }
}
