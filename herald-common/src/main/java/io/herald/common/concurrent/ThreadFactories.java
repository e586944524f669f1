package io.herald.common.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named daemon threads, so that thread dumps, JFR recordings and log lines say what a thread does
 * ({@code herald-request-3}, {@code herald-group-coordinator}). An exception that escapes a thread's task is
 * logged with its stack trace instead of vanishing on stderr.
 */
public final class ThreadFactories {
    private static final Logger log = LoggerFactory.getLogger(ThreadFactories.class);
    private static final Thread.UncaughtExceptionHandler LOG_UNCAUGHT =
            (t, e) -> log.error("Uncaught exception in thread {}", t.getName(), e);

    private ThreadFactories() {
    }

    /** Daemon threads named {@code prefix-1}, {@code prefix-2}, ... */
    public static ThreadFactory daemon(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return r -> newThread(r, prefix + "-" + counter.incrementAndGet());
    }

    /** Daemon threads all named {@code name}: for pools of exactly one thread. */
    public static ThreadFactory single(String name) {
        return r -> newThread(r, name);
    }

    private static Thread newThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler(LOG_UNCAUGHT);
        return t;
    }
}
