package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.bench.load.Workload;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadSelectionTest {

    private static List<String> selected(String... args) {
        return SideBySide.select(SideBySide.allWorkloads(), BenchOptions.parse(args)).stream()
                .map(Workload::name).toList();
    }

    @Test
    void fullRunIncludesTheClusterWorkloads() {
        assertThat(selected()).contains("produce-100B-acksall-rf3", "produce-1KiB-acksall-rf3")
                .containsAll(selected("--quick"));
    }

    @Test
    void quickRunLeavesOutTheClusterWorkloads() {
        assertThat(selected("--quick")).isNotEmpty().noneMatch(name -> name.endsWith("-rf3"));
    }

    @Test
    void onlySelectsTheClusterWorkloadsInQuickRunsToo() {
        assertThat(selected("--quick", "--only", "rf3"))
                .containsExactly("produce-100B-acksall-rf3", "produce-1KiB-acksall-rf3");
        assertThat(selected("--only", "rf3")).containsExactly("produce-100B-acksall-rf3", "produce-1KiB-acksall-rf3");
    }

    @Test
    void onlyStillPullsInThePeakSourceOfLatencyWorkloads() {
        assertThat(selected("--quick", "--only", "e2e-1KiB-acks1-25pct"))
                .containsExactly("produce-1KiB-acks1", "e2e-1KiB-acks1-25pct");
    }
}
