package io.herald.bench.rebalance;

import io.herald.bench.broker.BrokerKind;
import io.herald.bench.rebalance.RebalanceAfterKill.Run;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The Markdown report of {@link RebalanceAfterKill}: every run, the medians per broker, the settings used. */
final class RebalanceReport {

    private RebalanceReport() {
    }

    static String markdown(RebalanceAfterKill bench, RebalanceAfterKill.Options options, Map<String, String> brokerConfig, Instant started,
                           List<Run> runs) {
        long session = GroupMember.SESSION_TIMEOUT_MS;
        StringBuilder md = new StringBuilder();
        md.append("# Rebalance after a member is killed: Herald vs Apache Kafka ").append(RebalanceAfterKill.KAFKA_VERSION)
                .append(" (").append(options.protocol()).append(" protocol)\n\n");
        md.append("Started ").append(DateTimeFormatter.ISO_INSTANT.format(started.truncatedTo(ChronoUnit.SECONDS)))
                .append(" on ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append(". ").append(options.runs())
                .append(" runs per broker, alternating Herald and Kafka, a fresh broker for each.\n\n");
        md.append("| Broker | Run | Result | Kill phase (ms) | Members' start → stable (ms) | Rebalance T1 − T0 (ms) | T1 − T0 − session timeout (ms) |\n");
        md.append("|---|---:|---|---:|---:|---:|---:|\n");
        for (Run r : runs) {
            md.append("| ").append(r.broker().displayName()).append(" | ").append(r.run()).append(" | ")
                    .append(r.ok() ? "ok" : "FAILED: " + r.failure().get().replace('|', '/').replace('\n', ' '))
                    .append(" | ").append(bench.killPhaseMs(r.run()))
                    .append(" | ").append(r.ok() ? r.joinMs().getAsLong() : "–")
                    .append(" | ").append(r.ok() ? r.rebalanceMs().getAsLong() : "–")
                    .append(" | ").append(r.ok() ? r.rebalanceMs().getAsLong() - session : "–").append(" |\n");
        }
        md.append("\n| Median | Herald | Kafka | Herald / Kafka |\n|---|---:|---:|---:|\n");
        summaryRow(md, "Rebalance T1 − T0 (ms)", runs, r -> (double) r.rebalanceMs().getAsLong());
        summaryRow(md, "Coordinator + client overhead: T1 − T0 − " + session + " (ms)", runs,
                r -> (double) (r.rebalanceMs().getAsLong() - session));
        summaryRow(md, "Members' start → first stable (ms)", runs, r -> (double) r.joinMs().getAsLong());
        md.append("\nMedians are over successful runs only. T1 − T0 − session timeout is the coordinator + client "
                + "overhead only roughly: the broker's session clock starts at the killed member's *last heartbeat*, "
                + "0–").append(GroupMember.HEARTBEAT_INTERVAL_MS).append(" ms before T0 (so it can be negative), and "
                + "the survivors learn of the rebalance on their next heartbeat, 0–")
                .append(GroupMember.HEARTBEAT_INTERVAL_MS).append(" ms after the expiry: each run carries about ±")
                .append(GroupMember.HEARTBEAT_INTERVAL_MS).append(" ms of heartbeat-phase noise, so a few runs "
                + "cannot resolve differences much smaller than that. \"Members' start → stable\" includes the "
                + "three member JVMs' startup.\n\n## Settings\n\n");
        md.append("- ").append(RebalanceAfterKill.MEMBERS).append(" members, each `GroupMember` in its own JVM (`")
                .append(String.join(" ", MemberProcess.JVM_OPTIONS)).append("`), kafka-clients ")
                .append(RebalanceAfterKill.KAFKA_VERSION).append(", `subscribe()` to a ")
                .append(RebalanceAfterKill.PARTITIONS).append("-partition topic, `poll(100 ms)` in a loop, no records.\n");
        if (options.protocol().equals("classic")) {
            md.append("- Client (both brokers): `group.protocol=classic`, `session.timeout.ms=").append(session)
                    .append("`, `heartbeat.interval.ms=").append(GroupMember.HEARTBEAT_INTERVAL_MS)
                    .append("`, `max.poll.interval.ms=").append(GroupMember.MAX_POLL_INTERVAL_MS)
                    .append("`, `partition.assignment.strategy=RangeAssignor` (eager).\n");
        } else {
            md.append("- Client (both brokers): `group.protocol=consumer`, `max.poll.interval.ms=")
                    .append(GroupMember.MAX_POLL_INTERVAL_MS).append("`, no `group.remote.assignor` (the broker's "
                            + "default server assignor); session timeout and heartbeat interval come from the broker.\n");
        }
        md.append("- Broker (both): ").append(brokerConfig.entrySet().stream()
                .map(e -> "`" + e.getKey() + "=" + e.getValue() + "`").collect(Collectors.joining(", ")))
                .append("; JVM `").append(String.join(" ", RebalanceAfterKill.BROKER_JVM_OPTIONS))
                .append("`; Kafka as one KRaft broker+controller process.\n");
        md.append("- Stable = every member owns a non-empty set, the sets are disjoint and cover all partitions, and no "
                + "member reported a change for ").append(RebalanceAfterKill.SETTLE_MS).append(" ms + the run's kill phase "
                + "(spread evenly over one heartbeat interval, the same for both brokers: the members heartbeat in "
                + "phase with the last assignment change, so a fixed delay would always kill at the same point of "
                + "the heartbeat cycle). Then member ")
                .append(RebalanceAfterKill.KILLED_MEMBER).append(" (the last started) gets SIGKILL at T0; T1 = the "
                        + "time (printed by the members themselves, same machine clock) at which the 2 survivors' "
                        + "owned sets are again disjoint and cover all partitions. A run fails after ")
                .append(RebalanceAfterKill.RUN_TIMEOUT_MS / 1000).append(" s from the members' start.\n");
        return md.toString();
    }

    private static void summaryRow(StringBuilder md, String label, List<Run> runs, Function<Run, Double> value) {
        OptionalDouble herald = median(runs, BrokerKind.HERALD, value);
        OptionalDouble kafka = median(runs, BrokerKind.KAFKA, value);
        md.append("| ").append(label).append(" | ").append(format(herald)).append(" | ").append(format(kafka))
                .append(" | ");
        if (herald.isPresent() && kafka.isPresent() && kafka.getAsDouble() > 0) {
            md.append(String.format("%.2f", herald.getAsDouble() / kafka.getAsDouble()));
        } else {
            md.append("–");
        }
        md.append(" |\n");
    }

    private static OptionalDouble median(List<Run> runs, BrokerKind kind, Function<Run, Double> value) {
        double[] v = runs.stream().filter(r -> r.broker() == kind && r.ok()).mapToDouble(value::apply).sorted().toArray();
        if (v.length == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);
    }

    private static String format(OptionalDouble v) {
        return v.isPresent() ? String.format("%.0f", v.getAsDouble()) : "–";
    }
}
