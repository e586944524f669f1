package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code herald dlq ...} against a Herald broker in this JVM: dead-letter topics are found by their config, their
 * records shown with the KIP-1191 context headers, and replayed to their source exactly once across replays.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DlqCommandsTest extends AgainstHerald {

    private static final Map<String, String> DLQ = Map.of("errors.deadletterqueue.group.enable", "true");


    private static Header h(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes dead-letter records as a broker would: the context headers first, then the original's. */
    private static void deadLetter(String dlq, String source, int partition, long firstOffset, String... values)
            throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, herald.bootstrap()), new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < values.length; i++) {
                List<Header> headers = List.of(h("__dlq.errors.topic", source),
                        h("__dlq.errors.partition", Integer.toString(partition)),
                        h("__dlq.errors.offset", Long.toString(firstOffset + i)), h("__dlq.errors.group", "billing"),
                        h("__dlq.errors.delivery.count", "5"),
                        h("__dlq.errors.message", "Record reached the delivery count limit (delivered 5 times)"),
                        h("trace", "t" + i));
                producer.send(new ProducerRecord<>(dlq, null, null, "k" + i, values[i], headers))
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void listShowsOnlyDeadLetterTopicsWithTheirRecordCounts() throws Exception {
        herald.createTopic("dlq.listed", 2, DLQ);
        herald.createTopic("not-a-dlq", 1, Map.of());
        deadLetter("dlq.listed", "somewhere", 0, 0, "a", "b");
        Cli.Result r = ok("dlq", "list");
        assertThat(r.out()).containsPattern("(?m)^dlq\\.listed\\s+2\\s+2$").doesNotContain("not-a-dlq");
        assertThat(r.out().lines().findFirst().orElseThrow()).matches("TOPIC\\s+PARTITIONS\\s+RECORDS");
    }

    @Test
    void showPrintsEachRecordWithItsOriginAndReason() throws Exception {
        herald.createTopic("dlq.shown", 1, DLQ);
        deadLetter("dlq.shown", "payments", 2, 40, "p0", "p1");
        assertThat(ok("dlq", "show", "dlq.shown").out()).isEqualTo("""
                0:0 source=payments-2@40 group=billing deliveries=5 reason="Record reached the delivery count limit \
                (delivered 5 times)" key=k0 value=p0
                0:1 source=payments-2@41 group=billing deliveries=5 reason="Record reached the delivery count limit \
                (delivered 5 times)" key=k1 value=p1
                """);
        List<String> json = ok("dlq", "show", "dlq.shown", "--json", "-c", "1").out().lines().toList();
        assertThat(json).hasSize(1);
        JsonNode record = new ObjectMapper().readTree(json.get(0));
        assertThat(record.get("value").asText()).isEqualTo("p0");
        assertThat(record.get("deadLetter").get("topic").asText()).isEqualTo("payments");
        assertThat(record.get("deadLetter").get("partition").asInt()).isEqualTo(2);
        assertThat(record.get("deadLetter").get("offset").asLong()).isEqualTo(40);
        assertThat(record.get("deadLetter").get("group").asText()).isEqualTo("billing");
    }

    @Test
    void replayCopiesRecordsBackToTheirSourceOnceAcrossReplays() throws Exception {
        herald.createTopic("orders", 2, Map.of());
        herald.createTopic("dlq.orders", 1, DLQ);
        deadLetter("dlq.orders", "orders", 1, 7, "o0", "o1", "o2");

        Cli.Result replayed = ok("dlq", "replay", "dlq.orders", "--progress");
        assertThat(replayed.out()).isEqualTo("""
                TARGET  RECORDS
                orders  3
                replayed 3 records from dlq.orders
                """);
        assertThat(replayed.err()).contains("replay [", "100%");
        // Back in the source partition, with the original headers and without the dead-letter context.
        assertThat(ok("consume", "orders", "--from", "beginning", "-e", "-f", "%p %k=%s %h\\n").out()).isEqualTo("""
                1 k0=o0 trace=t0
                1 k1=o1 trace=t1
                1 k2=o2 trace=t2
                """);

        assertThat(ok("dlq", "replay", "dlq.orders").out()).isEqualTo("replayed 0 records from dlq.orders\n");
        deadLetter("dlq.orders", "orders", 0, 9, "o3");
        assertThat(ok("dlq", "replay", "dlq.orders").out()).endsWith("replayed 1 record from dlq.orders\n");
        assertThat(ok("consume", "orders", "--from", "beginning", "-e", "-f", "%s\\n").out().lines())
                .containsExactlyInAnyOrder("o0", "o1", "o2", "o3");
        // The position is the replay group's committed offset.
        assertThat(ok("group", "describe", "herald-dlq-replay").out()).containsPattern("(?m)^dlq\\.orders\\s+0\\s+4\\s+4\\s+0\\s");
    }

    @Test
    void dryRunCountsWithoutSendingAndToRedirects() throws Exception {
        herald.createTopic("invoices", 1, Map.of());
        herald.createTopic("invoices-retry", 1, Map.of());
        herald.createTopic("dlq.invoices", 1, DLQ);
        deadLetter("dlq.invoices", "invoices", 0, 0, "i0", "i1");

        assertThat(ok("dlq", "replay", "dlq.invoices", "--dry-run").out())
                .endsWith("would replay 2 records from dlq.invoices\n");
        assertThat(ok("consume", "invoices", "--from", "beginning", "-e").out()).isEmpty();

        assertThat(ok("dlq", "replay", "dlq.invoices", "--to", "invoices-retry", "--group", "retry-replay").out())
                .isEqualTo("TARGET          RECORDS\ninvoices-retry  2\nreplayed 2 records from dlq.invoices\n");
        assertThat(ok("consume", "invoices-retry", "--from", "beginning", "-e").out()).isEqualTo("i0\ni1\n");
        // Another group has its own position.
        assertThat(ok("dlq", "replay", "dlq.invoices").out()).endsWith("replayed 2 records from dlq.invoices\n");
    }

    @Test
    void aMissingSourceTopicFailsBeforeSendingAndRecordsWithoutOneAreSkipped() throws Exception {
        herald.createTopic("dlq.orphans", 1, DLQ);
        deadLetter("dlq.orphans", "vanished", 0, 0, "x");
        Cli.Result failed = cli.run("dlq", "replay", "dlq.orphans");
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).isEqualTo("herald: topic 'vanished' (the target of dlq.orphans 0:0) does not exist; "
                + "create it, or replay elsewhere with --to TOPIC\n");

        herald.createTopic("dlq.headerless", 1, DLQ);
        ok(cli.runWithInput("plain\n", "produce", "dlq.headerless"));
        Cli.Result skipped = ok("dlq", "replay", "dlq.headerless");
        assertThat(skipped.out()).isEqualTo("replayed 0 records from dlq.headerless\n");
        assertThat(skipped.err()).isEqualTo("herald: warning: skipped 1 record without a __dlq.errors.topic header "
                + "(replay them with --to TOPIC)\n");
    }

    @Test
    void aRecordRejectedByAShareConsumerIsDeadLetteredAndReplayed() throws Exception {
        herald.createTopic("shipments", 1, Map.of());
        herald.createTopic("dlq.shipments", 1, DLQ);
        ShareConsumeTest.configure(herald, "shippers", Map.of("errors.deadletterqueue.topic.name", "dlq.shipments",
                "errors.deadletterqueue.copy.record.enable", "true"));
        ok(cli.runWithInput("s1:broken\n", "produce", "shipments", "-K", ":"));
        ok("consume", "shipments", "--share-group", "shippers", "--count", "1", "--ack", "reject");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ok("dlq", "show", "dlq.shipments").out())
                        .startsWith("0:0 source=shipments-0@0 group=shippers deliveries=1 ")
                        .endsWith("key=s1 value=broken\n"));
        assertThat(ok("dlq", "replay", "dlq.shipments").out()).endsWith("replayed 1 record from dlq.shipments\n");
        assertThat(ok("consume", "shipments", "--from", "beginning", "-e", "-f", "%o %k=%s\\n").out())
                .isEqualTo("0 s1=broken\n1 s1=broken\n");
    }
}
