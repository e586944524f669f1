package io.herald.bench;

import io.herald.bench.broker.BenchTls;
import io.herald.bench.broker.CpuPinning;
import io.herald.bench.broker.BrokerCluster;
import io.herald.bench.broker.BrokerKind;
import io.herald.bench.broker.BrokerProcess;
import io.herald.bench.broker.BrokerSettings;
import io.herald.bench.broker.BrokerStartException;
import io.herald.bench.broker.HeraldProcess;
import io.herald.bench.broker.KafkaProcess;
import io.herald.bench.load.Commits;
import io.herald.bench.load.Deployment;
import io.herald.bench.load.LatencyResult;
import io.herald.bench.load.LoadGenerator;
import io.herald.bench.load.CpuSampler;
import io.herald.bench.load.CpuUsage;
import io.herald.bench.load.RssSampler;
import io.herald.bench.load.ShareDrain;
import io.herald.bench.load.Throughput;
import io.herald.bench.load.TransactionalThroughput;
import io.herald.bench.load.Workload;
import io.herald.bench.report.Charts;
import io.herald.bench.report.MachineInfo;
import io.herald.bench.report.Report;
import io.herald.bench.report.RunResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.IsolationLevel;

/**
 * Side-by-side benchmark of Herald against Apache Kafka 4.3.1 on this machine: each workload runs on a fresh
 * broker (or a fresh three-node cluster, for the {@code -rf3} workloads), alternating Herald and Kafka
 * (A B A B A B), driven by the same in-process load generator; the result is a Markdown report with charts in
 * {@code bench-results/}. Run through {@code bin/bench}.
 *
 * <p>Exit codes: 0 all runs succeeded; 1 a broker failed to start (or the setup is broken); 2 bad command line;
 * 3 some workload runs failed (the report says which).
 */
public final class SideBySide {
    static final String KAFKA_VERSION = "4.3.1";
    static final int PARTITIONS = 6;
    static final List<String> JVM_OPTIONS = List.of("-Xms1g", "-Xmx1g");
    static final long START_TIMEOUT_MS = 60_000;
    /** The one transactional workload of --quick. */
    static final String QUICK_TRANSACTIONAL_PRODUCE = "produce-1KiB-txn100";
    static final int READ_COMMITTED_FILL_TRANSACTION = 1000;
    /** The one share group workload of --quick. */
    static final String QUICK_SHARE_CONSUME = "share-1KiB-1p-8c";
    /**
     * Backlog of the 1 KiB share workloads, in --quick too: 200 MB. Both brokers drained 100,000 records on one
     * partition in about 2 s on the 2-core machine, too short next to the consumers' join; the drain workload's
     * million records are its point and are not shrunk either.
     */
    static final long SHARE_BACKLOG_1KIB = 200_000;

    private final BenchOptions options;
    private final BrokerSettings brokers;
    private final Path tempRoot;
    /** Made on the first -tls run. */
    private BenchTls tlsMaterial;
    private final Progress progress;
    private final List<Workload> workloads;
    private final List<RunResult> results = new ArrayList<>();
    private final Map<String, Double> latencyRates = new LinkedHashMap<>();

    private SideBySide(BenchOptions options, BrokerSettings brokers, Path tempRoot, List<Workload> workloads) {
        this.options = options;
        this.brokers = brokers;
        this.tempRoot = tempRoot;
        this.workloads = workloads;
        this.progress = new Progress(System.err, workloads.size() * options.pairs() * BrokerKind.values().length);
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        // The load generator's clients log every config at INFO; keep stderr for the progress bar and errors.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        // "Connection to node -1 could not be established" every 20 ms while a broker starts is expected.
        if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient", "error");
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (BenchOptions.UsageException e) {
            if (e.getMessage() != null) {
                System.err.println("bench: " + e.getMessage());
            }
            System.err.print(BenchOptions.USAGE);
            System.exit(e.getMessage() == null ? 0 : 2);
            return;
        }
        System.exit(run(options));
    }

