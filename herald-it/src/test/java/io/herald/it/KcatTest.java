package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * librdkafka (through kcat) against the launched broker: a second, independent client
 * implementation with its own request versions, batching and compression codecs.
 * Skipped when kcat is not installed; .ci/run installs it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KcatTest {

    private static final long KCAT_TIMEOUT_SECONDS = 30;

    @TempDir
    static Path workDir;

    private static LaunchedBroker broker;

    /** Exit code, stdout and stderr of one kcat run. */
    private record Result(int exitCode, String stdout, String stderr) {
    }

    @BeforeAll
    static void startBroker() throws Exception {
        assumeTrue(kcatOnPath(), "kcat is not on PATH (apt-get install kcat; .ci/run does)");
        // One partition per topic: a read-back in log order is then the produce order.
        broker = new LaunchedBroker(workDir, Map.of("num.partitions", "1", "auto.create.topics.enable", "true"));
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @ParameterizedTest(name = "compression {0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void keyedRecordsRoundTripWithEveryCompressionCodec(String codec) throws Exception {
        String topic = "kcat-topic-" + codec;
        List<String> lines = IntStream.range(0, 20).mapToObj(i -> "key-" + i + ":value " + i + " via " + codec).toList();

        List<String> produce = new ArrayList<>(List.of("kcat", "-b", broker.bootstrapServers(), "-P", "-t", topic, "-K:"));
        if (!codec.equals("none")) {
            produce.addAll(List.of("-z", codec));
        }
        Result produced = kcat(produce, String.join("\n", lines) + "\n");
        assertThat(produced.exitCode()).as("kcat -P: %s", produced.stderr()).isZero();

        Result consumed = kcat(List.of("kcat", "-b", broker.bootstrapServers(), "-C", "-t", topic,
                "-o", "beginning", "-e", "-q", "-f", "%k:%s\\n"), "");
        assertThat(consumed.exitCode()).as("kcat -C: %s", consumed.stderr()).isZero();
        assertThat(consumed.stdout().lines().toList()).containsExactlyElementsOf(lines);
    }

    @Test
    void metadataListsTheTopic() throws Exception {
        Result produced = kcat(List.of("kcat", "-b", broker.bootstrapServers(), "-P", "-t", "kcat-topic", "-K:"), "k:v\n");
        assertThat(produced.exitCode()).as("kcat -P: %s", produced.stderr()).isZero();

        Result listed = kcat(List.of("kcat", "-b", broker.bootstrapServers(), "-L"), "");

        assertThat(listed.exitCode()).as("kcat -L: %s", listed.stderr()).isZero();
        assertThat(listed.stdout())
                .contains("topic \"kcat-topic\" with 1 partitions")
                .contains("1 brokers");
    }

    private static Result kcat(List<String> command, String stdin) throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "kcat", ".out");
        Path err = Files.createTempFile(workDir, "kcat", ".err");
        Path in = Files.writeString(Files.createTempFile(workDir, "kcat", ".in"), stdin, StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(command)
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            boolean exited = process.waitFor(KCAT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(exited).as("%s finished within %d s; stderr: %s", command, KCAT_TIMEOUT_SECONDS,
                    Files.readString(err)).isTrue();
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            process.destroyForcibly();
        }
    }

    private static boolean kcatOnPath() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "kcat"))) {
                return true;
            }
        }
        return false;
    }
}
