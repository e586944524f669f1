package io.herald.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets Ctrl-C (or SIGTERM) end a long-running read cleanly: a shutdown hook wakes the blocked client up and then
 * waits until the command closed it, so that a group member leaves its group at once instead of holding its
 * partitions until the session times out. {@link #close} (after the client is closed) lets the hook return and
 * removes it when the JVM is not shutting down.
 *
 * <p>Thread-safe: the hook runs on the JVM's shutdown thread.
 */
public final class ShutdownWakeup implements AutoCloseable {

    private final Thread hook;
    private final CountDownLatch closed = new CountDownLatch(1);

    private ShutdownWakeup(Runnable wakeup) {
        this.hook = new Thread(() -> {
            wakeup.run();
            try {
                closed.await(Clients.CLOSE_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "herald-cli-shutdown");
    }

    /** Installs a hook that calls {@code wakeup} (a client's {@code wakeup()}) on shutdown. */
    public static ShutdownWakeup install(Runnable wakeup) {
        ShutdownWakeup guard = new ShutdownWakeup(wakeup);
        Runtime.getRuntime().addShutdownHook(guard.hook);
        return guard;
    }

    @Override
    public void close() {
        closed.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook is running and returns now that the latch is open.
        }
    }
}
