package io.herald.broker.purgatory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An operation that waits for a condition (enough bytes to fetch, enough replicas caught up) or its deadline,
 * whichever comes first. It completes exactly once: {@link #forceComplete()} is the single gate, so a
 * completion racing the timer runs {@link #onComplete()} on one thread only.
 *
 * <p>Subclasses implement {@link #tryComplete()} as "if the condition holds, return forceComplete()".
 */
public abstract class DelayedOperation {
    private final AtomicBoolean completed = new AtomicBoolean();
    private final long delayMs;

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
            onComplete();
            return true;
        }
        return false;
    }

    public final boolean isCompleted() {
        return completed.get();
    }
}
