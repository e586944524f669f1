package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.it.KafkaTool.Run;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's own {@code kafka-transactions.sh} (org.apache.kafka.tools.TransactionsCommand, run as its own JVM as the
 * script runs it) against the launched broker: list, describe, describe-producers, find-hanging, and abort of an
 * open transaction by partition and start offset (which writes the abort marker through WriteTxnMarkers).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaTransactionsToolTest {

    @TempDir
    static Path workDir;

    private static LaunchedBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new LaunchedBroker(workDir, Map.of("num.partitions", "1",
                "transaction.state.log.num.partitions", "3", "offsets.topic.num.partitions", "3"));
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Run tool(String... args) throws Exception {
        return KafkaTool.run(workDir, "org.apache.kafka.tools.TransactionsCommand", broker.bootstrapServers(), args);
    }

    private static List<List<String>> rows(Run run) {
        assertThat(run.exitCode()).as("exit code; stderr: %s", run.stderr()).isZero();
        return run.stdout().lines().skip(1).map(l -> List.of(l.trim().split("\\s+"))).toList();
    }

    @Test
    void listDescribeFindHangingAndAbortAnOpenTransaction() throws Exception {
        String topic = "tool-txn";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                     ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tool-id",
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "open")).get(30, TimeUnit.SECONDS);

            assertThat(rows(tool("list"))).anySatisfy(row -> assertThat(row).containsExactly("tool-id", "1",
                    row.get(2), "Ongoing"));
            List<List<String>> described = rows(tool("describe", "--transactional-id", "tool-id"));
            assertThat(described).singleElement().satisfies(row -> {
                assertThat(row.get(0)).isEqualTo("1"); // coordinator
                assertThat(row.get(1)).isEqualTo("tool-id");
                assertThat(row.get(4)).isEqualTo("Ongoing");
                assertThat(row.get(row.size() - 1)).isEqualTo(tp.toString());
            });
            String producerId = described.get(0).get(2);
            List<List<String>> producers = rows(tool("describe-producers", "--topic", topic, "--partition", "0"));
            assertThat(producers).singleElement().satisfies(row -> {
                assertThat(row.get(0)).isEqualTo(producerId);
                assertThat(row.get(row.size() - 1)).isEqualTo("0"); // current transaction start offset
            });
            // known to its coordinator, so not hanging
            assertThat(rows(tool("find-hanging", "--broker-id", "1"))).isEmpty();
            assertThat(readCommittedEnd(admin, tp)).isZero();

            Run aborted = tool("abort", "--topic", topic, "--partition", "0", "--start-offset", "0");
            assertThat(aborted.exitCode()).as("abort; stderr: %s", aborted.stderr()).isZero();
            // the marker at offset 1 ends the transaction on the partition: nothing holds back read_committed
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(readCommittedEnd(admin, tp)).isEqualTo(2));
            assertThat(rows(tool("describe-producers", "--topic", topic, "--partition", "0")))
                    .singleElement().satisfies(row -> assertThat(row.get(row.size() - 1)).isEqualTo("None"));
        }
    }

    private static long readCommittedEnd(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .partitionResult(tp).get(20, TimeUnit.SECONDS).offset();
    }
}
