package io.herald.bench.report;

import io.herald.bench.broker.BrokerKind;
import io.herald.bench.load.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The Markdown report: machine and setup header, a summary of medians with the Herald/Kafka ratio, every run,
 * and links to the charts. Pure formatting; knows nothing about how the numbers were measured.
 *
 * @param title         first heading
 * @param modeNote      e.g. that --quick ran one pair per workload
 * @param setup         bullet points describing settings shared by both brokers and the load generator
 * @param latencyRates  the absolute rate (records/s) each latency workload ran at, by workload name
 * @param charts        chart file names (relative to the report) with their captions
 */
public record Report(String title, String startedAt, Duration elapsed, String modeNote, MachineInfo machine,
                     List<String> setup, List<Workload> workloads, List<RunResult> runs,
                     Map<String, Double> latencyRates, Map<String, String> charts) {

    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        md.append("Started ").append(startedAt).append(", took ").append(formatDuration(elapsed)).append(". ")
                .append(modeNote).append("\n\n");
        appendMachine(md);
        md.append("## Setup\n\n");
        setup.forEach(line -> md.append("- ").append(line).append('\n'));
        md.append('\n');
        appendSummary(md);
        appendRuns(md);
        appendShareRuns(md);
        appendFailures(md);
        if (!charts.isEmpty()) {
            md.append("## Charts\n\n");
            charts.forEach((file, caption) -> md.append("![").append(caption).append("](").append(file).append(")\n\n"));
        }
        return md.toString();
    }

    private void appendMachine(StringBuilder md) {
        md.append("## Machine\n\n")
                .append("| cores | memory | CPU | JDK | OS | disk write (dd 512 MiB, fdatasync) |\n")
                .append("|---|---|---|---|---|---|\n")
                .append("| ").append(machine.cores()).append(" | ").append(machine.memory()).append(" | ")
                .append(machine.cpu()).append(" | ").append(machine.jdk()).append(" | ").append(machine.os())
                .append(" | ").append(machine.diskWrite()).append(" |\n\n");
    }

    private void appendSummary(StringBuilder md) {
        md.append("## Summary (medians)\n\n")
                .append("Ratio = Herald median / Kafka median; the arrow says which direction is better.\n\n")
                .append("| workload | metric | | Herald | Kafka | Herald/Kafka |\n")
                .append("|---|---|---|--:|--:|--:|\n");
        // A cluster's startup (a quorum to form) and RSS (three JVMs) are not one broker's: they get rows of their
        // own under their workload (metricsOf).
        List<RunResult> singleBroker = runs.stream().filter(r -> !r.workload().deployment().isCluster()).toList();
        if (!singleBroker.isEmpty()) {
            summaryRow(md, "every run", Metric.STARTUP, singleBroker);
            summaryRow(md, "every run", Metric.IDLE_RSS, singleBroker);
        }
        for (Workload w : workloads) {
            List<RunResult> ofWorkload = runs.stream().filter(r -> r.workload().equals(w)).toList();
            String name = w.name();
            if (w instanceof Workload.EndToEndLatency) {
                Double rate = latencyRates.get(name);
                name += rate == null ? "" : String.format(" @ %,.0f rec/s", rate);
            }
            for (Metric m : metricsOf(w)) {
                summaryRow(md, name, m, ofWorkload);
            }
        }
        md.append('\n');
    }

    static List<Metric> metricsOf(Workload w) {
        List<Metric> cost = List.of(Metric.BROKER_CPU_PER_GB, Metric.BROKER_CPU_PER_MILLION, Metric.BROKER_CORES,
                Metric.CLIENT_CORES);
        List<Metric> own = switch (w) {
            case Workload.Produce p when p.deployment().isCluster() -> List.of(Metric.RECORDS_PER_SEC,
                    Metric.MB_PER_SEC, Metric.STARTUP, Metric.IDLE_RSS, Metric.PEAK_RSS);
            case Workload.Produce p -> List.of(Metric.RECORDS_PER_SEC, Metric.MB_PER_SEC, Metric.PEAK_RSS);
            case Workload.TransactionalProduce t -> List.of(Metric.RECORDS_PER_SEC, Metric.MB_PER_SEC,
                    Metric.TRANSACTIONS_PER_SEC, Metric.COMMIT_P50, Metric.COMMIT_P99, Metric.PEAK_RSS);
            case Workload.Consume c -> List.of(Metric.RECORDS_PER_SEC, Metric.MB_PER_SEC, Metric.PEAK_RSS);
            case Workload.EndToEndLatency l -> List.of(Metric.P50, Metric.P99, Metric.P999, Metric.MAX,
                    Metric.ACHIEVED_RATE, Metric.PEAK_RSS);
            case Workload.ShareConsume s -> List.of(Metric.RECORDS_PER_SEC, Metric.MB_PER_SEC, Metric.DRAIN_SECONDS,
                    Metric.DUPLICATES, Metric.ACK_P50, Metric.ACK_P99, Metric.PEAK_RSS);
        };
        List<Metric> all = new ArrayList<>(own);
        // A latency run moves a fixed load: its cost is the cores it takes, not CPU per byte.
        all.addAll(w instanceof Workload.EndToEndLatency ? List.of(Metric.BROKER_CORES, Metric.CLIENT_CORES) : cost);
        return all;
    }

    private static void summaryRow(StringBuilder md, String workload, Metric metric, List<RunResult> runs) {
        OptionalDouble herald = metric.median(of(runs, BrokerKind.HERALD));
        OptionalDouble kafka = metric.median(of(runs, BrokerKind.KAFKA));
        String ratio = herald.isPresent() && kafka.isPresent() && kafka.getAsDouble() != 0
                ? String.format("%.2f", herald.getAsDouble() / kafka.getAsDouble()) : "n/a";
        md.append("| ").append(workload).append(" | ").append(metric.label()).append(" | ")
                .append(metric.higherIsBetter() ? "↑" : "↓").append(" | ")
                .append(herald.isPresent() ? metric.format(herald.getAsDouble()) : "n/a").append(" | ")
                .append(kafka.isPresent() ? metric.format(kafka.getAsDouble()) : "n/a").append(" | ")
                .append(ratio).append(" |\n");
    }

    private static List<RunResult> of(List<RunResult> runs, BrokerKind broker) {
        return runs.stream().filter(r -> r.broker() == broker && r.ok()).toList();
    }

    private void appendRuns(StringBuilder md) {
        md.append("## Every run\n\n")
                .append("| workload | pair | broker | startup ms | idle RSS MiB | peak RSS MiB | records/s | MB/s "
                        + "| txn/s | commit p50 ms | commit p99 ms "
                        + "| e2e p50 ms | e2e p99 ms | e2e p99.9 ms | e2e max ms "
                        + "| broker cores | load gen. cores | broker CPU s/GB | result |\n")
                .append("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
        for (RunResult r : runs) {
            List<String> cells = new ArrayList<>(List.of(r.workload().name(), Integer.toString(r.pair()),
                    r.broker().displayName()));
            for (Metric m : List.of(Metric.STARTUP, Metric.IDLE_RSS, Metric.PEAK_RSS)) {
                cells.add(cell(m, r));
            }
            boolean latency = r.latency().isPresent();
            cells.add(cell(latency ? Metric.ACHIEVED_RATE : Metric.RECORDS_PER_SEC, r));
            cells.add(cell(Metric.MB_PER_SEC, r));
            for (Metric m : List.of(Metric.TRANSACTIONS_PER_SEC, Metric.COMMIT_P50, Metric.COMMIT_P99)) {
                cells.add(cell(m, r));
            }
            for (Metric m : List.of(Metric.P50, Metric.P99, Metric.P999, Metric.MAX, Metric.BROKER_CORES,
                    Metric.CLIENT_CORES, Metric.BROKER_CPU_PER_GB)) {
                cells.add(cell(m, r));
            }
            cells.add(r.ok() ? "ok" : "FAILED (see below)");
            md.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
        md.append('\n');
    }

    /**
     * What each share group drain delivered, in a table of its own so that the every-run table keeps its columns:
     * a failed run is listed too when it got as far as a result (it then failed the check that it was complete).
     */
    private void appendShareRuns(StringBuilder md) {
        List<RunResult> share = runs.stream().filter(r -> r.share().isPresent()).toList();
        if (share.isEmpty()) {
            return;
        }
        md.append("## Share group drains\n\n")
                .append("Backlog = records in the topic; distinct = records delivered at least once (must equal the "
                        + "backlog); duplicates = deliveries beyond a record's first; redelivered = deliveries with a "
                        + "delivery count above 1; failed acks = partitions of a commitSync answer that carried an "
                        + "error; records per poll = mean records of a non-empty poll (each followed by one "
                        + "commitSync); ShareFetch requests = what the consumers sent from joining to closing (the "
                        + "client's fetch-total), empty answers included.\n\n")
                .append("| workload | pair | broker | backlog | distinct | duplicates | redelivered | failed acks "
                        + "| consumers with records | records per poll | ShareFetch requests | records per ShareFetch "
                        + "| time to drain s | records/s | ack p50 ms | ack p99 ms |\n")
                .append("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (RunResult r : share) {
            var s = r.share().orElseThrow();
            md.append("| ").append(String.join(" | ", List.of(r.workload().name(), Integer.toString(r.pair()),
                    r.broker().displayName(), String.format("%,d", s.backlog()), String.format("%,d", s.distinct()),
                    String.format("%,d", s.duplicates()), String.format("%,d", s.redelivered()),
                    String.format("%,d", s.failedAcks()), s.consumersWithRecords() + " of " + s.consumers(),
                    String.format("%.0f", s.recordsPerPoll()), String.format("%,d", s.shareFetches()),
                    String.format("%.0f", s.recordsPerShareFetch()),
                    String.format("%.2f", s.drainSeconds()),
                    String.format("%,.0f", s.throughput().recordsPerSecond()),
                    String.format("%.2f", s.commitPercentileMillis(50)),
                    String.format("%.2f", s.commitPercentileMillis(99))))).append(" |\n");
        }
        md.append('\n');
    }

    private static String cell(Metric m, RunResult r) {
        OptionalDouble v = m.extract().apply(r);
        return v.isPresent() ? m.format(v.getAsDouble()) : "";
    }

    private void appendFailures(StringBuilder md) {
        List<RunResult> failed = runs.stream().filter(r -> !r.ok()).toList();
        if (failed.isEmpty()) {
            return;
        }
        md.append("## Failed runs\n\n");
        for (RunResult r : failed) {
            md.append("- ").append(r.workload().name()).append(", ").append(r.broker().displayName())
                    .append(" pair ").append(r.pair()).append(": `")
                    .append(r.failure().map(f -> f.replace('\n', ' ').replace('`', '\'')).orElse("")).append("`\n");
        }
        md.append('\n');
    }

    static String formatDuration(Duration d) {
        long s = d.toSeconds();
        return s >= 60 ? (s / 60) + " min " + (s % 60) + " s" : s + " s";
    }

    /** Median of one metric for one broker over the successful runs of a workload, for the charts. */
    static Optional<Double> median(List<RunResult> runs, Workload w, BrokerKind broker, Metric metric) {
        OptionalDouble m = metric.median(of(runs.stream().filter(r -> r.workload().equals(w)).toList(), broker));
        return m.isPresent() ? Optional.of(m.getAsDouble()) : Optional.empty();
    }
}
