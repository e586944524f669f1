package io.herald.broker.group;

/**
 * Keyed timers of the coordinator (session expiry, rebalance and sync timeouts, the initial rebalance delay).
 * Scheduling a key that is already scheduled replaces the earlier task, as Kafka's coordinator timer does.
 * Tasks run on the coordinator thread, so they may touch group state; they must re-check that the state they
 * were scheduled for still holds (a generation may have passed).
 *
 * <p>Thread-safety: called only on the coordinator thread.
 */
public interface CoordinatorTimer {
    void schedule(String key, long delayMs, Runnable task);

    void cancel(String key);

    boolean isScheduled(String key);
}
