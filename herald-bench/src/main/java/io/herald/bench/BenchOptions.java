package io.herald.bench;

import io.herald.bench.load.LoadSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Command-line options of {@link SideBySide}.
 *
 * @param quick        one Herald/Kafka pair per workload and short durations (about 3 minutes in all), without
 *                     the cluster ({@code -rf3}) workloads and with one transactional and one share-group workload
 *                     only, unless {@code only} selects the others
 * @param only         run only the workloads whose name or one of whose tags ({@code txn}) matches (find, not
 *                     full match); latency workloads pull in the produce workload their rate derives from
 * @param pairs        Herald/Kafka pairs of runs per workload
 * @param resultsDir   where the Markdown report and charts go
 * @param heraldHome   the Herald checkout (holds herald-server/target/herald-server.jar)
 * @param tempParent   where the per-run data directories are created (the disk that is measured)
 * @param load         durations
 * @param consumeRecords records filled into the topic of a consume workload
 * @param heraldOpts   extra JVM flags for the Herald broker only (experiments, e.g. another GC)
 * @param kafkaOpts    extra JVM flags for the Kafka broker only
 * @param profileDir   if present, every broker JVM records a JFR profile into this directory and is stopped with
 *                     SIGTERM (so the recording is written) instead of SIGKILL
 * @param pin          brokers and load generator on separate CPUs ({@link io.herald.bench.broker.CpuPinning})
 */
record BenchOptions(boolean quick, Optional<Pattern> only, int pairs, Path resultsDir, Path heraldHome,
                    Path tempParent, LoadSettings load, long consumeRecords, List<String> heraldOpts,
                    List<String> kafkaOpts, Optional<Path> profileDir, boolean pin) {

    static final String USAGE = """
            usage: bin/bench [--quick] [--only PATTERN] [--pairs N] [--results-dir DIR] [--tmp-dir DIR]
                             [--herald-opts FLAGS] [--kafka-opts FLAGS] [--profile DIR] [--pin]
              --quick          1 Herald/Kafka pair per workload, short runs (~3 min); numbers are indicative only;
                               leaves out the 3-node cluster workloads (*-rf3), produce-1KiB-txn1000,
                               consume-1KiB-read-committed, share-1KiB-6p-8c and share-drain-100B-1m-16c unless
                               --only selects them
              --only PATTERN   only workloads whose name (or tag: txn) matches the regex, e.g. --only 'produce-1KiB',
                               --only rf3, --only txn (the transactional producers and the read_committed consumer),
                               --only share (the share-group workloads)
              --pairs N        Herald/Kafka pairs per workload (default 3, --quick 1)
              --results-dir D  where <timestamp>.md, latest.md and the PNG charts go (default bench-results)
              --tmp-dir D      parent of the brokers' temporary data directories (default java.io.tmpdir)
              --herald-opts F  extra JVM flags for Herald only, space-separated (e.g. '-XX:+UseZGC'); the report
                               lists them, so a comparison with them is not a like-for-like one
              --kafka-opts F   extra JVM flags for Kafka only
              --profile D      record a JFR profile (settings=profile) of every broker JVM into
                               D/<workload>-<broker>-<pair>.jfr; brokers then stop with SIGTERM, not SIGKILL
              --pin            brokers on the upper half of the CPUs, the load generator on the lower half
                               (taskset; on 2 cores one each), so that the clients do not take the broker's CPU
            """;

    static BenchOptions parse(String[] args) {
        boolean quick = false;
        Optional<Pattern> only = Optional.empty();
        Integer pairs = null;
        Path resultsDir = Path.of("bench-results");
        Path tempParent = Path.of(System.getProperty("java.io.tmpdir"));
        List<String> heraldOpts = List.of();
        List<String> kafkaOpts = List.of();
        Optional<Path> profileDir = Optional.empty();
        boolean pin = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> quick = true;
                case "--only" -> only = Optional.of(Pattern.compile(value(args, ++i, arg)));
                case "--pairs" -> pairs = parsePairs(value(args, ++i, arg));
                case "--results-dir" -> resultsDir = Path.of(value(args, ++i, arg));
                case "--tmp-dir" -> tempParent = Path.of(value(args, ++i, arg));
                case "--herald-opts" -> heraldOpts = flags(value(args, ++i, arg));
                case "--kafka-opts" -> kafkaOpts = flags(value(args, ++i, arg));
                case "--profile" -> profileDir = Optional.of(Path.of(value(args, ++i, arg)).toAbsolutePath());
                case "--pin" -> pin = true;
                case "-h", "--help" -> throw new UsageException(null);
                default -> throw new UsageException("unknown argument: " + arg);
            }
        }
        LoadSettings load = quick
                ? new LoadSettings(Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofSeconds(4), Duration.ofMillis(500))
                : new LoadSettings(Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(2));
        return new BenchOptions(quick, only, pairs != null ? pairs : (quick ? 1 : 3), resultsDir,
                Path.of("").toAbsolutePath(), tempParent, load, quick ? 100_000 : 1_000_000, heraldOpts, kafkaOpts,
                profileDir, pin);
    }

    private static List<String> flags(String text) {
        return Arrays.stream(text.trim().split("\\s+")).filter(f -> !f.isEmpty()).toList();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    private static int parsePairs(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new UsageException("--pairs: " + text + " (expected: an integer >= 1)");
    }

    /** Bad command line; a null message means "just print the usage". */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
