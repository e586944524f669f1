package io.herald.bench.delay;

import io.herald.bench.SideBySide;
import io.herald.bench.broker.BrokerProcess;
import io.herald.bench.broker.BrokerSettings;
import io.herald.bench.broker.HeraldProcess;
import io.herald.bench.load.RssSampler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The {@code delayed-1M} benchmark of delayed delivery (Herald only: Kafka has no per-record delay):
 * {@code DelayedRelease [--records N] [--spread-seconds S] [--results-dir DIR] [--tmp-dir DIR]} (run from the
 * Herald checkout with the bench module's classpath, like {@code RebalanceAfterKill}; see README "Benchmarks").
 *
 * <p>One fresh broker, a 6-partition topic with {@code herald.delivery.delay.enable=true}, and two phases:
 * <ol>
 *   <li><b>idle</b>: {@value #IDLE_RECORDS} records due one every {@value #IDLE_GAP_MS} ms from 1 s ahead, nothing
 *       else running; lateness is the time from a record's due time ({@code herald.deliver.at}) to its arrival at
 *       an assign-mode consumer polling all partitions, so it includes the fetch round trip;
 *   <li><b>load</b>: {@code N} records with due times uniformly random over the next {@code S} seconds, produced as
 *       fast as one idempotent producer can (the schedule rate), then read until all arrived while they are
 *       released; lateness as above, plus every record is checked to arrive exactly once and not before its due
 *       time. The broker's heap (live, after a full GC, from {@code jcmd}) and RSS are taken with nothing pending
 *       and with all N pending.
 * </ol>
 *
 * <p>Exit codes: 0 done, every record delivered once and none early; 2 bad command line; 3 a check failed.
 */
public final class DelayedRelease {
    static final String TOPIC = "delayed";
    static final int PARTITIONS = 6;
    static final int IDLE_RECORDS = 200;
    static final long IDLE_GAP_MS = 50;
    static final List<String> BROKER_JVM_OPTIONS = List.of("-Xms1g", "-Xmx1g");
    static final String USAGE = "usage: DelayedRelease [--records N] [--spread-seconds S] [--results-dir DIR] "
            + "[--tmp-dir DIR] [--profile-dir DIR]\n";

    /** @param profileDir if present, the broker records a JFR profile there ({@code <data dir>.jfr}) */
    record Options(long records, long spreadSeconds, Path resultsDir, Path tempParent, Optional<Path> profileDir) {}

    /** What one phase measured. */
    record Phase(long records, long delivered, long duplicates, long early, long[] latenessMs) {
        long percentile(double p) {
            if (latenessMs.length == 0) {
                return -1;
            }
            return latenessMs[(int) Math.min(latenessMs.length - 1, Math.ceil(p * latenessMs.length) - 1)];
        }
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.print("DelayedRelease: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        BrokerSettings checkout = BrokerSettings.fromCheckoutOrExit("DelayedRelease", BROKER_JVM_OPTIONS, PARTITIONS);
        BrokerSettings brokers = new BrokerSettings(checkout.java(), checkout.jvmOptions(), checkout.partitions(),
                checkout.heraldHome(), checkout.kafkaClasspath(), checkout.startTimeoutMs(),
                checkout.extraJvmOptions(), options.profileDir());
        if (options.profileDir().isPresent()) {
            Files.createDirectories(options.profileDir().get());
        }
        Files.createDirectories(options.tempParent());
        Path dataDir = Files.createTempDirectory(options.tempParent(), "herald-delayed-");
        int code;
        try {
            code = run(options, brokers, dataDir);
        } finally {
            SideBySide.deleteTree(dataDir);
        }
        System.exit(code);
    }

    static Options parse(String[] args) {
        long records = 1_000_000;
        long spread = 600;
        Path resultsDir = Path.of("bench-results");
        Path tempParent = Path.of(System.getProperty("java.io.tmpdir"));
        Optional<Path> profileDir = Optional.empty();
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String value = args[i + 1];
            switch (args[i]) {
                case "--records" -> records = Long.parseLong(value);
                case "--spread-seconds" -> spread = Long.parseLong(value);
                case "--results-dir" -> resultsDir = Path.of(value);
                case "--tmp-dir" -> tempParent = Path.of(value);
                case "--profile-dir" -> profileDir = Optional.of(Path.of(value).toAbsolutePath());
                default -> throw new IllegalArgumentException("unknown option: " + args[i]);
            }
        }
        if (records < 1 || records > Integer.MAX_VALUE || spread < 1) {
            throw new IllegalArgumentException("--records 1.." + Integer.MAX_VALUE + ", --spread-seconds >= 1");
        }
        return new Options(records, spread, resultsDir, tempParent, profileDir);
    }

    private static int run(Options options, BrokerSettings brokers, Path dataDir) throws Exception {
        Instant started = Instant.now();
        try (BrokerProcess broker = new HeraldProcess(brokers, dataDir, Map.of())) {
            BrokerProcess.StartedBroker up = broker.start();
            String bootstrap = up.bootstrapServers();
            long pid = up.pids().get(0);
            createTopic(bootstrap);
            try (KafkaProducer<String, String> producer = producer(bootstrap)) {
                System.err.println("delayed: idle phase, " + IDLE_RECORDS + " records...");
                long base = System.currentTimeMillis() + 1000;
                long[] idleDue = new long[IDLE_RECORDS];
                for (int i = 0; i < IDLE_RECORDS; i++) {
                    idleDue[i] = base + i * IDLE_GAP_MS;
                    producer.send(record(i, idleDue[i]));
                }
                producer.flush();
                Phase idle = consume(bootstrap, idleDue, Duration.ofSeconds(60));

                long heapIdle = liveHeapBytes(brokers, pid);
                long rssIdle = RssSampler.rssBytes(up.pids()).orElse(-1);
                System.err.println("delayed: load phase, scheduling " + options.records() + " records over "
                        + options.spreadSeconds() + " s...");
                SplittableRandom random = new SplittableRandom(42);
                int n = (int) options.records();
                long[] due = new long[n];
                long scheduleStart = System.nanoTime();
                long now = System.currentTimeMillis();
                // Due times start after the schedule is written (at >= 20,000 records/s), so a record is never due
                // before it was produced: that would measure the producer, not the timer.
                long first = now + 2000 + n / 20;
                AtomicReference<Exception> failure = new AtomicReference<>();
                for (int i = 0; i < n; i++) {
                    due[i] = first + random.nextLong(options.spreadSeconds() * 1000);
                    producer.send(record(IDLE_RECORDS + i, due[i]), (md, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
                }
                producer.flush();
                double scheduleSeconds = (System.nanoTime() - scheduleStart) / 1e9;
                if (failure.get() != null) {
                    throw failure.get();
                }
                long heapPending = liveHeapBytes(brokers, pid);
                long rssPending = RssSampler.rssBytes(up.pids()).orElse(-1);
                System.err.printf("delayed: scheduled at %.0f records/s; reading until all arrived...%n",
                        n / scheduleSeconds);
                long[] shifted = new long[IDLE_RECORDS + n];
                Arrays.fill(shifted, 0, IDLE_RECORDS, Long.MIN_VALUE); // the idle phase's, read already
                System.arraycopy(due, 0, shifted, IDLE_RECORDS, n);
                Phase load = consume(bootstrap, shifted,
                        Duration.ofSeconds(options.spreadSeconds() + 120));
                String report = report(options, started, idle, load, n / scheduleSeconds, heapIdle, heapPending,
                        rssIdle, rssPending);
                Files.createDirectories(options.resultsDir());
                String stamp = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'").withZone(ZoneOffset.UTC)
                        .format(started);
                Path file = options.resultsDir().resolve("delayed-" + stamp + ".md");
                Files.writeString(file, report);
                System.out.print(report);
                System.err.println("delayed: report written to " + file.toAbsolutePath());
                boolean ok = idle.delivered() == idle.records() && load.delivered() == load.records()
                        && idle.duplicates() + load.duplicates() + idle.early() + load.early() == 0;
                return ok ? 0 : 3;
            }
        }
    }

    private static ProducerRecord<String, String> record(int id, long dueMs) {
        List<Header> headers = List.of(new RecordHeader("herald.deliver.at",
                Long.toString(dueMs).getBytes(StandardCharsets.UTF_8)));
        return new ProducerRecord<>(TOPIC, null, "k" + (id % 1000), Integer.toString(id), headers);
    }

    /**
     * Reads every partition from the start until each id with a due time in {@code due} (Long.MIN_VALUE: not
     * expected) arrived, or the timeout.
     */
    private static Phase consume(String bootstrap, long[] due, Duration timeout) {
        long expected = Arrays.stream(due).filter(d -> d != Long.MIN_VALUE).count();
        BitSet seen = new BitSet(due.length);
        long[] lateness = new long[(int) expected];
        int got = 0;
        long duplicates = 0;
        long early = 0;
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (got < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(5))) {
                    long at = System.currentTimeMillis();
                    int id = Integer.parseInt(r.value());
                    if (id >= due.length || due[id] == Long.MIN_VALUE) {
                        continue;
                    }
                    if (seen.get(id)) {
                        duplicates++;
                        continue;
                    }
                    seen.set(id);
                    long late = at - due[id];
                    if (late < 0) {
                        early++;
                    }
                    lateness[got++] = late;
                }
            }
        }
        long[] sorted = Arrays.copyOf(lateness, got);
        Arrays.sort(sorted);
        return new Phase(expected, got, duplicates, early, sorted);
    }

    private static void createTopic(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)
                    .configs(Map.of("herald.delivery.delay.enable", "true")))).all().get(60, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
        return new KafkaProducer<>(p);
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return new KafkaConsumer<>(p);
    }

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    /** The broker's heap after a full GC, from {@code jcmd}; -1 if jcmd is not there or says nothing usable. */
    private static long liveHeapBytes(BrokerSettings brokers, long pid) {
        Path jcmd = brokers.java().resolveSibling("jcmd");
        try {
            exec(jcmd.toString(), Long.toString(pid), "GC.run");
            String info = exec(jcmd.toString(), Long.toString(pid), "GC.heap_info");
            Matcher m = HEAP_USED.matcher(info);
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private static String exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    private static String report(Options options, Instant started, Phase idle, Phase load, double scheduleRate,
                                 long heapIdle, long heapPending, long rssIdle, long rssPending) {
        StringBuilder sb = new StringBuilder();
        sb.append("# delayed-").append(options.records() >= 1_000_000 && options.records() % 1_000_000 == 0
                ? (options.records() / 1_000_000) + "M" : Long.toString(options.records())).append(" — ")
                .append(started).append("\n\n");
        sb.append("One Herald broker (").append(String.join(" ", BROKER_JVM_OPTIONS)).append("), topic `")
                .append(TOPIC).append("` with ").append(PARTITIONS).append(" partitions and ")
                .append("`herald.delivery.delay.enable=true`, one idempotent producer (linger 5 ms), one assign-mode "
                        + "consumer. Lateness = arrival at the consumer − `herald.deliver.at`.\n\n");
        sb.append("| phase | records | delivered | duplicates | early | lateness p50 | p99 | p99.9 | max |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        row(sb, "idle (" + IDLE_RECORDS + " due " + IDLE_GAP_MS + " ms apart)", idle);
        row(sb, "load (" + options.records() + " over " + options.spreadSeconds() + " s, ~"
                + (options.records() / options.spreadSeconds()) + " releases/s)", load);
        sb.append("\nThe load phase's due times start ").append(2 + options.records() / 20_000)
                .append(" s after its first produce, once all are scheduled.\n");
        sb.append("\nSchedule rate: ").append(String.format("%.0f", scheduleRate)).append(" records/s "
                + "(produce until flushed, each acknowledged once the timer log holds it).\n\n");
        sb.append("| broker | nothing pending | ").append(options.records()).append(" pending |\n|---|---:|---:|\n");
        sb.append("| live heap after full GC | ").append(mib(heapIdle)).append(" | ").append(mib(heapPending))
                .append(" |\n");
        sb.append("| RSS | ").append(mib(rssIdle)).append(" | ").append(mib(rssPending)).append(" |\n");
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, Phase p) {
        sb.append("| ").append(name).append(" | ").append(p.records()).append(" | ").append(p.delivered())
                .append(" | ").append(p.duplicates()).append(" | ").append(p.early()).append(" | ")
                .append(p.percentile(0.5)).append(" ms | ").append(p.percentile(0.99)).append(" ms | ")
                .append(p.percentile(0.999)).append(" ms | ").append(p.percentile(1.0)).append(" ms |\n");
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format("%.0f MiB", bytes / 1048576.0);
    }
}
