package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API (Confluent REST Proxy v3 paths and JSON) against a broker, each change checked with a Kafka client
 * and each client's change seen through the API.
 */
class RestApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private TestBroker broker;
    private String clusterId;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir);
        clusterId = broker.admin().describeCluster().clusterId().get();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void clustersAndBrokers() throws Exception {
        JsonNode clusters = ok(call("GET", "/v3/clusters", null));
        assertThat(clusters.path("kind").asText()).isEqualTo("KafkaClusterList");
        assertThat(clusters.path("data").get(0).path("cluster_id").asText()).isEqualTo(clusterId);
        assertThat(clusters.path("data").get(0).path("topics").path("related").asText())
                .isEqualTo(broker.httpUrl() + "/v3/clusters/" + clusterId + "/topics");
        JsonNode brokers = ok(call("GET", "/v3/clusters/" + clusterId + "/brokers", null));
        assertThat(brokers.path("data")).hasSize(1);
        assertThat(brokers.path("data").get(0).path("broker_id").asInt()).isEqualTo(1);
        assertThat(brokers.path("data").get(0).path("port").asInt()).isEqualTo(broker.port());

        JsonNode one = ok(call("GET", "/v3/clusters/" + clusterId + "/brokers/1", null));
        assertThat(one.path("kind").asText()).isEqualTo("KafkaBroker");
        assertThat(one.path("host").asText()).isEqualTo("127.0.0.1");
        assertThat(call("GET", "/v3/clusters/" + clusterId + "/brokers/7", null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/v3/clusters/" + clusterId + "/brokers/x", null).statusCode()).isEqualTo(400);
        JsonNode cluster = ok(call("GET", "/v3/clusters/" + clusterId, null));
        assertThat(cluster.path("controller").path("related").asText()).endsWith("/brokers/1");

        HttpResponse<String> wrong = call("GET", "/v3/clusters/not-this-one/topics", null);
        assertThat(wrong.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(wrong.body()).path("error_code").asInt()).isEqualTo(404);
    }

    @Test
    void topicsAreCreatedDescribedAlteredAndDeleted() throws Exception {
        String topics = "/v3/clusters/" + clusterId + "/topics";
        HttpResponse<String> created = call("POST", topics, """
                {"topic_name": "orders", "partitions_count": 3, "replication_factor": 1,
                 "configs": [{"name": "retention.ms", "value": "3600000"}]}""");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(created.body()).path("partitions_count").asInt()).isEqualTo(3);
        Admin admin = broker.admin();
        TopicDescription described = admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders");
        assertThat(described.partitions()).hasSize(3);
        assertThat(topicConfig(admin, "orders").get("retention.ms").value()).isEqualTo("3600000");

        HttpResponse<String> again = call("POST", topics, "{\"topic_name\": \"orders\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).path("error_name").asText()).isEqualTo("TOPIC_ALREADY_EXISTS");
        HttpResponse<String> badConfig = call("POST", topics, """
                {"topic_name": "bad", "configs": [{"name": "cleanup.policy", "value": "sometimes"}]}""");
        assertThat(badConfig.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badConfig.body()).path("error_name").asText()).isEqualTo("INVALID_CONFIG");
        assertThat(call("POST", topics, "{not json").statusCode()).isEqualTo(400);

        JsonNode list = ok(call("GET", topics, null));
        assertThat(list.path("data").findValuesAsText("topic_name")).contains("orders");
        JsonNode partitions = ok(call("GET", topics + "/orders/partitions", null));
        assertThat(partitions.path("data")).hasSize(3);
        assertThat(partitions.path("data").get(2).path("leader_id").asInt()).isEqualTo(1);

        JsonNode partition = ok(call("GET", topics + "/orders/partitions/1", null));
        assertThat(partition.path("partition_id").asInt()).isEqualTo(1);
        assertThat(partition.path("isr").get(0).asInt()).isEqualTo(1);
        HttpResponse<String> noPartition = call("GET", topics + "/orders/partitions/9", null);
        assertThat(noPartition.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(noPartition.body()).path("error_name").asText()).isEqualTo("UNKNOWN_TOPIC_OR_PARTITION");
        JsonNode configs = ok(call("GET", topics + "/orders/configs", null));
        assertThat(configs.path("kind").asText()).isEqualTo("KafkaTopicConfigList");
        assertThat(configs.path("data").findValuesAsText("name")).contains("retention.ms", "cleanup.policy",
                "segment.bytes");
        assertThat(call("GET", topics + "/orders/configs/no.such.config", null).statusCode()).isEqualTo(404);
        JsonNode retention = ok(call("GET", topics + "/orders/configs/retention.ms", null));
        assertThat(retention.path("value").asText()).isEqualTo("3600000");
        assertThat(retention.path("source").asText()).isEqualTo("DYNAMIC_TOPIC_CONFIG");
        assertThat(call("PUT", topics + "/orders/configs/retention.ms", "{\"value\": \"7200000\"}").statusCode())
                .isEqualTo(204);
        assertThat(topicConfig(admin, "orders").get("retention.ms").value()).isEqualTo("7200000");
        assertThat(call("POST", topics + "/orders/configs:alter", """
                {"data": [{"name": "cleanup.policy", "value": "compact"},
                          {"name": "retention.ms", "operation": "DELETE"}]}""").statusCode()).isEqualTo(204);
        Config after = topicConfig(admin, "orders");
        assertThat(after.get("cleanup.policy").value()).isEqualTo("compact");
        assertThat(after.get("retention.ms").isDefault()).isTrue();
        assertThat(call("DELETE", topics + "/orders/configs/cleanup.policy", null).statusCode()).isEqualTo(204);
        assertThat(topicConfig(admin, "orders").get("cleanup.policy").isDefault()).isTrue();
        assertThat(call("PUT", topics + "/orders/configs/retention.ms", "{\"value\": \"soon\"}").statusCode())
                .isEqualTo(400);

        assertThat(call("DELETE", topics + "/orders", null).statusCode()).isEqualTo(204);
        HttpResponse<String> gone = call("GET", topics + "/orders", null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(gone.body()).path("error_name").asText()).isEqualTo("UNKNOWN_TOPIC_OR_PARTITION");
    }

    @Test
    void recordsAreProducedAndReadBack() throws Exception {
        broker.createTopic("events", 1, Map.of());
        String records = "/v3/clusters/" + clusterId + "/topics/events";
        String header = Base64.getEncoder().encodeToString("trace-1".getBytes(StandardCharsets.UTF_8));
        JsonNode produced = ok(call("POST", records + "/records", """
                {"partition_id": 0, "key": {"type": "STRING", "data": "user-1"},
                 "value": {"type": "JSON", "data": {"amount": 42}},
                 "headers": [{"name": "trace", "value": "%s"}]}""".formatted(header)));
        assertThat(produced.path("error_code").asInt()).isEqualTo(200);
        assertThat(produced.path("offset").asLong()).isEqualTo(0);
        assertThat(produced.path("value").path("size").asInt()).isEqualTo("{\"amount\":42}".length());

        KafkaConsumer<String, String> consumer = broker.consumer();
        TopicPartition tp = new TopicPartition("events", 0);
        consumer.assign(List.of(tp));
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (read.isEmpty() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(read::add);
        }
        assertThat(read).hasSize(1);
        assertThat(read.get(0).key()).isEqualTo("user-1");
        assertThat(read.get(0).value()).isEqualTo("{\"amount\":42}");
        assertThat(new String(read.get(0).headers().lastHeader("trace").value(), StandardCharsets.UTF_8))
                .isEqualTo("trace-1");

        for (int i = 1; i <= 5; i++) {
            broker.producer().send(new ProducerRecord<>("events", 0, "k" + i, "v" + i)).get();
        }
        JsonNode page = ok(call("GET", records + "/partitions/0/records?offset=2&max_count=2", null));
        assertThat(page.path("data").findValuesAsText("offset")).containsExactly("2", "3");
        assertThat(page.path("data").get(0).path("value").path("data").asText()).isEqualTo("v2");
        assertThat(page.path("next_offset").asLong()).isEqualTo(4);
        JsonNode asJson = ok(call("GET", records + "/partitions/0/records?max_count=1&format=json", null));
        assertThat(asJson.path("data").get(0).path("value").path("data").path("amount").asInt()).isEqualTo(42);
        assertThat(asJson.path("data").get(0).path("headers").get(0).path("value").asText()).isEqualTo(header);
        JsonNode tail = ok(call("GET", records + "/partitions/0/records?offset=6", null));
        assertThat(tail.path("data")).isEmpty();
        assertThat(tail.path("next_offset").asLong()).isEqualTo(6);
        assertThat(call("GET", records + "/partitions/0/records?offset=99", null).statusCode()).isEqualTo(416);
        assertThat(call("POST", "/v3/clusters/" + clusterId + "/topics/events/records",
                "{\"value\": {\"type\": \"BINARY\", \"data\": \"***\"}}").statusCode()).isEqualTo(400);
    }

    @Test
    void aPartitionIsTailedAsServerSentEventsAndResumedAfterTheLastEventId() throws Exception {
        broker.createTopic("live", 1, Map.of());
        broker.producer().send(new ProducerRecord<>("live", 0, "old", "before the stream")).get();
        String stream = "/v3/clusters/" + clusterId + "/topics/live/partitions/0/records/stream";
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        var response = http.sendAsync(HttpRequest.newBuilder(URI.create(broker.httpUrl() + stream)).build(),
                HttpResponse.BodyHandlers.ofLines()).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("text/event-stream"));
        Thread reader = Thread.ofVirtual().start(() -> response.body().forEach(lines::add));
        try {
            for (int i = 0; i < 3; i++) {
                broker.producer().send(new ProducerRecord<>("live", 0, "k" + i, "live-" + i)).get();
            }
            // From the end: the record written before the stream is not sent.
            List<String> ids = new ArrayList<>();
            List<JsonNode> data = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (data.size() < 3 && System.nanoTime() < deadline) {
                String line = lines.poll(500, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith("id: ")) {
                    ids.add(line.substring(4));
                } else if (line != null && line.startsWith("data: ")) {
                    data.add(JSON.readTree(line.substring(6)));
                }
            }
            assertThat(ids).containsExactly("1", "2", "3");
            assertThat(data).extracting(d -> d.path("value").path("data").asText())
                    .containsExactly("live-0", "live-1", "live-2");
        } finally {
            response.body().close();
            reader.join(5_000);
        }

        // A reconnecting EventSource sends the last id it saw: the stream goes on after it.
        var resumed = http.sendAsync(HttpRequest.newBuilder(URI.create(broker.httpUrl() + stream))
                .header("Last-Event-ID", "1").build(), HttpResponse.BodyHandlers.ofLines())
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        try {
            String firstId = resumed.body().filter(l -> l.startsWith("id: ")).findFirst().orElseThrow();
            assertThat(firstId).isEqualTo("id: 2");
        } finally {
            resumed.body().close();
        }
        assertThat(call("GET", "/v3/clusters/" + clusterId + "/topics/nothing/partitions/0/records/stream", null)
                .statusCode()).isEqualTo(404);
    }

    @Test
    void consumerGroupLagMatchesCommittedOffsets() throws Exception {
        broker.createTopic("work", 2, Map.of());
        for (int i = 0; i < 10; i++) {
            broker.producer().send(new ProducerRecord<>("work", i % 2, "k", "v" + i)).get();
        }
        KafkaConsumer<String, String> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "workers"));
        consumer.commitSync(Map.of(new TopicPartition("work", 0), new OffsetAndMetadata(1),
                new TopicPartition("work", 1), new OffsetAndMetadata(5)));
        String groups = "/v3/clusters/" + clusterId + "/consumer-groups";
        assertThat(ok(call("GET", groups, null)).path("data").findValuesAsText("consumer_group_id"))
                .contains("workers");
        JsonNode described = ok(call("GET", groups + "/workers", null));
        assertThat(described.path("kind").asText()).isEqualTo("KafkaConsumerGroup");
        assertThat(described.path("state").asText()).isEqualTo("EMPTY");
        assertThat(described.path("lag_summary").path("related").asText()).endsWith("/workers/lag-summary");
        assertThat(ok(call("GET", groups + "/workers/consumers", null)).path("data")).isEmpty();
        JsonNode lags = ok(call("GET", groups + "/workers/lags", null));
        assertThat(lags.path("data")).hasSize(2);
        assertThat(lags.path("data").get(0).path("current_offset").asLong()).isEqualTo(1);
        assertThat(lags.path("data").get(0).path("log_end_offset").asLong()).isEqualTo(5);
        assertThat(lags.path("data").get(0).path("lag").asLong()).isEqualTo(4);
        assertThat(lags.path("data").get(1).path("lag").asLong()).isEqualTo(0);
        JsonNode summary = ok(call("GET", groups + "/workers/lag-summary", null));
        assertThat(summary.path("total_lag").asLong()).isEqualTo(4);
        assertThat(summary.path("max_lag").asLong()).isEqualTo(4);
        assertThat(summary.path("max_lag_partition_id").asInt()).isEqualTo(0);
        KafkaConsumer<String, String> member = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "live",
                ConsumerConfig.CLIENT_ID_CONFIG, "live-client"));
        member.subscribe(List.of("work"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (member.assignment().size() < 2 && System.nanoTime() < deadline) {
            member.poll(Duration.ofMillis(200));
        }
        member.commitSync();
        JsonNode consumers = ok(call("GET", groups + "/live/consumers", null));
        assertThat(consumers.path("data")).hasSize(1);
        assertThat(consumers.path("data").get(0).path("client_id").asText()).isEqualTo("live-client");
        assertThat(consumers.path("data").get(0).path("assignments")).hasSize(2);
        JsonNode liveLags = ok(call("GET", groups + "/live/lags", null));
        assertThat(liveLags.path("data").findValuesAsText("client_id")).containsOnly("live-client");
        assertThat(ok(call("GET", groups + "/live", null)).path("state").asText()).isEqualTo("STABLE");

        HttpResponse<String> missing = call("GET", groups + "/nobody/lags", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).path("error_name").asText()).isEqualTo("GROUP_ID_NOT_FOUND");
    }

    private static Config topicConfig(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }

    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(broker.httpUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