    static int run(BenchOptions options) {
        List<Workload> selected = select(allWorkloads(), options);
        if (selected.isEmpty()) {
            System.err.println("bench: no workload matches --only " + options.only().map(Object::toString).orElse(""));
            return 2;
        }
        Optional<CpuPinning> pinning = options.pin()
                ? CpuPinning.split(Runtime.getRuntime().availableProcessors()) : Optional.empty();
        if (options.pin() && (pinning.isEmpty() || !pinning.get().pinThisProcess())) {
            System.err.println("bench: --pin needs taskset and at least 2 CPUs; running unpinned");
            pinning = Optional.empty();
        }
        BrokerSettings brokers = new BrokerSettings(Path.of(System.getProperty("java.home"), "bin", "java"),
                JVM_OPTIONS, PARTITIONS, options.heraldHome(), System.getProperty("java.class.path"), START_TIMEOUT_MS,
                Map.of(BrokerKind.HERALD, options.heraldOpts(), BrokerKind.KAFKA, options.kafkaOpts()),
                options.profileDir(), pinning);
        if (options.profileDir().isPresent()) {
            try {
                Files.createDirectories(options.profileDir().get());
            } catch (IOException e) {
                System.err.println("bench: cannot create " + options.profileDir().get() + ": " + e);
                return 1;
            }
        }
        if (!Files.isRegularFile(brokers.heraldJar())) {
            System.err.println("bench: " + brokers.heraldJar() + " is missing; build it with: "
                    + "mvn -DskipTests -pl herald-server -am package (bin/bench does this for you)");
            return 1;
        }
        Path tempRoot;
        try {
            Files.createDirectories(options.tempParent());
            tempRoot = Files.createTempDirectory(options.tempParent(), "herald-bench-");
        } catch (IOException e) {
            System.err.println("bench: cannot create a data directory under " + options.tempParent() + ": " + e);
            return 1;
        }
        Thread cleanup = new Thread(() -> deleteTree(tempRoot), "bench-temp-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            return new SideBySide(options, brokers, tempRoot, selected).runAll();
        } finally {
            deleteTree(tempRoot);
        }
    }

    /**
     * The workloads in the order they run; latency workloads after the produce workload their rate comes from, the
     * transactional ones after the acks=all producer they are a variant of. The read_committed consumer's topic is
     * filled in transactions of {@link #READ_COMMITTED_FILL_TRANSACTION} records: each leaves a commit marker in
     * every partition (sixty-odd 16 KiB batches spread over all six), while the fill of the full run's 1,000,000
     * records stays at 1,000 commits.
     */
    static List<Workload> allWorkloads() {
        Deployment single = Deployment.SINGLE_BROKER;
        Deployment rf3 = Deployment.THREE_BROKERS_RF3;
        Deployment tls = Deployment.SINGLE_BROKER_TLS;
        Deployment openssl = Deployment.SINGLE_BROKER_TLS_OPENSSL;
        Workload.Produce produce1KiBAcks1 = new Workload.Produce("produce-1KiB-acks1", 1024, "1", single);
        return List.of(
                new Workload.Produce("produce-100B-acks1", 100, "1", single),
                new Workload.Produce("produce-100B-acksall", 100, "all", single),
                produce1KiBAcks1,
                new Workload.Produce("produce-1KiB-acks1-tls", 1024, "1", tls),
                new Workload.Produce("produce-1KiB-acks1-tls-openssl", 1024, "1", openssl),
                new Workload.Produce("produce-1KiB-acksall", 1024, "all", single),
                new Workload.TransactionalProduce(QUICK_TRANSACTIONAL_PRODUCE, 1024, 100),
                new Workload.TransactionalProduce("produce-1KiB-txn1000", 1024, 1000),
                new Workload.Produce("produce-100B-acksall-rf3", 100, "all", rf3),
                new Workload.Produce("produce-1KiB-acksall-rf3", 1024, "all", rf3),
                new Workload.Consume("consume-1KiB", 1024, 0, new Workload.Fill.Plain(),
                        IsolationLevel.READ_UNCOMMITTED),
                new Workload.Consume("consume-1KiB-tls", 1024, 0, new Workload.Fill.Plain(),
                        IsolationLevel.READ_UNCOMMITTED, tls),
                new Workload.Consume("consume-1KiB-tls-openssl", 1024, 0, new Workload.Fill.Plain(),
                        IsolationLevel.READ_UNCOMMITTED, openssl),
                new Workload.Consume("consume-1KiB-read-committed", 1024, 0,
                        new Workload.Fill.Transactional(READ_COMMITTED_FILL_TRANSACTION),
                        IsolationLevel.READ_COMMITTED),
                new Workload.EndToEndLatency("e2e-1KiB-acks1-25pct", 1024, "1", 0.25, produce1KiBAcks1),
                new Workload.EndToEndLatency("e2e-1KiB-acks1-50pct", 1024, "1", 0.50, produce1KiBAcks1),
                new Workload.ShareConsume(QUICK_SHARE_CONSUME, 1024, SHARE_BACKLOG_1KIB, 1, 8),
                new Workload.ShareConsume("share-1KiB-6p-8c", 1024, SHARE_BACKLOG_1KIB, 6, 8),
                new Workload.ShareConsume("share-drain-100B-1m-16c", 100, 1_000_000, 1, 16));
    }

