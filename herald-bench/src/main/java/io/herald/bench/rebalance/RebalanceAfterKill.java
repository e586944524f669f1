package io.herald.bench.rebalance;

import io.herald.bench.SideBySide;
import io.herald.bench.broker.BrokerKind;
import io.herald.bench.broker.BrokerProcess;
import io.herald.bench.broker.BrokerSettings;
import io.herald.bench.broker.BrokerStartException;
import io.herald.bench.broker.HeraldProcess;
import io.herald.bench.broker.KafkaProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * How long a 3-member group takes to rebalance after one member is killed, on Herald and on Apache Kafka 4.3.1,
 * with the same client settings:
 * {@code RebalanceAfterKill [--protocol classic|consumer] [--runs N] [--results-dir DIR] [--tmp-dir DIR]}
 * (run from the Herald checkout, with the bench module's classpath; see README "Benchmarks").
 *
 * <p>Each run: a fresh broker and data directory, a 6-partition topic, three {@link GroupMember} JVMs subscribed
 * to it. Once the three own disjoint, non-empty sets covering all partitions and nothing changed for
 * {@value #SETTLE_MS} ms plus a per-run phase offset ({@link #killPhaseMs}), one member gets SIGKILL at T0; T1 is when the two survivors' reported sets are again
 * disjoint and cover every partition. T1 − T0 is dominated by the 10 s session timeout (the killed member
 * never leaves the group), so the table also shows T1 − T0 − session timeout: the coordinator's expiry
 * granularity, the survivors' heartbeat interval and the rejoin/reconcile round trips. Runs alternate Herald,
 * Kafka, Herald, …; each run is bounded by {@value #RUN_TIMEOUT_MS} ms from the first member's start and is
 * marked failed beyond that.
 *
 * <p>Exit codes: 0 all runs succeeded; 2 bad command line; 3 some runs failed (listed in the report).
 */
public final class RebalanceAfterKill {
    static final String KAFKA_VERSION = "4.3.1";
    static final int PARTITIONS = 6;
    static final int MEMBERS = 3;
    static final int KILLED_MEMBER = MEMBERS - 1;
    static final long RUN_TIMEOUT_MS = 60_000;
    static final long SETTLE_MS = 2_000;
    static final List<String> BROKER_JVM_OPTIONS = List.of("-Xms1g", "-Xmx1g");
    static final String TOPIC = "rebalance";
    static final String USAGE = "usage: RebalanceAfterKill [--protocol classic|consumer] [--runs N] "
            + "[--results-dir DIR] [--tmp-dir DIR]\n";

    record Options(String protocol, int runs, Path resultsDir, Path tempParent) {
    }

    /** One run on one broker: the times are present when it succeeded, the failure when it did not. */
    record Run(BrokerKind broker, int run, OptionalLong joinMs, OptionalLong rebalanceMs, Optional<String> failure) {
        boolean ok() {
            return failure.isEmpty();
        }
    }

    private final Options options;
    private final BrokerSettings brokers;
    private final Path tempRoot;

    private RebalanceAfterKill(Options options, BrokerSettings brokers, Path tempRoot) {
        this.options = options;
        this.brokers = brokers;
        this.tempRoot = tempRoot;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient", "error");
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.print("RebalanceAfterKill: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        BrokerSettings brokers = BrokerSettings.fromCheckoutOrExit("RebalanceAfterKill", BROKER_JVM_OPTIONS, PARTITIONS);
        Files.createDirectories(options.tempParent());
        Path tempRoot = Files.createTempDirectory(options.tempParent(), "herald-rebalance-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> SideBySide.deleteTree(tempRoot), "rebalance-temp-cleanup"));
        int code;
        try {
            code = new RebalanceAfterKill(options, brokers, tempRoot).runAll();
        } finally {
            SideBySide.deleteTree(tempRoot);
        }
        System.exit(code);
    }

    static Options parse(String[] args) {
        String protocol = "classic";
        int runs = 3;
        Path resultsDir = Path.of("bench-results");
        Path tempParent = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--protocol" -> protocol = value;
                case "--runs" -> runs = Integer.parseInt(value);
                case "--results-dir" -> resultsDir = Path.of(value);
                case "--tmp-dir" -> tempParent = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option: " + args[i]);
            }
            i++;
        }
        if (!protocol.equals("classic") && !protocol.equals("consumer")) {
            throw new IllegalArgumentException("--protocol: " + protocol + " (expected: classic or consumer)");
        }
        if (runs < 1) {
            throw new IllegalArgumentException("--runs: " + runs + " (expected: >= 1)");
        }
        return new Options(protocol, runs, resultsDir, tempParent);
    }

    /**
     * Broker configs for both brokers. With the consumer protocol the session timeout and heartbeat interval are
     * the broker's; Kafka also needs the minimums lowered (its defaults, 45 s and 5 s, would reject 10 s and 1 s).
     */
    Map<String, String> brokerConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("group.initial.rebalance.delay.ms", "0");
        if (options.protocol().equals("consumer")) {
            config.put("group.consumer.session.timeout.ms", String.valueOf(GroupMember.SESSION_TIMEOUT_MS));
            config.put("group.consumer.min.session.timeout.ms", String.valueOf(GroupMember.SESSION_TIMEOUT_MS));
            config.put("group.consumer.heartbeat.interval.ms", String.valueOf(GroupMember.HEARTBEAT_INTERVAL_MS));
            config.put("group.consumer.min.heartbeat.interval.ms", String.valueOf(GroupMember.HEARTBEAT_INTERVAL_MS));
        }
        return config;
    }

    private int runAll() throws InterruptedException, IOException {
        Instant started = Instant.now();
        List<Run> runs = new ArrayList<>();
        for (int run = 1; run <= options.runs(); run++) {
            for (BrokerKind kind : BrokerKind.values()) {
                System.err.println("rebalance: " + options.protocol() + " protocol, " + kind.displayName()
                        + " run " + run + "/" + options.runs() + "...");
                Run r = runOnce(kind, run);
                System.err.println("rebalance:   " + (r.ok() ? "T1 - T0 = " + r.rebalanceMs().getAsLong() + " ms"
                        : "FAILED: " + r.failure().get()));
                runs.add(r);
            }
        }
        String markdown = RebalanceReport.markdown(this, options, brokerConfig(), started, runs);
        Files.createDirectories(options.resultsDir());
        String stamp = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'").withZone(ZoneOffset.UTC).format(started);
        Path report = options.resultsDir().resolve("rebalance-" + options.protocol() + "-" + stamp + ".md");
        Files.writeString(report, markdown);
        System.out.print(markdown);
        System.err.println("rebalance: report written to " + report.toAbsolutePath());
        return runs.stream().allMatch(Run::ok) ? 0 : 3;
    }

    private Run runOnce(BrokerKind kind, int run) throws InterruptedException {
        Path dataDir = tempRoot.resolve(kind.name().toLowerCase() + "-" + run);
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            return failed(kind, run, "cannot create " + dataDir + ": " + e);
        }
        try (BrokerProcess broker = kind == BrokerKind.HERALD ? new HeraldProcess(brokers, dataDir, brokerConfig())
                : new KafkaProcess(brokers, dataDir, brokerConfig())) {
            broker.start();
            createTopic(broker.bootstrapServers());
            return measure(kind, run, broker.bootstrapServers(), dataDir);
        } catch (BrokerStartException e) {
            return failed(kind, run, "broker did not start: " + e.getMessage().lines().findFirst().orElse(""));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return failed(kind, run, e.toString());
        } finally {
            SideBySide.deleteTree(dataDir);
        }
    }

    private Run measure(BrokerKind kind, int run, String bootstrap, Path dataDir) throws InterruptedException {
        GroupView view = new GroupView(MEMBERS, PARTITIONS);
        List<MemberProcess> members = new ArrayList<>();
        List<String> memberArgs = List.of(bootstrap, "rebalance-bench-" + run, TOPIC, options.protocol());
        long startMillis = System.currentTimeMillis();
        long deadline = startMillis + RUN_TIMEOUT_MS;
        try {
            for (int i = 0; i < MEMBERS; i++) {
                members.add(MemberProcess.start(brokers.java(), brokers.kafkaClasspath(), i, view,
                        dataDir.resolve("member-" + i + ".log"), memberArgs));
            }
            List<Integer> all = List.of(0, 1, 2);
            long stableAt;
            while (true) {
                Optional<String> problem = problem(view, members, all);
                if (problem.isPresent()) {
                    return failed(kind, run, "before the kill: " + problem.get());
                }
                OptionalLong stable = view.stableSince(all);
                long now = System.currentTimeMillis();
                long killAt = view.lastReportMillis().orElse(now) + SETTLE_MS + killPhaseMs(run);
                if (stable.isPresent() && now >= killAt) {
                    stableAt = stable.getAsLong();
                    break;
                }
                if (now > deadline) {
                    return failed(kind, run, "the 3 members did not reach a stable assignment within "
                            + RUN_TIMEOUT_MS + " ms");
                }
                view.awaitChange(stable.isPresent() ? Math.clamp(killAt - now, 1, 100) : 100);
            }
            long t0 = System.currentTimeMillis();
            members.get(KILLED_MEMBER).killNow();
            List<Integer> survivors = List.of(0, 1);
            while (true) {
                Optional<String> problem = problem(view, members, survivors);
                if (problem.isPresent()) {
                    return failed(kind, run, "after the kill: " + problem.get());
                }
                OptionalLong stable = view.stableSince(survivors);
                if (stable.isPresent() && stable.getAsLong() >= t0) {
                    return new Run(kind, run, OptionalLong.of(stableAt - startMillis),
                            OptionalLong.of(stable.getAsLong() - t0), Optional.empty());
                }
                if (System.currentTimeMillis() > deadline) {
                    return failed(kind, run, "the survivors did not cover all partitions within "
                            + RUN_TIMEOUT_MS + " ms of the members' start (killed at +" + (t0 - startMillis) + " ms)");
                }
                view.awaitChange(100);
            }
        } finally {
            members.forEach(MemberProcess::close);
        }
    }

    /**
     * When, within a heartbeat interval, run {@code run} kills its member: (2·run − 1)/(2·runs) of the interval
     * after the settle period, i.e. spread evenly over the interval and the same for both brokers. The members'
     * heartbeats are in phase with the last assignment change (they start from the SyncGroup or heartbeat
     * response that carried it), so a fixed delay would kill at the same point of the heartbeat cycle every run
     * and bias T1 − T0 by up to one interval in a way that depends on how each broker breaks the tie between a
     * survivor's heartbeat and the killed member's expiry.
     */
    long killPhaseMs(int run) {
        return (long) GroupMember.HEARTBEAT_INTERVAL_MS * (2L * run - 1) / (2L * options.runs());
    }

    /** A member that printed an error or died on its own makes the run fail. */
    private static Optional<String> problem(GroupView view, List<MemberProcess> members, List<Integer> expectedAlive) {
        Optional<String> error = view.firstError();
        if (error.isPresent()) {
            return Optional.of("a member failed: " + error.get());
        }
        for (int m : expectedAlive) {
            if (!members.get(m).isAlive()) {
                return Optional.of("member " + m + " exited on its own");
            }
        }
        return Optional.empty();
    }

    private static void createTopic(String bootstrap) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Run failed(BrokerKind kind, int run, String why) {
        return new Run(kind, run, OptionalLong.empty(), OptionalLong.empty(), Optional.of(why));
    }

}
