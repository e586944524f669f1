package io.herald.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.it.faults.FaultChecker.Acked;
import io.herald.it.faults.FaultChecker.PartitionInput;
import io.herald.it.faults.FaultChecker.PartitionReport;
import io.herald.it.faults.FaultChecker.Read;
import io.herald.it.faults.FaultChecker.Replica;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/**
 * The checker's self-test: a healthy history passes, and each kind of damage a broker could do (an acknowledged
 * record deleted, duplicated or moved, a commit going backwards, a replica differing below the high watermark)
 * makes it fail. Without this a checker that always passes would make the whole campaign meaningless.
 */
class FaultCheckerTest {

    private static final int RECORDS = 20;

    @Test
    void healthyHistoryPasses() {
        PartitionReport report = FaultChecker.checkPartition(healthy());

        assertThat(report.problems()).isEmpty();
        assertThat(report.acknowledged()).isEqualTo(RECORDS);
        assertThat(report.longestGapMs()).isEqualTo(5);
    }

    @Test
    void deletedAcknowledgedRecordIsLost() {
        List<Read> log = new ArrayList<>(healthy().log());
        log.remove(7);

        PartitionReport report = FaultChecker.checkPartition(withLog(healthy(), log));

        assertThat(report.passed()).isFalse();
        assertThat(report.lost()).isEqualTo(1);
    }

    @Test
    void acknowledgedRecordReadTwiceIsDuplicated() {
        List<Read> log = new ArrayList<>(healthy().log());
        log.add(new Read(RECORDS, "v-3"));

        PartitionReport report = FaultChecker.checkPartition(withLog(healthy(), log));

        assertThat(report.passed()).isFalse();
        assertThat(report.duplicated()).isEqualTo(1);
    }

    @Test
    void swappedRecordsAreReordered() {
        List<Read> log = new ArrayList<>(healthy().log());
        log.set(4, new Read(4, "v-5"));
        log.set(5, new Read(5, "v-4"));

        PartitionReport report = FaultChecker.checkPartition(withLog(healthy(), log));

        assertThat(report.passed()).isFalse();
        assertThat(report.reordered()).isEqualTo(2);
    }

    @Test
    void unacknowledgedRecordsAreReportedButAllowed() {
        List<Read> log = new ArrayList<>(healthy().log());
        log.add(new Read(RECORDS, "never-acked"));

        PartitionReport report = FaultChecker.checkPartition(withLog(healthy(), log));

        assertThat(report.passed()).isTrue();
        assertThat(report.unackedPresent()).isEqualTo(1);
    }

    @Test
    void commitGoingBackwardsFails() {
        PartitionInput in = healthy();
        PartitionReport report = FaultChecker.checkPartition(new PartitionInput(0, in.acks(), in.log(),
                List.of(3L, 9L, 6L, 12L), in.highWatermark(), in.replicas()));

        assertThat(report.passed()).isFalse();
        assertThat(report.commitRegressions()).isEqualTo(1);
    }

    @Test
    void replicaDifferingBelowHighWatermarkFails() {
        PartitionInput in = healthy();
        byte[] corrupt = log(RECORDS);
        corrupt[corrupt.length / 2] ^= 1;

        PartitionReport report = FaultChecker.checkPartition(withReplicas(in, List.of(new Replica(1, log(RECORDS)),
                new Replica(2, corrupt))));

        assertThat(report.passed()).isFalse();
        assertThat(report.replicasIdentical()).isFalse();
    }

    @Test
    void replicaMissingBatchesBelowHighWatermarkFails() {
        PartitionReport report = FaultChecker.checkPartition(withReplicas(healthy(),
                List.of(new Replica(1, log(RECORDS)), new Replica(2, log(RECORDS - 3)))));

        assertThat(report.passed()).isFalse();
        assertThat(report.problems()).anyMatch(p -> p.contains("below the high watermark"));
    }

    @Test
    void tornTailAboveHighWatermarkIsIgnored() {
        byte[] full = log(RECORDS + 2);
        byte[] torn = Arrays.copyOf(log(RECORDS + 1), log(RECORDS + 1).length + 7); // half-written batch header

        PartitionReport report = FaultChecker.checkPartition(withReplicas(healthy(),
                List.of(new Replica(1, full), new Replica(2, torn), new Replica(3, log(RECORDS)))));

        assertThat(report.problems()).isEmpty();
    }

    @Test
    void logPrefixStopsAtTheHighWatermark() {
        byte[] all = log(RECORDS);

        assertThat(LogPrefix.endOffset(all)).isEqualTo(RECORDS);
        assertThat(LogPrefix.belowHighWatermark(all, 5)).isEqualTo(log(5));
        assertThat(LogPrefix.belowHighWatermark(all, 0)).isEmpty();
    }

    /** 20 records acknowledged at offsets 0..19 5 ms apart, read back intact, three identical replicas. */
    private static PartitionInput healthy() {
        List<Acked> acks = new ArrayList<>();
        List<Read> reads = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            acks.add(new Acked(i, "v-" + i, TimeUnit.MILLISECONDS.toNanos(5L * i)));
            reads.add(new Read(i, "v-" + i));
        }
        List<Replica> replicas = List.of(new Replica(1, log(RECORDS)), new Replica(2, log(RECORDS)),
                new Replica(3, log(RECORDS)));
        return new PartitionInput(0, acks, reads, List.of(0L, 5L, 5L, (long) RECORDS), RECORDS, replicas);
    }

    private static PartitionInput withLog(PartitionInput in, List<Read> log) {
        return new PartitionInput(in.partition(), in.acks(), log, in.commits(), in.highWatermark(), in.replicas());
    }

    private static PartitionInput withReplicas(PartitionInput in, List<Replica> replicas) {
        return new PartitionInput(in.partition(), in.acks(), in.log(), in.commits(), in.highWatermark(), replicas);
    }

    /** A log of {@code records} one-record v2 batches at offsets 0.., as a segment file holds them. */
    private static byte[] log(int records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < records; i++) {
            ByteBuffer batch = MemoryRecords.withRecords(i, Compression.NONE,
                    new SimpleRecord(1_000L + i, null, ("v-" + i).getBytes(StandardCharsets.UTF_8))).buffer();
            byte[] bytes = new byte[batch.remaining()];
            batch.get(bytes);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }
}
