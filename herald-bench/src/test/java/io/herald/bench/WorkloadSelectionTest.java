package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.bench.load.Workload;
import java.util.List;
import org.apache.kafka.common.IsolationLevel;
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

    @Test
    void fullRunIncludesTheTransactionalWorkloads() {
        assertThat(selected()).contains("produce-1KiB-txn100", "produce-1KiB-txn1000", "consume-1KiB-read-committed");
    }

    @Test
    void quickRunSmokesOnlyTheSmallTransactions() {
        assertThat(selected("--quick")).contains("produce-1KiB-txn100")
                .doesNotContain("produce-1KiB-txn1000", "consume-1KiB-read-committed");
    }

    @Test
    void onlyTxnSelectsTheTransactionalFamilyByTagAsWellAsByName() {
        List<String> family = List.of("produce-1KiB-txn100", "produce-1KiB-txn1000", "consume-1KiB-read-committed");
        assertThat(selected("--only", "txn")).containsExactlyElementsOf(family);
        assertThat(selected("--quick", "--only", "txn")).containsExactlyElementsOf(family);
    }

    @Test
    void onlyConsumeSelectsBothIsolationLevels() {
        assertThat(selected("--only", "consume")).containsExactly("consume-1KiB", "consume-1KiB-tls",
                "consume-1KiB-tls-openssl", "consume-1KiB-read-committed");
    }

    @Test
    void theTlsWorkloadsRunOnOneBrokerOverTlsAndAreSmokedInQuickRuns() {
        assertThat(selected("--quick", "--only", "tls$")).containsExactly("produce-1KiB-acks1-tls", "consume-1KiB-tls");
        assertThat(selected("--quick")).contains("produce-1KiB-acks1-tls", "consume-1KiB-tls")
                .doesNotContain("produce-1KiB-acks1-tls-openssl", "consume-1KiB-tls-openssl");
        assertThat(selected("--only", "tls")).containsExactly("produce-1KiB-acks1-tls",
                "produce-1KiB-acks1-tls-openssl", "consume-1KiB-tls", "consume-1KiB-tls-openssl");
        assertThat(SideBySide.allWorkloads()).filteredOn(w -> w.name().endsWith("-tls"))
                .allMatch(w -> w.deployment().tls() && !w.deployment().heraldOpenSsl() && !w.deployment().isCluster());
        assertThat(SideBySide.allWorkloads()).filteredOn(w -> w.name().endsWith("-tls-openssl"))
                .allMatch(w -> w.deployment().tls() && w.deployment().heraldOpenSsl());
        assertThat(SideBySide.allWorkloads()).filteredOn(w -> !w.name().contains("-tls"))
                .noneMatch(w -> w.deployment().tls());
    }

    @Test
    void quickShrinksTheConsumeFillButKeepsHowItIsWrittenAndRead() {
        List<Workload.Consume> consumes = SideBySide.select(SideBySide.allWorkloads(),
                        BenchOptions.parse(new String[] {"--quick", "--only", "consume"})).stream()
                .map(Workload.Consume.class::cast).toList();
        assertThat(consumes).allMatch(c -> c.records() == 100_000);
        assertThat(consumes.get(0).fill()).isInstanceOf(Workload.Fill.Plain.class);
        assertThat(consumes.get(0).isolation()).isEqualTo(IsolationLevel.READ_UNCOMMITTED);
        assertThat(consumes.get(1).deployment().tls()).isTrue();
        assertThat(consumes.get(1).fill()).isInstanceOf(Workload.Fill.Plain.class);
        assertThat(consumes.get(2).deployment().heraldOpenSsl()).isTrue();
        assertThat(consumes.get(3).fill()).isEqualTo(new Workload.Fill.Transactional(1000));
        assertThat(consumes.get(3).isolation()).isEqualTo(IsolationLevel.READ_COMMITTED);
    }

    @Test
    void transactionalProduceWorkloadsCommitTheirNamedTransactionSize() {
        assertThat(SideBySide.allWorkloads()).filteredOn(w -> w instanceof Workload.TransactionalProduce)
                .map(w -> (Workload.TransactionalProduce) w)
                .allSatisfy(t -> assertThat(t.name()).endsWith("-txn" + t.recordsPerTransaction()))
                .allSatisfy(t -> assertThat(t.recordSize()).isEqualTo(1024));
    }

    @Test
    void onlyShareSelectsTheThreeShareGroupWorkloadsInQuickRunsToo() {
        List<String> family = List.of("share-1KiB-1p-8c", "share-1KiB-6p-8c", "share-drain-100B-1m-16c");
        assertThat(selected("--only", "share")).containsExactlyElementsOf(family);
        assertThat(selected("--quick", "--only", "share")).containsExactlyElementsOf(family);
    }

    @Test
    void quickRunSmokesOneShareGroupWorkload() {
        assertThat(selected("--quick")).contains("share-1KiB-1p-8c")
                .doesNotContain("share-1KiB-6p-8c", "share-drain-100B-1m-16c");
        assertThat(selected()).contains("share-1KiB-1p-8c", "share-1KiB-6p-8c", "share-drain-100B-1m-16c");
    }

    @Test
    void shareWorkloadNamesSayTheirPartitionsAndConsumers() {
        assertThat(SideBySide.allWorkloads()).filteredOn(w -> w instanceof Workload.ShareConsume)
                .map(w -> (Workload.ShareConsume) w).hasSize(3)
                .allSatisfy(s -> assertThat(s.name()).startsWith("share-")
                        .endsWith("-" + s.consumers() + "c"))
                .allSatisfy(s -> assertThat(s.topicPartitions()).hasValue(s.partitions()));
    }

    @Test
    void theDrainWorkloadKeepsItsMillionRecordsInQuickRuns() {
        assertThat(SideBySide.select(SideBySide.allWorkloads(),
                        BenchOptions.parse(new String[] {"--quick", "--only", "share-drain"})))
                .singleElement().isEqualTo(new Workload.ShareConsume("share-drain-100B-1m-16c", 100, 1_000_000, 1, 16));
    }

    @Test
    void pinIsOffUnlessAsked() {
        assertThat(BenchOptions.parse(new String[] {"--quick"}).pin()).isFalse();
        assertThat(BenchOptions.parse(new String[] {"--quick", "--pin"}).pin()).isTrue();
    }
}
