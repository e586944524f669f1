package io.herald.http.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.http.server.HttpCall;
import io.herald.http.server.HttpReply;
import io.herald.http.server.Router;
import io.herald.http.server.StreamEndpoint;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Records over HTTP. {@code POST /v3/clusters/{cluster_id}/topics/{topic_name}/records} produces one record in
 * the REST Proxy v3 shape ({@code partition_id}, {@code key} and {@code value} as {@code {"type": "BINARY" |
 * "JSON" | "STRING", "data": ...}}, {@code headers} with base64 values, {@code timestamp}) with acks=all, and
 * answers its partition and offset. {@code GET .../partitions/{partition_id}/records} (Herald's addition) reads
 * from {@code offset}, or from the first record at or after {@code timestamp} (epoch ms), else from the log
 * start: at most {@code max_count} records (100, at most 1,000) up to the high watermark, keys and values as
 * {@code format=text} (UTF-8, base64 where not), {@code base64} or {@code json} (text where not JSON);
 * {@code .../records/stream} tails a partition as Server-Sent Events.
 */
final class RecordResources {
    static final int DEFAULT_COUNT = 100;
    static final int MAX_COUNT = 1_000;
    private static final Duration READ_WAIT = Duration.ofSeconds(5);
    /** A quiet stream sends a heartbeat this often, so proxies and the idle timeout keep it open. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final RestContext ctx;

    RecordResources(RestContext ctx) {
        this.ctx = ctx;
    }

    void register(Router router) {
        String topic = "/v3/clusters/{cluster_id}/topics/{topic_name}";
        router.post(topic + "/records", RestContext.guarded(this::produce))
                .get(topic + "/partitions/{partition_id}/records", RestContext.guarded(this::read))
                .stream(topic + "/partitions/{partition_id}/records/stream", this::openStream);
    }

    private HttpReply produce(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        String topic = call.pathParam("topic_name");
        JsonNode body = RestJson.body(call);
        Integer partition = body.hasNonNull("partition_id")
                ? RestParams.intParam(body.get("partition_id").asText(), "partition_id") : null;
        Long timestamp = body.hasNonNull("timestamp") ? timestamp(body.get("timestamp")) : null;
        byte[] key = data(body.get("key"), "key");
        byte[] value = data(body.get("value"), "value");
        List<Header> headers = new ArrayList<>();
        for (JsonNode h : body.path("headers")) {
            String name = RestParams.text(h, "name");
            headers.add(new RecordHeader(name, h.hasNonNull("value") ? base64(h.get("value").asText(), "header " + name)
                    : null));
        }
        RecordMetadata sent = ctx.clients().producer().send(new ProducerRecord<>(topic, partition, timestamp, key,
                value, headers)).get(LocalClients.CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        ObjectNode node = RestJson.MAPPER.createObjectNode().put("error_code", 200).put("cluster_id", id)
                .put("topic_name", topic).put("partition_id", sent.partition()).put("offset", sent.offset())
                .put("timestamp", Instant.ofEpochMilli(sent.timestamp()).toString());
        if (key != null) {
            node.putObject("key").put("type", type(body.get("key"))).put("size", key.length);
        }
        if (value != null) {
            node.putObject("value").put("type", type(body.get("value"))).put("size", value.length);
        }
        return RestJson.ok(node);
    }

    private HttpReply read(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        TopicPartition tp = new TopicPartition(call.pathParam("topic_name"),
                RestParams.intParam(call.pathParam("partition_id"), "partition_id"));
        int max = call.queryParam("max_count").map(v -> RestParams.intParam(v, "max_count")).orElse(DEFAULT_COUNT);
        if (max < 1 || max > MAX_COUNT) {
            throw new RestException(400, "max_count must be 1 to " + MAX_COUNT);
        }
        String format = format(call);
        // The topic must exist: a consumer would only wait for it.
        RestContext.await(ctx.admin().describeTopics(List.of(tp.topic())).allTopicNames());
        try (KafkaConsumer<byte[], byte[]> consumer = ctx.clients().consumer()) {
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long start = start(call, consumer, tp, end);
            consumer.seek(tp, start);
            List<ObjectNode> records = new ArrayList<>();
            long next = start;
            long deadline = System.nanoTime() + READ_WAIT.toNanos();
            while (next < end && records.size() < max && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
                    if (records.size() < max && r.offset() < end) {
                        records.add(recordNode(r, format));
                        next = r.offset() + 1;
                    }
                }
                if (records.size() < max) { // past what was read: batches of no records (markers, compaction)
                    next = Math.max(next, Math.min(consumer.position(tp), end));
                }
            }
            ObjectNode list = RestJson.list("KafkaRecordList", ctx.clusterUrl(call, id) + "/topics/" + tp.topic()
                    + "/partitions/" + tp.partition() + "/records?offset=" + start, records);
            list.put("next_offset", next);
            return RestJson.ok(list);
        }
    }

    /**
     * A live tail as Server-Sent Events: one {@code record} event per record (its offset as the event id, the
     * record as in {@link #read}), from {@code offset} or {@code timestamp}, from the event after
     * {@code Last-Event-ID} when a client reconnects, else from the end; a {@code heartbeat} event with the next
     * offset after each quiet {@link #HEARTBEAT}.
     */
    private StreamEndpoint.Opening openStream(HttpCall call) {
        try {
            ctx.checkCluster(call);
            TopicPartition tp = new TopicPartition(call.pathParam("topic_name"),
                    RestParams.intParam(call.pathParam("partition_id"), "partition_id"));
            String format = format(call);
            RestContext.await(ctx.admin().describeTopics(List.of(tp.topic())).allTopicNames());
            KafkaConsumer<byte[], byte[]> consumer = ctx.clients().consumer();
            long start;
            try {
                consumer.assign(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                String lastEventId = call.headers().get("last-event-id");
                start = lastEventId != null ? RestParams.longParam(lastEventId, "Last-Event-ID") + 1
                        : call.queryParam("offset").isPresent() || call.queryParam("timestamp").isPresent()
                        ? start(call, consumer, tp, end) : end;
                consumer.seek(tp, start);
            } catch (RuntimeException e) {
                consumer.close();
                throw e;
            }
            return new StreamEndpoint.Opening.Accepted(events -> {
                try {
                    long quietSince = System.nanoTime();
                    while (events.isOpen()) {
                        var records = consumer.poll(Duration.ofMillis(500)).records(tp);
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            if (!events.send(String.valueOf(r.offset()), "record",
                                    RestJson.MAPPER.writeValueAsString(recordNode(r, format)))) {
                                return;
                            }
                        }
                        if (!records.isEmpty()) {
                            quietSince = System.nanoTime();
                        } else if (System.nanoTime() - quietSince > HEARTBEAT.toNanos()) {
                            events.send(null, "heartbeat", "{\"next_offset\":" + consumer.position(tp) + "}");
                            quietSince = System.nanoTime();
                        }
                    }
                } finally {
                    // Without waiting: a stream ends when its client left or the listener shuts down.
                    consumer.close(CloseOptions.timeout(Duration.ZERO));
                }
            });
        } catch (Exception e) {
            return new StreamEndpoint.Opening.Refused(RestErrors.reply(e));
        }
    }

    private static String format(HttpCall call) {
        String format = call.queryParam("format").orElse("text");
        if (!List.of("text", "base64", "json").contains(format)) {
            throw new RestException(400, "format must be text, base64 or json: " + format);
        }
        return format;
    }

    private static long start(HttpCall call, KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, long end) {
        var offset = call.queryParam("offset");
        if (offset.isPresent()) {
            long asked = RestParams.longParam(offset.get(), "offset");
            long first = consumer.beginningOffsets(List.of(tp)).get(tp);
            if (asked < first || asked > end) {
                throw new RestException(416, "offset " + asked + " is outside the partition's " + first + " to "
                        + end);
            }
            return asked;
        }
        var timestamp = call.queryParam("timestamp");
        if (timestamp.isPresent()) {
            OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp,
                    RestParams.longParam(timestamp.get(), "timestamp"))).get(tp);
            return found == null ? end : found.offset();
        }
        return consumer.beginningOffsets(List.of(tp)).get(tp);
    }

    private static ObjectNode recordNode(ConsumerRecord<byte[], byte[]> r, String format) {
        ObjectNode node = RestJson.MAPPER.createObjectNode().put("topic_name", r.topic())
                .put("partition_id", r.partition()).put("offset", r.offset()).put("timestamp", r.timestamp())
                .put("timestamp_type", r.timestampType().name());
        node.set("key", dataNode(r.key(), format));
        node.set("value", dataNode(r.value(), format));
        ArrayNode headers = node.putArray("headers");
        for (Header h : r.headers()) {
            ObjectNode header = headers.addObject().put("name", h.key());
            header.put("value", h.value() == null ? null : Base64.getEncoder().encodeToString(h.value()));
        }
        return node;
    }

    private static JsonNode dataNode(byte[] data, String format) {
        if (data == null) {
            return RestJson.MAPPER.nullNode();
        }
        ObjectNode node = RestJson.MAPPER.createObjectNode();
        if (format.equals("json")) {
            try {
                return node.put("type", "JSON").set("data", RestJson.MAPPER.readTree(data));
            } catch (java.io.IOException notJson) {
                // fall through to text
            }
        }
        if (!format.equals("base64")) {
            try {
                String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
                return node.put("type", "STRING").put("data", text);
            } catch (CharacterCodingException binary) {
                // base64 below
            }
        }
        return node.put("type", "BINARY").put("data", Base64.getEncoder().encodeToString(data));
    }

    /** {@code {"type": ..., "data": ...}} as bytes; absent or null data is a null key or value. */
    private static byte[] data(JsonNode node, String field) throws Exception {
        if (node == null || node.isNull() || !node.has("data") || node.get("data").isNull()) {
            return null;
        }
        JsonNode data = node.get("data");
        return switch (type(node)) {
            case "BINARY" -> base64(data.asText(), field);
            case "STRING" -> data.asText().getBytes(StandardCharsets.UTF_8);
            case "JSON" -> RestJson.MAPPER.writeValueAsBytes(data);
            default -> throw new RestException(400, field + ".type must be BINARY, JSON or STRING: " + type(node));
        };
    }

    private static String type(JsonNode node) {
        return node.path("type").asText("JSON").toUpperCase(java.util.Locale.ROOT);
    }

    private static byte[] base64(String text, String what) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new RestException(400, what + " is not valid base64");
        }
    }

    private static long timestamp(JsonNode node) {
        if (node.canConvertToLong()) {
            return node.asLong();
        }
        try {
            return Instant.parse(node.asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new RestException(400, "timestamp must be epoch ms or an ISO-8601 instant: " + node.asText());
        }
    }
}
