package io.herald.common.timer;

/**
 * Runs tasks once after a delay, for deadlines that are usually cancelled before they fire: a parked fetch's
 * {@code fetch.max.wait.ms}, an acks=all produce's {@code request.timeout.ms}, a coordinator's session and
 * rebalance timeouts. One timer serves a whole node ({@link SystemTimer}); tests inject a {@link ManualTimer}
 * and move its clock by hand.
 *
 * <p>Tasks run on the timer's own thread (or, for {@link ManualTimer}, the thread that advances time). They must
 * be short and must not block: a task that has real work to do hands it to the thread that owns it (the
 * coordinator's event loop, a request pool).
 *
 * <p>Thread-safety: implementations are thread-safe.
 */
public interface Timer extends AutoCloseable {

    /**
     * Runs {@code task} once, {@code delayMs} from now (0 or less: as soon as possible). A task that throws is
     * logged; the timer goes on.
     *
     * @throws IllegalStateException if the timer is closed
     */
    Timeout schedule(long delayMs, Runnable task);

    /** Stops the timer; tasks not yet run never run. */
    @Override
    void close();

    /** A scheduled task. */
    interface Timeout {
        /**
         * Cancels the task if it has not started. The timer forgets it at once (it holds no memory for the rest
         * of the delay), so cancelling is how a completed operation gives back its slot.
         *
         * @return true if this call cancelled it; false if it already ran, is running, or was cancelled
         */
        boolean cancel();
    }
}
