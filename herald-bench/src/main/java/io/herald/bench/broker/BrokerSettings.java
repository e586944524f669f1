package io.herald.bench.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What both brokers share, so that they run with equivalent settings: the same java binary, the same JVM
 * flags (heap), the same default partition count. The flush policy is left at both brokers' default (no
 * fsync on the produce path).
 *
 * @param java           the java binary both brokers run on (the one running the benchmark)
 * @param jvmOptions     flags for both broker JVMs, e.g. {@code -Xms1g -Xmx1g}
 * @param partitions     {@code num.partitions} for both brokers, and the partition count of every bench topic
 * @param heraldHome     the Herald checkout, holding {@code herald-server/target/herald-server.jar}
 * @param kafkaClasspath classpath with Kafka's server jars ({@code kafka.Kafka}, {@code kafka.tools.StorageTool})
 * @param startTimeoutMs how long a broker may take to answer its first Metadata request
 * @param extraJvmOptions further flags for one kind of broker only, after {@code jvmOptions} (experiments)
 * @param profileDir     if present, each broker JVM records a JFR profile there and is stopped with SIGTERM
 * @param pinning        if present, each broker JVM runs on its CPUs ({@code --pin})
 */
public record BrokerSettings(
        Path java, List<String> jvmOptions, int partitions, Path heraldHome, String kafkaClasspath,
        long startTimeoutMs, Map<BrokerKind, List<String>> extraJvmOptions, Optional<Path> profileDir,
        Optional<CpuPinning> pinning) {

    /** Unpinned. */
    public BrokerSettings(Path java, List<String> jvmOptions, int partitions, Path heraldHome, String kafkaClasspath,
                          long startTimeoutMs, Map<BrokerKind, List<String>> extraJvmOptions,
                          Optional<Path> profileDir) {
        this(java, jvmOptions, partitions, heraldHome, kafkaClasspath, startTimeoutMs, extraJvmOptions, profileDir,
                Optional.empty());
    }

    public BrokerSettings {
        Objects.requireNonNull(java, "java");
        jvmOptions = List.copyOf(jvmOptions);
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions: " + partitions + " (expected: >= 1)");
        }
        Objects.requireNonNull(heraldHome, "heraldHome");
        Objects.requireNonNull(kafkaClasspath, "kafkaClasspath");
        extraJvmOptions = Map.copyOf(extraJvmOptions);
        Objects.requireNonNull(profileDir, "profileDir");
        Objects.requireNonNull(pinning, "pinning");
    }

    /** The common flags, then those for {@code kind} only. */
    public List<String> jvmOptions(BrokerKind kind) {
        List<String> all = new java.util.ArrayList<>(jvmOptions);
        all.addAll(extraJvmOptions.getOrDefault(kind, List.of()));
        return all;
    }

    /**
     * The settings of a standalone benchmark run from the Herald checkout (the working directory) with the bench
     * module's classpath, which also holds Kafka's server jars; exits with 1 when the Herald jar is not built.
     *
     * @param tool the benchmark's name, for the message
     */
    public static BrokerSettings fromCheckoutOrExit(String tool, List<String> jvmOptions, int partitions) {
        BrokerSettings settings = new BrokerSettings(Path.of(System.getProperty("java.home"), "bin", "java"),
                jvmOptions, partitions, Path.of("").toAbsolutePath(), System.getProperty("java.class.path"), 60_000,
                Map.of(), Optional.empty());
        if (!Files.isRegularFile(settings.heraldJar())) {
            System.err.println(tool + ": " + settings.heraldJar() + " is missing: run from the Herald checkout after "
                    + "mvn -DskipTests -pl herald-server,herald-bench -am package");
            System.exit(1);
        }
        return settings;
    }

    public Path heraldJar() {
        return heraldHome.resolve("herald-server/target/herald-server.jar");
    }
}
