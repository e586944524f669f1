package io.herald.metadata.controller;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the controller facade's periodic work (broker heartbeats, the leader's liveness and rebalance checks).
 * Injected so tests drive it by hand together with a manual clock. Implementations are thread-safe.
 */
public interface ControllerScheduler extends AutoCloseable {

    /** Runs {@code task} every {@code periodMs} until cancelled or closed; a failing run is logged. */
    Periodic schedule(String name, Runnable task, long periodMs);

    @Override
    void close();

    /** A scheduled task. */
    interface Periodic {
        void cancel();
    }

    /** One daemon thread. */
    static ControllerScheduler threaded(String threadName) {
        return new Threaded(threadName);
    }

    /** The production scheduler: one daemon thread; tasks must not block for long. */
    final class Threaded implements ControllerScheduler {
        private static final Logger log = LoggerFactory.getLogger(Threaded.class);
        private final ScheduledExecutorService executor;

        Threaded(String threadName) {
            executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                return t;
            });
        }

        @Override
        public Periodic schedule(String name, Runnable task, long periodMs) {
            ScheduledFuture<?> future = executor.scheduleWithFixedDelay(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("Controller task {} failed: {}", name, e.toString());
                }
            }, periodMs, periodMs, TimeUnit.MILLISECONDS);
            return () -> future.cancel(false);
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}
