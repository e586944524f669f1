package io.herald.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.bench.broker.BrokerKind;
import io.herald.bench.load.ShareDrain;
import io.herald.bench.load.Throughput;
import io.herald.bench.load.Workload;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportShareGroupsTest {
    private static final Workload.ShareConsume SHARE = new Workload.ShareConsume("share-1KiB-1p-8c", 1024, 1000, 1, 8);

    /** A drain of 1,000 records in {@code seconds}, with {@code duplicates} and commits of {@code commitMillis}. */
    private static RunResult run(BrokerKind broker, long distinct, double seconds, long duplicates,
                                 long commitMillis) {
        Histogram micros = new Histogram(120_000_000L, 3);
        micros.recordValueWithCount(commitMillis * 1000, 10);
        long nanos = (long) (seconds * 1e9);
        ShareDrain drain = new ShareDrain(new Throughput(distinct, distinct * 1024, nanos), 1000, distinct,
                distinct + duplicates, duplicates, 0, 8, 8, 20, micros, List.of());
        Optional<String> failure = drain.complete() ? Optional.empty() : Optional.of("incomplete");
        return new RunResult(SHARE, broker, 1, 1_000_000_000L, OptionalLong.of(1 << 27), OptionalLong.of(1 << 28),
                Optional.of(drain.throughput()), Optional.empty(), Optional.empty(), Optional.of(drain), failure);
    }

    private static String markdown(List<RunResult> runs) {
        MachineInfo machine = new MachineInfo(2, "4.0 GiB", "cpu", "jdk", "os", "n/a");
        return new Report("t", "now", Duration.ofSeconds(1), "mode", machine, List.of(), List.of(SHARE), runs,
                Map.of(), Map.of()).toMarkdown();
    }

    @Test
    void summaryHasDrainTimeDuplicatesAndAckLatencyWithRatios() {
        String md = markdown(List.of(run(BrokerKind.HERALD, 1000, 0.5, 4, 2), run(BrokerKind.KAFKA, 1000, 1, 2, 4)));
        assertThat(md).contains("| share-1KiB-1p-8c | throughput (records/s) | ↑ | 2,000 | 1,000 | 2.00 |")
                .contains("| share-1KiB-1p-8c | time to drain (s) | ↓ | 0.50 | 1.00 | 0.50 |")
                .contains("| share-1KiB-1p-8c | duplicate deliveries (records) | ↓ | 4 | 2 | 2.00 |")
                .contains("| share-1KiB-1p-8c | ack commitSync p50 (ms) | ↓ | 2.00 | 4.00 | 0.50 |");
    }

    @Test
    void shareTableListsAnIncompleteDrainThatTheSummaryLeavesOut() {
        String md = markdown(List.of(run(BrokerKind.HERALD, 990, 2, 0, 1), run(BrokerKind.KAFKA, 1000, 1, 0, 1)));
        assertThat(md)
                .contains("| share-1KiB-1p-8c | 1 | Herald | 1,000 | 990 | 0 | 0 | 0 | 8 of 8 | 99 | 20 | 50 | 2.00 | 495 |")
                .contains("| share-1KiB-1p-8c | throughput (records/s) | ↑ | n/a | 1,000 | n/a |")
                .contains("## Failed runs");
    }

    @Test
    void incompleteDrainFailsNamingWhatWasNeverDelivered() {
        Histogram micros = new Histogram(120_000_000L, 3);
        ShareDrain drain = new ShareDrain(new Throughput(2, 2, 1), 3, 2, 2, 0, 0, 1, 1, 2, micros,
                List.of("0@1"));
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(drain::requireComplete)
                .withMessageContaining("consumed 2 of 3 records").withMessageContaining("never delivered: 0@1");
    }
}
