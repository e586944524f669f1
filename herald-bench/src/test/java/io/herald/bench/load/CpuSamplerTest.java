package io.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** CPU time read from /proc, and over an interval between samples. */
class CpuSamplerTest {

    @Test
    void theCpuSpentInAnIntervalIsReadFromTheSamplesAroundIt() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/stat")), "no /proc");
        long self = ProcessHandle.current().pid();
        assertThat(CpuSampler.cpuSeconds(List.of(self))).isPresent();
        assertThat(CpuSampler.cpuSeconds(List.of(self, Long.MAX_VALUE))).as("a process that is gone").isEmpty();

        Optional<CpuUsage> usage;
        try (CpuSampler sampler = new CpuSampler(List.of(self))) {
            Thread.sleep(150); // a sample before the interval
            long start = System.nanoTime();
            long spin = 0;
            while (System.nanoTime() - start < 400_000_000L) {
                spin += Long.numberOfTrailingZeros(spin + System.nanoTime());
            }
            long nanos = System.nanoTime() - start;
            Thread.sleep(150); // and one after it
            usage = sampler.over(start, nanos);
            assertThat(spin).isNotNegative();
        }
        assertThat(usage).isPresent();
        // The spinning thread used CPU for most of the interval; the "broker" here is this very JVM.
        assertThat(usage.get().loadGeneratorSeconds()).isPositive();
        assertThat(usage.get().brokerSeconds()).isPositive();
        try (CpuSampler sampler = new CpuSampler(List.of(self))) {
            assertThat(sampler.over(System.nanoTime() - 60_000_000_000L, 1_000_000))
                    .as("an interval before the first sample").isEmpty();
        }
    }
}
