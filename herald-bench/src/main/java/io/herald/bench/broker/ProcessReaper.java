package io.herald.bench.broker;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kills every broker JVM that is still running when the benchmark JVM exits, however it exits (Ctrl-C, an
 * exception that escaped the try/finally, System.exit): a leftover broker would hold its port and skew the
 * next run's numbers. Thread-safe.
 */
public final class ProcessReaper {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessReaper::killAll, "bench-process-reaper"));
    }

    private ProcessReaper() {
    }

    public static void register(Process process) {
        LIVE.add(process);
    }

    /** Kills the process (SIGKILL) and waits for it to go; it is then no longer tracked. */
    public static void kill(Process process) {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(process);
    }

    private static void killAll() {
        for (Process p : LIVE) {
            p.destroyForcibly();
        }
    }
}
