package io.herald.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.bench.broker.BrokerKind;
import io.herald.bench.load.Commits;
import io.herald.bench.load.Throughput;
import io.herald.bench.load.Workload;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportTransactionsTest {
    private static final Workload.TransactionalProduce TXN100 =
            new Workload.TransactionalProduce("produce-1KiB-txn100", 1024, 100);

    /** {@code transactions} commits of {@code commitMillis} each over one second. */
    private static RunResult run(BrokerKind broker, int transactions, long commitMillis) {
        Histogram micros = new Histogram(120_000_000L, 3);
        micros.recordValueWithCount(commitMillis * 1000, transactions);
        long records = transactions * 100L;
        return new RunResult(TXN100, broker, 1, 1_000_000_000L, OptionalLong.of(1 << 27), OptionalLong.of(1 << 28),
                Optional.of(new Throughput(records, records * 1024, 1_000_000_000L)),
                Optional.of(new Commits(transactions, 1_000_000_000L, micros)), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    private static String markdown(List<RunResult> runs) {
        MachineInfo machine = new MachineInfo(2, "4.0 GiB", "cpu", "jdk", "os", "n/a");
        return new Report("t", "now", Duration.ofSeconds(1), "mode", machine, List.of(), List.of(TXN100), runs,
                Map.of(), Map.of()).toMarkdown();
    }

    @Test
    void summaryHasTransactionRateAndCommitLatencyWithRatios() {
        String md = markdown(List.of(run(BrokerKind.HERALD, 200, 4), run(BrokerKind.KAFKA, 100, 8)));
        assertThat(md).contains("| produce-1KiB-txn100 | throughput (records/s) | ↑ | 20,000 | 10,000 | 2.00 |")
                .contains("| produce-1KiB-txn100 | transactions (txn/s) | ↑ | 200 | 100 | 2.00 |")
                .contains("| produce-1KiB-txn100 | commitTransaction p50 (ms) | ↓ | 4.00 | 8.00 | 0.50 |")
                .contains("| produce-1KiB-txn100 | commitTransaction p99 (ms) | ↓ | 4.00 | 8.00 | 0.50 |");
    }

    @Test
    void everyRunRowFillsTheTransactionColumnsAndLeavesTheEndToEndOnesEmpty() {
        String md = markdown(List.of(run(BrokerKind.HERALD, 200, 4)));
        assertThat(md).contains("| produce-1KiB-txn100 | 1 | Herald | 1000 | 128 | 256 | 20,000 | 20.5 | 200 | 4.00 "
                + "| 4.00 |  |  |  |  |  |  |  | ok |");
    }

    @Test
    void commitsMustHoldOneDurationPerTransaction() {
        Histogram micros = new Histogram(120_000_000L, 3);
        micros.recordValue(1000);
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new Commits(2, 1, micros))
                .withMessageContaining("expected: one per transaction, 2");
    }
}
