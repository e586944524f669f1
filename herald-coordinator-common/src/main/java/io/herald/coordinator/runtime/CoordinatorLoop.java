package io.herald.coordinator.runtime;

import io.herald.common.concurrent.ThreadFactories;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loop a coordinator's {@link CoordinatorRuntime} runs on: a thread of the coordinator's own, which
 * {@link #close} stops, or an executor its caller runs and stops (tests drive a manual executor).
 *
 * <p>Thread-safety: {@link #close} once, from any thread.
 */
public final class CoordinatorLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorLoop.class);
    private static final long STOP_WAIT_SECONDS = 5;

    private final Executor executor;
    private final Optional<ExecutorService> owned;

    private CoordinatorLoop(Executor executor, Optional<ExecutorService> owned) {
        this.executor = executor;
        this.owned = owned;
    }

    /** A loop on a new thread named {@code threadName}. */
    public static CoordinatorLoop ownThread(String threadName) {
        ExecutorService thread = Executors.newSingleThreadExecutor(ThreadFactories.single(threadName));
        return new CoordinatorLoop(thread, Optional.of(thread));
    }

    /** A loop on {@code executor}, which its caller runs and stops. */
    public static CoordinatorLoop on(Executor executor) {
        return new CoordinatorLoop(executor, Optional.empty());
    }

    public Executor executor() {
        return executor;
    }

    /** Stops the thread this loop owns, waiting a few seconds for the task running on it; else nothing. */
    @Override
    public void close() {
        owned.ifPresent(thread -> {
            thread.shutdown();
            try {
                if (!thread.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    log.warn("A coordinator thread did not stop within {} s", STOP_WAIT_SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
