package io.herald.bench.broker;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

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
 */
public record BrokerSettings(
        Path java, List<String> jvmOptions, int partitions, Path heraldHome, String kafkaClasspath,
        long startTimeoutMs) {

    public BrokerSettings {
        Objects.requireNonNull(java, "java");
        jvmOptions = List.copyOf(jvmOptions);
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions: " + partitions + " (expected: >= 1)");
        }
        Objects.requireNonNull(heraldHome, "heraldHome");
        Objects.requireNonNull(kafkaClasspath, "kafkaClasspath");
    }

    public Path heraldJar() {
        return heraldHome.resolve("herald-server/target/herald-server.jar");
    }
}
