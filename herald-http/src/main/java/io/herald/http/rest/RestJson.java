package io.herald.http.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.http.server.HttpCall;
import io.herald.http.server.HttpReply;
import java.util.List;

/**
 * JSON in the REST Proxy v3 shapes: resources with {@code kind} and {@code metadata.self}, lists with
 * {@code data}, links as {@code {"related": url}}. Self links are absolute, on the host the client called.
 */
final class RestJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private RestJson() {
    }

    /** {@code http://<Host header>}, the base of every link in the answer. */
    static String base(HttpCall call) {
        return "http://" + call.headers().getOrDefault("host", "localhost");
    }

    /** A resource: {@code kind}, {@code metadata.self} and {@code metadata.resource_name}. */
    static ObjectNode resource(String kind, String self, String resourceName) {
        ObjectNode node = MAPPER.createObjectNode().put("kind", kind);
        ObjectNode metadata = node.putObject("metadata").put("self", self);
        if (resourceName != null) {
            metadata.put("resource_name", resourceName);
        }
        return node;
    }

    /** A list resource holding {@code data}. */
    static ObjectNode list(String kind, String self, List<? extends JsonNode> data) {
        ObjectNode node = MAPPER.createObjectNode().put("kind", kind);
        node.putObject("metadata").put("self", self).putNull("next");
        ArrayNode array = node.putArray("data");
        data.forEach(array::add);
        return node;
    }

    static ObjectNode related(String url) {
        return MAPPER.createObjectNode().put("related", url);
    }

    static HttpReply ok(JsonNode node) {
        return reply(200, node);
    }

    static HttpReply reply(int status, JsonNode node) {
        try {
            return HttpReply.json(status, MAPPER.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON of a REST answer", e);
        }
    }

    static HttpReply error(int status, String errorName, String message) {
        ObjectNode node = MAPPER.createObjectNode().put("error_code", status);
        if (errorName != null) {
            node.put("error_name", errorName);
        }
        node.put("message", message);
        return reply(status, node);
    }

    /** The request body as JSON; a body that is not JSON is a 400. */
    static JsonNode body(HttpCall call) {
        if (call.body().length == 0) {
            throw new RestException(400, "A JSON body is required");
        }
        try {
            return MAPPER.readTree(call.body());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RestException(400, "The body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new RestException(400, "The body could not be read: " + e.getMessage());
        }
    }
}
