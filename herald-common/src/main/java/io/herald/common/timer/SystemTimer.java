package io.herald.common.timer;

import io.herald.common.concurrent.ThreadFactories;
import io.netty.util.HashedWheelTimer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link Timer}: a hashed wheel (Netty's), so scheduling and cancelling are O(1) and a cancelled
 * task leaves its bucket at the next tick. Ticks are {@value #TICK_MS} ms: a task fires up to one tick late,
 * never early. One thread, {@code herald-timer-<name>}, runs every task.
 *
 * <p>Thread-safe.
 */
public final class SystemTimer implements Timer {
    private static final Logger log = LoggerFactory.getLogger(SystemTimer.class);
    static final long TICK_MS = 5;

    private final String name;
    private final HashedWheelTimer wheel;

    public SystemTimer(String name) {
        this.name = name;
        this.wheel = new HashedWheelTimer(ThreadFactories.single("herald-timer-" + name), TICK_MS,
                TimeUnit.MILLISECONDS, 512);
    }

    @Override
    public Timeout schedule(long delayMs, Runnable task) {
        io.netty.util.Timeout timeout = wheel.newTimeout(t -> run(task), Math.max(0, delayMs),
                TimeUnit.MILLISECONDS);
        return timeout::cancel;
    }

    private void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("A task of timer {} failed", name, e);
        }
    }

    /** Tasks scheduled and not yet run or cancelled (a cancelled task counts until the next tick). */
    public long pending() {
        return wheel.pendingTimeouts();
    }

    @Override
    public void close() {
        wheel.stop();
    }
}