    /**
     * Applies --only, matching a workload's name or one of its {@link Workload#tags()}, and keeps the produce
     * workloads that selected latency workloads take their rate from. Without --only, --quick runs only the
     * workloads {@link #inQuickRun} admits; --only selects the others in --quick as well.
     */
    static List<Workload> select(List<Workload> all, BenchOptions options) {
        Set<Workload> chosen = new LinkedHashSet<>();
        for (Workload w : all) {
            boolean selected = options.only()
                    .map(pattern -> pattern.matcher(w.name()).find()
                            || w.tags().stream().anyMatch(tag -> pattern.matcher(tag).find()))
                    .orElse(!options.quick() || inQuickRun(w));
            if (selected) {
                if (w instanceof Workload.EndToEndLatency l) {
                    chosen.add(l.peakSource());
                }
                chosen.add(w);
            }
        }
        return all.stream().filter(chosen::contains)
                .map(w -> w instanceof Workload.Consume c ? c.withRecords(options.consumeRecords()) : w).toList();
    }

    /**
     * The smoke run that CI runs takes every kind of workload once, on a single broker: no cluster workloads (three
     * JVMs per run and a quorum to form would double it), and of the transactional family only
     * {@value #QUICK_TRANSACTIONAL_PRODUCE}, which goes through initTransactions, the coordinator, the implicit
     * add of partitions (transaction version 2), commits and markers. On the 2-core development machine its pair
     * of runs adds about 16 s; the read_committed consumer (a transactional fill, then two reads) would add
     * another 19 s and produce-1KiB-txn1000 another 18 s, for little the smaller transactions do not already smoke.
     * Of the share group workloads only {@value #QUICK_SHARE_CONSUME}: the others differ in partitions and consumers,
     * not in what they go through, and the million-record drain alone takes longer than the rest of --quick. The
     * {@code -tls-openssl} workloads are left out too: they differ from the {@code -tls} ones only in Herald's engine.
     */
    static boolean inQuickRun(Workload w) {
        return switch (w) {
            case Workload.Produce p -> !p.deployment().isCluster() && !p.deployment().heraldOpenSsl();
            case Workload.TransactionalProduce t -> t.name().equals(QUICK_TRANSACTIONAL_PRODUCE);
            case Workload.Consume c -> c.fill() instanceof Workload.Fill.Plain && !c.deployment().heraldOpenSsl();
            case Workload.EndToEndLatency l -> !l.deployment().isCluster();
            case Workload.ShareConsume s -> s.name().equals(QUICK_SHARE_CONSUME);
        };
    }

