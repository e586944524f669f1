package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} as Prometheus scrapes it, after real clients produced, consumed and committed: the
 * request, topic, partition, group-lag, quorum and JVM meters carry the values the traffic implies, and every
 * line is valid Prometheus text format. The alert rules and the Grafana dashboard shipped under {@code config/}
 * only name metrics the broker exposes.
 */
class MetricsEndpointTest {
    /** A sample line: name, optional labels, value (the exposition format, without timestamps). */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? "
                    + "(-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)");

    @TempDir
    Path dir;
    private TestBroker broker;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void scrapeShowsTrafficPartitionsAndGroupLag() throws Exception {
        broker.createTopic("orders", 2, Map.of());
        KafkaProducer<String, String> producer = broker.producer();
        for (int i = 0; i < 100; i++) {
            producer.send(new ProducerRecord<>("orders", i % 2, "k" + i, "value-" + i)).get();
        }
        Map<String, Object> group = new HashMap<>();
        group.put(ConsumerConfig.GROUP_ID_CONFIG, "billing");
        KafkaConsumer<String, String> consumer = broker.consumer(group);
        TopicPartition p0 = new TopicPartition("orders", 0);
        TopicPartition p1 = new TopicPartition("orders", 1);
        consumer.assign(List.of(p0, p1));
        int read = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (read < 100 && System.nanoTime() < deadline) {
            read += consumer.poll(Duration.ofMillis(200)).count();
        }
        assertThat(read).isEqualTo(100);
        // Committed: 30 of partition 0's 50 records and all 50 of partition 1's.
        consumer.commitSync(Map.of(p0, new OffsetAndMetadata(30), p1, new OffsetAndMetadata(50)));

        Map<String, Double> metrics = scrape();
        assertThat(metrics.get("herald_topic_messages_in_total{topic=\"orders\"}")).isEqualTo(100.0);
        assertThat(metrics.get("herald_topic_bytes_in_total{topic=\"orders\"}")).isGreaterThan(100 * 7.0);
        assertThat(metrics.get("herald_topic_bytes_out_total{topic=\"orders\"}")).isGreaterThan(100 * 7.0);
        assertThat(metrics.get("herald_topic_messages_out_total{topic=\"orders\"}")).isEqualTo(100.0);
        assertThat(metrics.get("herald_requests_seconds_count{api=\"Produce\"}")).isGreaterThanOrEqualTo(100.0);
        assertThat(metrics.get("herald_requests_seconds_count{api=\"Fetch\"}")).isPositive();
        assertThat(value(metrics, "herald_requests_seconds_bucket", "api=\"Produce\"", "le=\"+Inf\"")).hasValue(
                metrics.get("herald_requests_seconds_count{api=\"Produce\"}"));
        assertThat(metrics.get("kafka_consumergroup_lag{consumergroup=\"billing\",partition=\"0\",topic=\"orders\"}"))
                .isEqualTo(20.0);
        assertThat(metrics.get("kafka_consumergroup_lag{consumergroup=\"billing\",partition=\"1\",topic=\"orders\"}"))
                .isEqualTo(0.0);
        assertThat(metrics.get("kafka_consumergroup_lag_sum{consumergroup=\"billing\",topic=\"orders\"}"))
                .isEqualTo(20.0);
        assertThat(metrics.get(
                "kafka_consumergroup_current_offset{consumergroup=\"billing\",partition=\"0\",topic=\"orders\"}"))
                .isEqualTo(30.0);
        assertThat(metrics.get("herald_log_end_offset{partition=\"0\",topic=\"orders\"}")).isEqualTo(50.0);
        assertThat(metrics.get("herald_log_size_bytes{partition=\"1\",topic=\"orders\"}")).isPositive();
        assertThat(metrics.get("herald_partitions")).isGreaterThanOrEqualTo(2.0);
        assertThat(metrics.get("herald_partitions_leader")).isEqualTo(metrics.get("herald_partitions"));
        assertThat(metrics.get("herald_partitions_under_replicated")).isEqualTo(0.0);
        assertThat(metrics.get("herald_partitions_offline")).isEqualTo(0.0);
        assertThat(metrics.get("herald_quorum_leader_id")).isEqualTo(1.0);
        assertThat(metrics.get("herald_purgatory_size{purgatory=\"fetch\"}")).isNotNull();
        assertThat(metrics.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes"))
                .anyMatch(k -> k.startsWith("process_cpu_usage")).anyMatch(k -> k.startsWith("jvm_gc_"));

        // More records: the lag follows without the group doing anything.
        for (int i = 0; i < 5; i++) {
            producer.send(new ProducerRecord<>("orders", 1, "k", "late")).get();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(scrape().get(
                "kafka_consumergroup_lag{consumergroup=\"billing\",partition=\"1\",topic=\"orders\"}")).isEqualTo(5.0));
        // The group catches up: the lag goes back down.
        consumer.commitSync(Map.of(p0, new OffsetAndMetadata(50), p1, new OffsetAndMetadata(55)));
        Map<String, Double> caughtUp = scrape();
        assertThat(caughtUp.get("kafka_consumergroup_lag_sum{consumergroup=\"billing\",topic=\"orders\"}"))
                .isEqualTo(0.0);
        assertThat(caughtUp.get("herald_consumergroup_state{consumergroup=\"billing\",state=\"Empty\"}"))
                .isEqualTo(1.0);
        assertThat(caughtUp.get("herald_log_flush_seconds_count")).isNotNull();
    }

    @Test
    void errorsAreCountedByApiAndKafkaErrorName() throws Exception {
        provokeOffsetOutOfRange();
    }

    /** A fetch position beyond the log end: the broker answers OFFSET_OUT_OF_RANGE, the client resets. */
    private void provokeOffsetOutOfRange() throws Exception {
        KafkaConsumer<String, String> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "g"));
        broker.createTopic("small", 1, Map.of());
        TopicPartition tp = new TopicPartition("small", 0);
        consumer.assign(List.of(tp));
        consumer.seek(tp, 1_000);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            consumer.poll(Duration.ofMillis(100));
            assertThat(scrape().get("herald_request_errors_total{api=\"Fetch\",error=\"OFFSET_OUT_OF_RANGE\"}"))
                    .isGreaterThanOrEqualTo(1.0);
        });
    }

    @Test
    void unknownPathsAndMethodsAnswerJsonErrors() throws Exception {
        HttpResponse<String> missing = get("/nothing-here");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("\"error_code\":404");
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(broker.httpUrl() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void alertRulesAndDashboardNameOnlyExposedMetrics() throws Exception {
        broker.createTopic("t", 1, Map.of());
        broker.producer().send(new ProducerRecord<>("t", "k", "v")).get();
        KafkaConsumer<String, String> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "g"));
        consumer.assign(List.of(new TopicPartition("t", 0)));
        consumer.commitSync(Map.of(new TopicPartition("t", 0), new OffsetAndMetadata(0)));
        provokeOffsetOutOfRange(); // the error counters are made at the first error
        System.gc(); // the GC pause timer is registered at the first collection the JVM reports
        java.util.Set<String> exposed = new java.util.HashSet<>();
        scrape().keySet().forEach(k -> exposed.add(k.replaceAll("\\{.*", "")));
        Path root = repositoryRoot();
        for (Path file : List.of(root.resolve("config/prometheus/alerts.yml"),
                root.resolve("config/grafana/herald-dashboard.json"))) {
            String text = Files.readString(file);
            Matcher names = Pattern.compile("\\b((?:herald|kafka|jvm|process)_[a-z0-9_]+)").matcher(text);
            int found = 0;
            while (names.find()) {
                found++;
                assertThat(exposed).as("%s names %s", file.getFileName(), names.group(1)).contains(names.group(1));
            }
            assertThat(found).as("metrics named in %s", file.getFileName()).isGreaterThan(3);
        }
    }

    private static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("config/prometheus/alerts.yml"))) {
            p = p.getParent();
        }
        assertThat(p).as("repository root with config/prometheus").isNotNull();
        return p;
    }

    /** Every sample of a scrape by its name and labels (as printed); fails on a line that is not valid. */
    private Map<String, Double> scrape() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("text/plain"));
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                assertThat(line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE "))
                        .as("comment line %s", line).isTrue();
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("sample line %s", line).isTrue();
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(
                    m.group(3).replace("+Inf", "Infinity").replace("-Inf", "-Infinity")));
        }
        return samples;
    }

    private static OptionalDouble value(Map<String, Double> metrics, String name, String... labels) {
        return metrics.entrySet().stream().filter(e -> e.getKey().startsWith(name + "{"))
                .filter(e -> java.util.Arrays.stream(labels).allMatch(l -> e.getKey().contains(l)))
                .mapToDouble(Map.Entry::getValue).findFirst();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(broker.httpUrl() + path)).timeout(Duration.ofSeconds(20))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
