package io.herald.group;

/**
 * Keyed timers of one {@code __consumer_offsets} partition's groups (session expiry, rebalance and sync timeouts,
 * the initial rebalance delay, offset expiry). Scheduling a key that is already scheduled replaces the earlier
 * task, as Kafka's coordinator timer does. A task runs on the coordinator's event loop as an operation of its
 * partition: what it writes through the {@link RecordSink} is made durable like an operation's records. Tasks
 * must re-check that the state they were scheduled for still holds (a generation may have passed).
 *
 * <p>Not thread-safe: called only on the coordinator's event loop.
 */
public interface GroupTimer {
    void schedule(String key, long delayMs, Runnable task);

    void cancel(String key);

    boolean isScheduled(String key);
}
