package io.herald.bench.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How --pin splits the CPUs between the brokers and the load generator. */
class CpuPinningTest {

    @Test
    void theLoadGeneratorTakesTheLowerHalfAndTheBrokersTheUpperHalf() {
        assertThat(CpuPinning.split(1)).as("nothing to split").isEmpty();
        CpuPinning two = CpuPinning.split(2).orElseThrow();
        assertThat(two.loadGeneratorCpus()).isEqualTo("0");
        assertThat(two.brokerCpus()).isEqualTo("1");
        assertThat(two.brokerPrefix()).isEqualTo(List.of("taskset", "-c", "1"));
        CpuPinning eight = CpuPinning.split(8).orElseThrow();
        assertThat(eight.loadGeneratorCpus()).isEqualTo("0-3");
        assertThat(eight.brokerCpus()).isEqualTo("4-7");
        assertThat(CpuPinning.split(3).orElseThrow()).isEqualTo(new CpuPinning("1-2", "0"));
    }
}
