package io.herald.coordinator.runtime;

import java.util.function.Supplier;

/**
 * Keyed timers of one shard (session expiry, rebalance and sync timeouts, periodic expiry). A task runs as a
 * write operation of its shard on the event loop: it may change state and return records, which are made
 * durable like any operation's. Scheduling a key that is already scheduled replaces the earlier task, as Kafka's
 * coordinator timer does. A task fires only while the shard that scheduled it is loaded; unloading cancels
 * all of them.
 *
 * <p>Tasks must re-check that what they were scheduled for still holds (a generation may have passed): a task
 * that was due but not yet run when it was replaced or cancelled does not run.
 *
 * <p>Not thread-safe: called on the event loop only (from operations, replay of soft state, or other tasks).
 *
 * @param <R> the record type of the internal topic
 */
public interface CoordinatorTimer<R> {

    /** Runs {@code task} {@code delayMs} from now, replacing the task scheduled under {@code key}, if any. */
    void schedule(String key, long delayMs, Supplier<CoordinatorResult<Void, R>> task);

    /** Cancels the task scheduled under {@code key}, if any. */
    void cancel(String key);

    boolean isScheduled(String key);

    /** Tasks scheduled and not yet run (tests). */
    int size();
}
