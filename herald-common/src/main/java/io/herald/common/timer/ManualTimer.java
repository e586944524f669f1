package io.herald.common.timer;

import io.herald.common.time.ManualTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Timer} for tests: tasks fire only when the test moves the clock with {@link #advance}, in deadline
 * order (ties in scheduling order), on the calling thread. A task scheduled by a running task with a deadline
 * inside the same advance fires in that advance too, and the clock reads each task's deadline while it runs, as
 * it would in production.
 *
 * <p>Thread-safe: tasks may be scheduled and cancelled from any thread; only one thread should advance.
 */
public final class ManualTimer implements Timer {
    private static final Logger log = LoggerFactory.getLogger(ManualTimer.class);

    private final ManualTime time;
    private final TreeSet<Task> tasks = new TreeSet<>();
    private long sequence;
    private boolean closed;

    public ManualTimer(ManualTime time) {
        this.time = time;
    }

    public ManualTime time() {
        return time;
    }

    @Override
    public synchronized Timeout schedule(long delayMs, Runnable task) {
        if (closed) {
            throw new IllegalStateException("timer closed");
        }
        Task t = new Task(time.milliseconds() + Math.max(0, delayMs), sequence++, task);
        tasks.add(t);
        return () -> cancel(t);
    }

    private synchronized boolean cancel(Task task) {
        return tasks.remove(task);
    }

    /** Moves the clock forward by {@code ms}, running every task that falls due on the way. */
    public void advance(long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("ms: " + ms + " (expected: >= 0)");
        }
        long target = time.milliseconds() + ms;
        while (true) {
            Optional<Task> next = pollDue(target);
            if (next.isEmpty()) {
                break;
            }
            Task task = next.get();
            time.advance(task.deadlineMs - time.milliseconds());
            try {
                task.runnable.run();
            } catch (RuntimeException e) {
                log.error("A manual timer task failed", e);
            }
        }
        time.advance(target - time.milliseconds());
    }

    /** Runs the tasks that are already due, without moving the clock. */
    public void runDue() {
        advance(0);
    }

    private synchronized Optional<Task> pollDue(long target) {
        if (tasks.isEmpty() || tasks.first().deadlineMs > target) {
            return Optional.empty();
        }
        return Optional.of(tasks.pollFirst());
    }

    /** How many tasks wait: a test checks with it that completed operations gave their slot back. */
    public synchronized int pending() {
        return tasks.size();
    }

    /** The earliest deadline waiting, if any. */
    public synchronized OptionalLong nextDeadlineMs() {
        return tasks.isEmpty() ? OptionalLong.empty() : OptionalLong.of(tasks.first().deadlineMs);
    }

    /** The deadlines waiting, earliest first (diagnostics in test failures). */
    public synchronized List<Long> deadlines() {
        List<Long> all = new ArrayList<>();
        tasks.forEach(t -> all.add(t.deadlineMs));
        return all;
    }

    @Override
    public synchronized void close() {
        closed = true;
        tasks.clear();
    }

    private record Task(long deadlineMs, long seq, Runnable runnable) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = Long.compare(deadlineMs, o.deadlineMs);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
