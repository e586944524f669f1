package io.herald.bench.broker;

/**
 * One broker running as a separate JVM on loopback, with its own data directory. {@link #start()} returns once
 * the broker has answered its first Metadata request; {@link #close()} kills it (the data is thrown away, so
 * there is no point in a graceful shutdown). Not thread-safe: owned by the benchmark's main thread.
 */
public interface BrokerProcess extends AutoCloseable {

    BrokerKind kind();

    /** Starts the JVM and waits until the broker answers Metadata; returns how long that took. */
    StartedBroker start() throws BrokerStartException, InterruptedException;

    /** The JVM's process id, for sampling its resident memory. Only valid after {@link #start()}. */
    long pid();

    /** host:port for clients. */
    String bootstrapServers();

    /** Kills the JVM (if running) and waits for it to exit. Idempotent. */
    @Override
    void close();

    /** What {@link #start()} measured: time from process start to the first successful Metadata answer. */
    record StartedBroker(String bootstrapServers, long pid, long startupNanos) {
    }
}
