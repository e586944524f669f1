package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions from librdkafka (confluent-kafka for Python, Debian's python3-confluent-kafka) against the launched
 * broker: librdkafka 2.0 speaks the protocol before KIP-890 part 2 (AddPartitionsToTxn, AddOffsetsToTxn,
 * TxnOffsetCommit v3, EndTxn v3), the paths a Kafka 4 Java client no longer takes. Skipped when no python3 can
 * import confluent_kafka; .ci/run installs it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConfluentKafkaTransactionsTest {
    private static final long SCRIPT_TIMEOUT_SECONDS = 120;

    @TempDir
    static Path workDir;

    private static LaunchedBroker broker;
    private static String python;

    @BeforeAll
    static void startBroker() throws Exception {
        Optional<String> found = pythonWithConfluentKafka();
        assumeTrue(found.isPresent(), "no python3 imports confluent_kafka (apt-get install python3-confluent-kafka;"
                + " .ci/run does)");
        python = found.get();
        broker = new LaunchedBroker(workDir, Map.of("num.partitions", "1", "auto.create.topics.enable", "true",
                "transaction.state.log.num.partitions", "3", "offsets.topic.num.partitions", "3"));
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void committedAbortedAndConsumeTransformProduceTransactions() throws Exception {
        Path script = workDir.resolve("confluent_transactions.py");
        try (InputStream in = ConfluentKafkaTransactionsTest.class.getResourceAsStream(
                "/clients/confluent_transactions.py")) {
            Files.copy(in, script);
        }
        Path out = workDir.resolve("txn.out");
        Path err = workDir.resolve("txn.err");
        Process process = new ProcessBuilder(python, script.toString(), broker.bootstrapServers(), "py-txn",
                "py-txn-in", "py-txn-group").redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(process.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                    .as("script finished; stderr: %s", Files.readString(err)).isTrue();
        } finally {
            process.destroyForcibly();
        }
        assertThat(process.exitValue()).as("exit code; stderr: %s", Files.readString(err)).isZero();
        String json = Files.readString(out, StandardCharsets.UTF_8).strip();

        assertThat(json).contains("\"read_committed\": [\"committed-0\", \"committed-1\", \"committed-2\", "
                + "\"committed-last\"]");
        assertThat(json).contains("\"read_uncommitted\": [\"committed-0\", \"committed-1\", \"committed-2\", "
                + "\"aborted-0\", \"aborted-1\", \"committed-last\"]");
        assertThat(json).contains("\"committed_offset\": 5");
        assertThat(json).contains("\"output\": [\"IN-0\", \"IN-1\", \"IN-2\", \"IN-3\", \"IN-4\"]");
    }

    /** The first python3 that imports confluent_kafka: Debian's package installs it for /usr/bin/python3. */
    private static Optional<String> pythonWithConfluentKafka() throws InterruptedException {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import confluent_kafka").redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return Optional.of(candidate);
                }
                p.destroyForcibly();
            } catch (IOException notThere) {
                // try the next
            }
        }
        return Optional.empty();
    }
}
