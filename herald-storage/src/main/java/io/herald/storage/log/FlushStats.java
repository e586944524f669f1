package io.herald.storage.log;

import java.util.concurrent.atomic.LongAdder;

/**
 * Fsyncs of partition logs and the time they took (Kafka's LogFlushRateAndTimeMs), summed over the logs that
 * share it: the log manager's logs share one. Thread-safe.
 */
public final class FlushStats {
    private final LongAdder count = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    void record(long elapsedNanos) {
        count.increment();
        nanos.add(elapsedNanos);
    }

    /** Flushes that wrote something (an empty flush is not counted). */
    public long count() {
        return count.sum();
    }

    /** Their total duration. */
    public long totalNanos() {
        return nanos.sum();
    }
}
