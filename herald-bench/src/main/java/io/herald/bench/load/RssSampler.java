package io.herald.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples a process's resident memory (VmRSS in /proc/PID/status) every 200 ms and keeps the peak. Linux only;
 * elsewhere every sample is empty and the report says "n/a". Thread-safe.
 */
public final class RssSampler implements AutoCloseable {
    private static final long PERIOD_MS = 200;

    private final long pid;
    private final AtomicLong peak = new AtomicLong(-1);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-rss-sampler");
        t.setDaemon(true);
        return t;
    });

    public RssSampler(long pid) {
        this.pid = pid;
        timer.scheduleAtFixedRate(this::sample, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** Resident memory of the process now, in bytes. */
    public static OptionalLong rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring("VmRSS:".length()).replace("kB", "").trim();
                    return OptionalLong.of(Long.parseLong(kb) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Process gone or not Linux.
        }
        return OptionalLong.empty();
    }

    private void sample() {
        rssBytes(pid).ifPresent(rss -> peak.accumulateAndGet(rss, Math::max));
    }

    /** The highest sample so far. */
    public OptionalLong peakBytes() {
        long p = peak.get();
        return p < 0 ? OptionalLong.empty() : OptionalLong.of(p);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        sample();
    }
}
