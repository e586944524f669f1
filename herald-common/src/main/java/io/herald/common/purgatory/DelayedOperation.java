package io.herald.common.purgatory;

import io.herald.common.timer.Timer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An operation that waits for a condition (enough bytes to fetch, enough replicas caught up) or its deadline,
 * whichever comes first. It completes exactly once: {@link #forceComplete()} is the single gate, so a
 * completion racing the timer runs {@link #onComplete()} on one thread only. Completing cancels the deadline's
 * timer task, so the timer holds nothing for an operation that is done.
 *
 * <p>Subclasses implement {@link #tryComplete()} as "if the condition holds, return forceComplete()".
 *
 * <p>Thread-safety: thread-safe.
 */
public abstract class DelayedOperation {
    private final AtomicBoolean completed = new AtomicBoolean();
    private final long delayMs;
    /** The deadline's timer task once armed; written before the operation can be seen by the timer thread. */
    private volatile Timer.Timeout timeout;

    protected DelayedOperation(long delayMs) {
        this.delayMs = delayMs;
    }

    public long delayMs() {
        return delayMs;
    }

    /** Checks the condition and completes if it holds. Thread-safe; may be called from any thread. */
    public abstract boolean tryComplete();

    /** Produces the answer. Runs once, on whichever thread won {@link #forceComplete()}. */
    protected abstract void onComplete();

    /** @return true if this call completed the operation; false if it was already complete */
    public final boolean forceComplete() {
        if (completed.compareAndSet(false, true)) {
            Timer.Timeout armed = timeout;
            if (armed != null) {
                armed.cancel();
            }
            onComplete();
            return true;
        }
        return false;
    }

    public final boolean isCompleted() {
        return completed.get();
    }

    /**
     * Records the deadline's timer task. If the operation completed while it was being armed, the task is
     * cancelled here (the completing thread may have read {@code timeout} before it was set).
     */
    final void armed(Timer.Timeout armed) {
        this.timeout = armed;
        if (isCompleted()) {
            armed.cancel();
        }
    }
}