    private int runAll() {
        Instant started = Instant.now();
        System.err.println("bench: measuring disk write speed in " + tempRoot + " (dd, 512 MiB)...");
        MachineInfo machine = MachineInfo.probe(tempRoot);
        try {
            for (Workload w : workloads) {
                OptionalDouble rate = w instanceof Workload.EndToEndLatency l ? latencyRate(l) : OptionalDouble.empty();
                for (int pair = 1; pair <= options.pairs(); pair++) {
                    for (BrokerKind broker : BrokerKind.values()) {
                        progress.starting(w.name() + " " + broker.displayName() + " run " + pair);
                        results.add(runOnce(w, broker, pair, rate));
                        progress.finished();
                    }
                }
            }
        } catch (BrokerStartException e) {
            progress.close();
            System.err.println("bench: error: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            progress.close();
            System.err.println("bench: interrupted");
            return 1;
        }
        progress.close();
        Duration elapsed = Duration.between(started, Instant.now());
        try {
            Path report = writeReport(started, elapsed, machine);
            System.err.println("bench: report written to " + report.toAbsolutePath() + " (copied to latest.md)");
            System.out.println(Files.readString(report));
        } catch (IOException e) {
            System.err.println("bench: cannot write the report to " + options.resultsDir() + ": " + e);
            return 1;
        }
        long failed = results.stream().filter(r -> !r.ok()).count();
        if (failed > 0) {
            System.err.println("bench: " + failed + " of " + results.size() + " runs failed; see \"Failed runs\" in the report");
            return 3;
        }
        return 0;
    }

    /** Fraction of the lower of the two brokers' median peak rates: both brokers get the same absolute load. */
    private OptionalDouble latencyRate(Workload.EndToEndLatency l) {
        OptionalDouble lower = OptionalDouble.empty();
        for (BrokerKind broker : BrokerKind.values()) {
            double[] peaks = results.stream()
                    .filter(r -> r.workload().equals(l.peakSource()) && r.broker() == broker && r.ok())
                    .flatMap(r -> r.throughput().stream()).mapToDouble(Throughput::recordsPerSecond).sorted().toArray();
            if (peaks.length == 0) {
                return OptionalDouble.empty();
            }
            double median = peaks.length % 2 == 1 ? peaks[peaks.length / 2]
                    : (peaks[peaks.length / 2 - 1] + peaks[peaks.length / 2]) / 2;
            lower = OptionalDouble.of(lower.isPresent() ? Math.min(lower.getAsDouble(), median) : median);
        }
        lower.ifPresent(peak -> latencyRates.put(l.name(), peak * l.fractionOfPeak()));
        return lower.isPresent() ? OptionalDouble.of(lower.getAsDouble() * l.fractionOfPeak()) : lower;
    }

    /**
     * One fresh broker (or cluster), one workload. A broker that does not start aborts the benchmark; a failed
     * workload does not.
     */
    private RunResult runOnce(Workload w, BrokerKind kind, int pair, OptionalDouble latencyRate)
            throws BrokerStartException, InterruptedException {
        Path dataDir = tempRoot.resolve(w.name() + "-" + kind.name().toLowerCase() + "-" + pair);
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new BrokerStartException("cannot create " + dataDir + ": " + e);
        }
        try (BrokerProcess broker = brokerFor(w.deployment(), kind, dataDir)) {
            BrokerProcess.StartedBroker started = broker.start();
            Thread.sleep(options.load().idleSettle().toMillis());
            OptionalLong idleRss = RssSampler.rssBytes(started.pids());
            LoadGenerator load = new LoadGenerator(started.bootstrapServers(), PARTITIONS, options.load(),
                    w.deployment().tls() ? tls().clientConfigs() : Map.of());
            Optional<Throughput> throughput = Optional.empty();
            Optional<Commits> commits = Optional.empty();
            Optional<LatencyResult> latency = Optional.empty();
            Optional<ShareDrain> share = Optional.empty();
            Optional<String> failure = Optional.empty();
            RssSampler sampler = new RssSampler(started.pids());
            CpuSampler cpu = new CpuSampler(started.pids());
            long callStart = System.nanoTime();
            long callNanos;
            try {
                load.createTopic(w);
                switch (w) {
                    case Workload.Produce p -> throughput = Optional.of(load.produce(p));
                    case Workload.TransactionalProduce t -> {
                        TransactionalThroughput measured = load.produceTransactional(t);
                        throughput = Optional.of(measured.throughput());
                        commits = Optional.of(measured.commits());
                    }
                    case Workload.Consume c -> throughput = Optional.of(load.consume(c));
                    case Workload.EndToEndLatency l -> latency = Optional.of(load.endToEnd(l,
                            latencyRate.orElseThrow(() -> new IllegalStateException(
                                    "no peak rate: " + l.peakSource().name() + " has no successful run on both brokers"))));
                    case Workload.ShareConsume s -> {
                        ShareDrain drained = load.shareConsume(s);
                        // Kept for the report even when incomplete: how far the group got says what went wrong.
                        share = Optional.of(drained);
                        throughput = Optional.of(drained.throughput());
                        drained.requireComplete();
                    }
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                failure = Optional.of(e.toString());
                progress.message("bench: " + w.name() + " on " + kind.displayName() + " failed: " + e);
            } finally {
                // Before the samplers close: their last sample must come after the interval read from them.
                callNanos = System.nanoTime() - callStart;
                sampler.close();
                cpu.close();
            }
            Optional<CpuUsage> usage = latency.isPresent() ? cpu.over(callStart, callNanos)
                    : throughput.filter(Throughput::hasStart).flatMap(t -> cpu.over(t.startNanos(), t.nanos()));
            return new RunResult(w, kind, pair, started.startupNanos(), idleRss, sampler.peakBytes(), throughput,
                    commits, latency, share, failure, usage);
        } finally {
            deleteTree(dataDir);
        }
    }

    private BrokerProcess brokerFor(Deployment deployment, BrokerKind kind, Path dataDir) {
        if (deployment.isCluster()) {
            return new BrokerCluster(kind, brokers, dataDir, deployment.brokers());
        }
        if (kind == BrokerKind.HERALD) {
            HeraldProcess herald = deployment.heraldOpenSsl()
                    ? new HeraldProcess(brokers, dataDir, Map.of("herald.ssl.provider", "openssl"))
                    : new HeraldProcess(brokers, dataDir);
            return deployment.tls() ? herald.overTls(tls()) : herald;
        }
        KafkaProcess kafka = new KafkaProcess(brokers, dataDir);
        return deployment.tls() ? kafka.overTls(tls()) : kafka;
    }

    /** The TLS material of the {@code -tls} workloads, made once per run in its temporary directory. */
    private BenchTls tls() {
        if (tlsMaterial == null) {
            try {
                tlsMaterial = BenchTls.create(tempRoot.resolve("tls"), brokers.java());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make the TLS key store", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted making the TLS key store", e);
            }
        }
        return tlsMaterial;
    }

