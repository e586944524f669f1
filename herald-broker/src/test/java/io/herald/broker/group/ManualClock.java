package io.herald.broker.group;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Time;

/**
 * A manual clock that is also the coordinator timer: {@link #advance} moves time and runs the timer tasks
 * that fall due, in deadline order (ties in scheduling order), as the coordinator thread would.
 * Not thread-safe: the test thread plays the coordinator thread.
 */
final class ManualClock implements Time, CoordinatorTimer {
    private record Task(String key, long deadline, long seq, Runnable run) {}

    private long now = 1_000_000L;
    private long seq;
    private final Map<String, Task> byKey = new HashMap<>();
    private final PriorityQueue<Task> queue = new PriorityQueue<>(
            Comparator.comparingLong(Task::deadline).thenComparingLong(Task::seq));

    @Override
    public long milliseconds() {
        return now;
    }

    @Override
    public long nanoseconds() {
        return now * 1_000_000L;
    }

    @Override
    public void sleep(long ms) {
        advance(ms);
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void schedule(String key, long delayMs, Runnable task) {
        cancel(key);
        Task t = new Task(key, now + Math.max(0, delayMs), seq++, task);
        byKey.put(key, t);
        queue.add(t);
    }

    @Override
    public void cancel(String key) {
        Task t = byKey.remove(key);
        if (t != null) {
            queue.remove(t);
        }
    }

    @Override
    public boolean isScheduled(String key) {
        return byKey.containsKey(key);
    }

    /** Runs tasks due now (delay 0), without moving time. */
    void runDue() {
        advance(0);
    }

    void advance(long ms) {
        long target = now + ms;
        while (!queue.isEmpty() && queue.peek().deadline() <= target) {
            Task t = queue.poll();
            byKey.remove(t.key(), t);
            now = Math.max(now, t.deadline());
            t.run().run();
        }
        now = target;
    }
}
