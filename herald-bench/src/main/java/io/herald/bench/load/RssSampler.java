package io.herald.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples the resident memory (VmRSS in /proc/PID/status) of a broker's process, or the sum over a cluster's
 * processes, every 200 ms and keeps the peak. Linux only; elsewhere every sample is empty and the report says
 * "n/a". Thread-safe.
 */
public final class RssSampler implements AutoCloseable {
    private static final long PERIOD_MS = 200;

    private final List<Long> pids;
    private final AtomicLong peak = new AtomicLong(-1);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-rss-sampler");
        t.setDaemon(true);
        return t;
    });

    public RssSampler(List<Long> pids) {
        this.pids = List.copyOf(pids);
        timer.scheduleAtFixedRate(this::sample, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** Resident memory of the processes now, summed, in bytes; empty if any of them has no reading. */
    public static OptionalLong rssBytes(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            OptionalLong rss = processRssBytes(pid);
            if (rss.isEmpty()) {
                return OptionalLong.empty();
            }
            sum += rss.getAsLong();
        }
        return pids.isEmpty() ? OptionalLong.empty() : OptionalLong.of(sum);
    }

    /** Resident memory of the process now, in bytes. */
    private static OptionalLong processRssBytes(long pid) {
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
        rssBytes(pids).ifPresent(rss -> peak.accumulateAndGet(rss, Math::max));
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