    private Path writeReport(Instant started, Duration elapsed, MachineInfo machine) throws IOException {
        Path dir = options.resultsDir();
        Files.createDirectories(dir);
        String stamp = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'").withZone(ZoneOffset.UTC).format(started);
        Map<String, String> charts = new LinkedHashMap<>();
        List<Workload> throughputWorkloads = workloads.stream()
                .filter(w -> !(w instanceof Workload.EndToEndLatency)).toList();
        if (!throughputWorkloads.isEmpty()) {
            String mbps = stamp + "-throughput-mbps.png";
            Charts.throughput(throughputWorkloads, results, true, dir.resolve(mbps));
            charts.put(mbps, "throughput MB/s");
            String rps = stamp + "-throughput-records.png";
            Charts.throughput(throughputWorkloads, results, false, dir.resolve(rps));
            charts.put(rps, "throughput records/s");
        }
        for (Workload w : workloads) {
            if (w instanceof Workload.EndToEndLatency l && latencyRates.containsKey(l.name())) {
                String file = stamp + "-" + l.name() + ".png";
                Charts.latency(l, latencyRates.get(l.name()), results, dir.resolve(file));
                charts.put(file, "latency " + l.name());
            }
        }
        String markdown = new Report("Herald vs Apache Kafka " + KAFKA_VERSION + ": side-by-side benchmark",
                DateTimeFormatter.ISO_INSTANT.format(started.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)),
                elapsed, modeNote(), machine, setupNotes(), workloads, results, latencyRates, charts).toMarkdown();
        Path report = dir.resolve(stamp + ".md");
        Files.writeString(report, markdown);
        Files.copy(report, dir.resolve("latest.md"), StandardCopyOption.REPLACE_EXISTING);
        return report;
    }

    private String modeNote() {
        String pairs = options.pairs() + " Herald/Kafka pair" + (options.pairs() == 1 ? "" : "s") + " per workload";
        return options.quick()
                ? "**Mode: --quick** — " + pairs + " and short durations: a smoke run, too few runs to draw conclusions "
                        + "(the full run alternates at least 3 pairs)."
                : "Mode: full — " + pairs + ", alternating Herald and Kafka (A B A B …).";
    }

    private List<String> setupNotes() {
        List<String> notes = new ArrayList<>(baseSetupNotes());
        notes.add(brokers.pinning().map(p -> "**CPU pinning** (`--pin`): " + p.describe() + ".")
                .orElse("Not pinned: the brokers and the load generator share all the machine's cores (`--pin` "
                        + "separates them)."));
        notes.add("CPU = utime + stime from /proc/PID/stat, sampled every 100 ms and interpolated to the measured "
                + "interval of each run (a latency run: its whole run at its fixed rate); broker = the broker JVM "
                + "(all three of a cluster), load generator = the benchmark JVM with its clients. CPU per GB is per "
                + "10^9 bytes of record values moved.");
        if (!options.heraldOpts().isEmpty() || !options.kafkaOpts().isEmpty()) {
            notes.add("**Extra JVM flags** (not like for like): Herald `" + String.join(" ", options.heraldOpts())
                    + "`, Kafka `" + String.join(" ", options.kafkaOpts()) + "`.");
        }
        workloads.stream().filter(w -> w.deployment().isCluster()).findFirst()
                .ifPresent(w -> notes.add(clusterNote(w.deployment())));
        if (workloads.stream().anyMatch(w -> w.deployment().tls())) {
            notes.add("`-tls` workloads: the broker's one client listener is `SSL` (Kafka: also its inter-broker "
                    + "listener; the controller listener stays PLAINTEXT on both), with a self-signed RSA 2048 "
                    + "certificate for 127.0.0.1 made by the JDK's keytool for the run; the clients trust it from PEM "
                    + "and verify the host name. TLS 1.3 with the JDK's default cipher order on both sides; both "
                    + "brokers use the JDK's TLS engine (Herald's default `herald.ssl.provider=jdk`), except in the "
                    + "`-tls-openssl` workloads, where Herald runs Netty's BoringSSL engine "
                    + "(`herald.ssl.provider=openssl`) and Kafka, which has no other engine, the JDK's.");
        }
        if (workloads.stream().anyMatch(w -> w.tags().contains(Workload.TRANSACTIONAL_TAG))) {
            notes.add(transactionNote());
        }
        if (workloads.stream().anyMatch(w -> w instanceof Workload.ShareConsume)) {
            notes.add(shareNote());
        }
        options.profileDir().ifPresent(dir -> notes.add("**Profiled**: both brokers ran with a JFR recording "
                + "(settings=profile) into `" + dir + "`, which costs a few percent."));
        return notes;
    }

    private static String clusterNote(Deployment d) {
        return "`-rf" + d.replicationFactor() + "` workloads: a fresh cluster of " + d.brokers() + " nodes per run, "
                + "each broker+controller in its own JVM (same flags as above) with its own data directory, static "
                + "`controller.quorum.voters` of all " + d.brokers() + " (Kafka: storage of each formatted with one "
                + "cluster id, no `--standalone`; internal topics at Kafka's default replication 3, also for Herald's "
                + "`__consumer_offsets`); the topic has replication factor " + d.replicationFactor() + " and "
                + "`min.insync.replicas=" + d.minInsyncReplicas() + "`, and the run starts once every partition has a "
                + "leader and all " + d.replicationFactor() + " replicas in its ISR. The producer (acks=all) "
                + "bootstraps from all nodes. Their startup time runs from the first node's launch until every node "
                + "answers and the cluster lists all " + d.brokers() + " brokers; RSS is the sum over the "
                + d.brokers() + " JVMs. Both are reported per workload, not in the \"every run\" rows.";
    }

    private String transactionNote() {
        var load = options.load();
        return "Transactional workloads: both single nodes run with `transaction.state.log.replication.factor=1` "
                + "and `transaction.state.log.min.isr=1` (Kafka refuses transactions on one node otherwise), "
                + "`__transaction_state` at the default 50 partitions, created by the first `initTransactions()`, "
                + "which is not timed. `produce-1KiB-txnN`: one producer with a `transactional.id` (acks=all, "
                + "idempotence), transactions of N records then `commitTransaction()`, one after the other, for "
                + load.produceDuration().toSeconds() + " s after " + load.warmup().toSeconds() + " s warm-up; "
                + "throughput counts the transactions begun after the warm-up, up to the last commit's return. "
                + "commitTransaction p50/p99 = how long that call took, which includes sending what the producer "
                + "still buffered (linger.ms=5) and EndTxn. `consume-1KiB-read-committed`: the topic filled by one "
                + "transactional producer committing every " + String.format("%,d", READ_COMMITTED_FILL_TRANSACTION)
                + " records (each transaction leaves a commit marker in every partition it wrote, with 1 KiB "
                + "records and 16 KiB batches all " + PARTITIONS + "), then read as `consume-1KiB` reads but with "
                + "`isolation.level=read_committed` (up to the last stable offset, markers skipped).";
    }

    private String shareNote() {
        return "Share group workloads (KIP-932) `share-*`: a topic of P partitions (`Pp` in the name; the drain's "
                + "is 1) filled with one acks=1 producer, then C (`Cc`) `KafkaShareConsumer`s (one thread each in the load generator's JVM, client "
                + "defaults, `share.acknowledgement.mode=explicit`) in one group with "
                + "`share.auto.offset.reset=earliest` (a group config set through Admin before they join) drain it: each poll's records are acknowledged "
                + "ACCEPT, then `commitSync()` waits for the broker's answer (ack commitSync p50/p99 = its duration). "
                + "Before the clock an untimed warm-up group drains for " + options.load().warmup().toSeconds()
                + " s after its first record. Time to drain = first record polled to the return of the commit that "
                + "acknowledged the last record not seen before; the run fails unless every offset of the backlog was "
                + "delivered (or after " + LoadGenerator.NO_PROGRESS_TIMEOUT.toSeconds() + " s without a new record). "
                + "Duplicates = deliveries beyond a record's first. Both brokers at their defaults for share groups (2,000 record locks per "
                + "share-partition, 30 s lock duration); Kafka's `__share_group_state` at replication 1.";
    }

    private List<String> baseSetupNotes() {
        var load = options.load();
        return List.of(
                "Apache Kafka " + KAFKA_VERSION + " (kafka_2.13 from Maven Central) in KRaft mode, one process as "
                        + "broker+controller (storage formatted with `--standalone` before the clock starts); Herald "
                        + "from `herald-server/target/herald-server.jar`.",
                "Both brokers: separate JVMs on the benchmark's JDK with the same flags `" + String.join(" ", JVM_OPTIONS)
                        + "` (Kafka's start script would add its G1 tuning flags; not used, for equality; both run G1, the JDK's "
                        + "default, which Herald's launcher states explicitly), on 127.0.0.1, "
                        + "`num.partitions=" + PARTITIONS + "` and " + PARTITIONS + "-partition topics, default flush "
                        + "policy (no fsync on the produce path), every other setting at the broker's default.",
                "Herald starts as `bin/herald` starts it, with its class-data sharing archive "
                        + "(`herald-server/target/herald-server.jsa`, written when the first Herald run of the bench "
                        + "exits, which is stopped with SIGTERM for that; Kafka is killed); Kafka's scripts have no "
                        + "such archive.",
                "A fresh broker with an empty data directory under `" + options.tempParent() + "` for every run.",
                "Load generator: kafka-clients " + KAFKA_VERSION + " in the benchmark JVM on the same machine (it "
                        + "competes with the broker for the same cores), one producer, client defaults (batch.size=16384, "
                        + "linger.ms=5, no compression; acks=all enables idempotence). Produce: unthrottled for "
                        + load.produceDuration().toSeconds()
                        + " s after " + load.warmup().toSeconds() + " s warm-up. Consume: "
                        + String.format("%,d", options.consumeRecords()) + " records filled (acks=1), then one consumer "
                        + "with assign() of all partitions + seekToBeginning, no group, reads them all twice; the second "
                        + "read is timed (the first warms the client's JIT). MB = 10^6 bytes of record values.",
                "End-to-end latency: acks=1, the same client defaults as the produce workloads (so the rate is a "
                        + "true fraction of the measured peak; linger.ms=5 puts a ~5 ms floor under p50), records produced at a fixed rate for "
                        + load.latencyDuration().toSeconds() + " s after " + load.warmup().toSeconds() + " s warm-up, "
                        + "consumed in the same JVM; latency is measured from the *intended* send time (no coordinated "
                        + "omission). The rate is 25%/50% of the lower of the two brokers' median produce-1KiB-acks1 "
                        + "throughput, so both brokers carry the same absolute load.",
                "Startup = process start to the first successful AdminClient describeCluster answer (polled every "
                        + "≤50 ms). RSS = VmRSS from /proc/PID/status: idle " + load.idleSettle().toMillis()
                        + " ms after startup; peak = highest 200 ms sample from topic creation to the end of the workload.");
    }

    /** Best-effort recursive delete of a benchmark's temp dir (a dying broker may still write into it). */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a file a dying broker still writes
                }
            });
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // best effort
        }
    }
}
