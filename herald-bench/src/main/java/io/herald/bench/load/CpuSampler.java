package io.herald.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the CPU time (utime + stime of /proc/PID/stat) of a broker's processes, summed over a cluster's, and of the
 * benchmark's own JVM (the load generator) every 100 ms, so that the CPU spent in a workload's measured interval can
 * be read afterwards ({@link #over}), interpolated between samples. Linux only; elsewhere there are no samples and
 * the report says "n/a".
 *
 * <p>Thread-safe.
 */
public final class CpuSampler implements AutoCloseable {
    private static final long PERIOD_MS = 100;
    private static final double TICKS_PER_SECOND = clockTicks();

    private record Sample(long nanos, double brokerSeconds, double selfSeconds) {
    }

    private final List<Long> pids;
    private final List<Sample> samples = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-cpu-sampler");
        t.setDaemon(true);
        return t;
    });

    public CpuSampler(List<Long> pids) {
        this.pids = List.copyOf(pids);
        timer.scheduleAtFixedRate(this::sample, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * CPU seconds of the brokers and of the load generator from {@code startNanos} for {@code nanos}, or empty when
     * the samples do not cover that interval.
     */
    public synchronized java.util.Optional<CpuUsage> over(long startNanos, long nanos) {
        OptionalDouble brokerStart = at(startNanos, true);
        OptionalDouble brokerEnd = at(startNanos + nanos, true);
        OptionalDouble selfStart = at(startNanos, false);
        OptionalDouble selfEnd = at(startNanos + nanos, false);
        if (brokerStart.isEmpty() || brokerEnd.isEmpty() || selfStart.isEmpty() || selfEnd.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new CpuUsage(brokerEnd.getAsDouble() - brokerStart.getAsDouble(),
                selfEnd.getAsDouble() - selfStart.getAsDouble(), nanos));
    }

    /** The CPU seconds at {@code nanos}, interpolated between the samples around it. */
    private OptionalDouble at(long nanos, boolean broker) {
        for (int i = 1; i < samples.size(); i++) {
            Sample before = samples.get(i - 1);
            Sample after = samples.get(i);
            if (before.nanos() <= nanos && nanos <= after.nanos()) {
                double a = broker ? before.brokerSeconds() : before.selfSeconds();
                double b = broker ? after.brokerSeconds() : after.selfSeconds();
                long span = Math.max(1, after.nanos() - before.nanos());
                return OptionalDouble.of(a + (b - a) * (nanos - before.nanos()) / span);
            }
        }
        return OptionalDouble.empty();
    }

    private void sample() {
        OptionalDouble broker = cpuSeconds(pids);
        OptionalDouble self = cpuSeconds(List.of(ProcessHandle.current().pid()));
        long now = System.nanoTime();
        if (broker.isPresent() && self.isPresent()) {
            synchronized (this) {
                samples.add(new Sample(now, broker.getAsDouble(), self.getAsDouble()));
            }
        }
    }

    /** utime + stime of the processes, summed, in seconds; empty if one of them has no reading. */
    static OptionalDouble cpuSeconds(List<Long> pids) {
        double sum = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                sum += (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
            } catch (IOException | RuntimeException e) {
                return OptionalDouble.empty();
            }
        }
        return pids.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(sum);
    }

    /** The kernel's clock ticks per second (USER_HZ), which /proc/PID/stat counts in; 100 when unknown. */
    private static double clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).trim();
            if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
                return Double.parseDouble(out);
            }
        } catch (IOException | NumberFormatException e) {
            // no getconf: the usual value
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        sample();
    }
}
