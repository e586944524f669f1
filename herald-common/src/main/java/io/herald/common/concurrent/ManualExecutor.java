package io.herald.common.concurrent;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * An {@link Executor} for tests that stands in for a single-threaded event loop: {@link #execute} only queues,
 * and the test runs the queue when it chooses ({@link #runAll}, {@link #runNext}). With a manual timer this makes
 * "nothing happens until X" checkable without sleeping: drain the queue, then assert.
 *
 * <p>Thread-safe: tasks may be queued from any thread; they run on the thread that drains.
 */
public final class ManualExecutor implements Executor {
    private final Deque<Runnable> queue = new ArrayDeque<>();
    private boolean shutdown;

    @Override
    public synchronized void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("executor shut down");
        }
        queue.addLast(task);
    }

    /** Runs the oldest queued task. @return false if the queue was empty */
    public boolean runNext() {
        Runnable task;
        synchronized (this) {
            task = queue.pollFirst();
        }
        if (task == null) {
            return false;
        }
        task.run();
        return true;
    }

    /**
     * Runs queued tasks, including ones they queue, until the queue is empty.
     *
     * @return how many ran
     * @throws IllegalStateException after 1,000,000 tasks (a task that requeues itself forever)
     */
    public int runAll() {
        int ran = 0;
        while (runNext()) {
            if (++ran >= 1_000_000) {
                throw new IllegalStateException("the queue does not drain: a task keeps requeueing itself");
            }
        }
        return ran;
    }

    public synchronized int queued() {
        return queue.size();
    }

    /** Refuses new tasks; queued ones can still be run. */
    public synchronized void shutdown() {
        shutdown = true;
    }
}
