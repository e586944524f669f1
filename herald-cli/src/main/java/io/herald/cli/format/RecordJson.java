package io.herald.cli.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A record as one line of JSON ({@code --json}), for {@code jq}:
 * {@code {"topic":"t","partition":0,"offset":5,"timestamp":1700000000000,"key":"k","value":"v",
 * "headers":[{"key":"h","value":"x"}]}}, plus {@code "deliveryCount"} for a share group's record. Keys, values and
 * header values are UTF-8 text or {@code null}; headers are a list because a key may repeat.
 *
 * <p>Thread-safe (Jackson's {@link ObjectMapper} is, once configured).
 */
public final class RecordJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RecordJson() {
    }

    public static String line(ConsumerRecord<byte[], byte[]> record) {
        return write(fields(record));
    }

    /** The fields of {@link #line}, in order, for callers that add their own. */
    public static Map<String, Object> fields(ConsumerRecord<byte[], byte[]> record) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("topic", record.topic());
        json.put("partition", record.partition());
        json.put("offset", record.offset());
        json.put("timestamp", record.timestamp());
        json.put("key", Text.string(record.key()));
        json.put("value", Text.string(record.value()));
        List<Map<String, String>> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            Map<String, String> h = new LinkedHashMap<>();
            h.put("key", header.key());
            h.put("value", Text.string(header.value()));
            headers.add(h);
        }
        json.put("headers", headers);
        record.deliveryCount().ifPresent(count -> json.put("deliveryCount", count));
        return json;
    }

    public static String write(Map<String, Object> json) {
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
