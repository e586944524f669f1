package io.herald.broker.group;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CoordinatorTimer} on the coordinator's single-threaded scheduled executor, so timer tasks run on the
 * coordinator thread like requests do.
 *
 * <p>Not thread-safe: confined to the coordinator thread (which is the executor's only thread).
 */
final class ExecutorTimer implements CoordinatorTimer {
    private static final Logger log = LoggerFactory.getLogger(ExecutorTimer.class);

    private final ScheduledExecutorService executor;
    private final Map<String, ScheduledFuture<?>> tasks = new HashMap<>();

    ExecutorTimer(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    @Override
    public void schedule(String key, long delayMs, Runnable task) {
        cancel(key);
        ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        self[0] = executor.schedule(() -> {
            // A task cancelled after it started running must not remove its successor.
            if (tasks.get(key) == self[0]) {
                tasks.remove(key);
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("Coordinator timer task {} failed", key, e);
            }
        }, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        tasks.put(key, self[0]);
    }

    @Override
    public void cancel(String key) {
        ScheduledFuture<?> f = tasks.remove(key);
        if (f != null) {
            f.cancel(false);
        }
    }

    @Override
    public boolean isScheduled(String key) {
        return tasks.containsKey(key);
    }
}
