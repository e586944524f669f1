package io.herald.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.bench.broker.BrokerKind;
import io.herald.bench.load.CpuUsage;
import io.herald.bench.load.Deployment;
import io.herald.bench.load.Throughput;
import io.herald.bench.load.Workload;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The cost rows: broker CPU per GB and per million records, and the cores each side kept busy. */
class ReportCpuTest {
    private static final Workload.Produce PRODUCE = new Workload.Produce("produce-1KiB-acks1", 1024, "1",
            Deployment.SINGLE_BROKER);

    /** 2 GB (1,953,125 records of 1024 bytes) in 10 s, the broker using {@code brokerSeconds} of CPU. */
    private static RunResult run(BrokerKind broker, double brokerSeconds, double clientSeconds) {
        long records = 1_953_125;
        return new RunResult(PRODUCE, broker, 1, 1_000_000_000L, OptionalLong.of(1 << 27), OptionalLong.of(1 << 28),
                Optional.of(new Throughput(records, records * 1024, 10_000_000_000L)), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(new CpuUsage(brokerSeconds, clientSeconds, 10_000_000_000L)));
    }

    @Test
    void summaryGivesBrokerCpuPerGigabyteAndPerMillionRecordsAndCoresWithRatios() {
        MachineInfo machine = new MachineInfo(2, "4.0 GiB", "cpu", "jdk", "os", "n/a");
        String md = new Report("t", "now", Duration.ofSeconds(1), "mode", machine, List.of(), List.of(PRODUCE),
                List.of(run(BrokerKind.HERALD, 6, 8), run(BrokerKind.KAFKA, 12, 9)), Map.of(), Map.of()).toMarkdown();

        assertThat(md).contains("| produce-1KiB-acks1 | broker CPU per GB (CPU s) | ↓ | 3.00 | 6.00 | 0.50 |")
                .contains("| produce-1KiB-acks1 | broker CPU per million records (CPU s) | ↓ | 3.07 | 6.14 | 0.50 |")
                .contains("| produce-1KiB-acks1 | broker CPU (cores) | ↓ | 0.60 | 1.20 | 0.50 |")
                .contains("| produce-1KiB-acks1 | load generator CPU (cores) | ↓ | 0.80 | 0.90 | 0.89 |")
                .contains("| 0.60 | 0.80 | 3.00 | ok |");
    }
}
