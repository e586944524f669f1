package io.herald.bench.broker;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code --pin}: the brokers on one set of CPUs and the load generator (the benchmark JVM) on the other, with
 * {@code taskset}, so that a throughput ratio compares brokers rather than how the scheduler shared the cores
 * between a broker and its clients. The load generator gets the lower half of the CPUs, the brokers the upper half
 * (on 2 cores: the load generator CPU 0, every broker CPU 1).
 *
 * @param brokerCpus        the brokers' CPU list, as taskset takes it ({@code 1}, {@code 2-3})
 * @param loadGeneratorCpus the benchmark JVM's
 */
public record CpuPinning(String brokerCpus, String loadGeneratorCpus) {

    /** The split of {@code cores} CPUs; empty with fewer than 2. */
    public static Optional<CpuPinning> split(int cores) {
        if (cores < 2) {
            return Optional.empty();
        }
        int half = cores / 2;
        return Optional.of(new CpuPinning(range(half, cores - 1), range(0, half - 1)));
    }

    private static String range(int from, int to) {
        return from == to ? Integer.toString(from) : from + "-" + to;
    }

    /** The prefix of a broker's command line: taskset runs it (exec, same pid) on {@link #brokerCpus}. */
    public List<String> brokerPrefix() {
        return List.of("taskset", "-c", brokerCpus);
    }

    /**
     * Moves every thread of this JVM (and so the clients it starts later) to {@link #loadGeneratorCpus}.
     *
     * @return whether taskset did it
     */
    public boolean pinThisProcess() {
        try {
            Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", loadGeneratorCpus,
                    Long.toString(ProcessHandle.current().pid())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return taskset.waitFor(10, TimeUnit.SECONDS) && taskset.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** How the report describes it. */
    public String describe() {
        return "brokers on CPU " + brokerCpus + ", the load generator on CPU " + loadGeneratorCpus + " (taskset)";
    }
}
