package io.herald.http.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.http.server.HttpReply;

/** JSON answers of the console's own endpoints. */
final class ConsoleJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private ConsoleJson() {
    }

    static HttpReply ok(JsonNode node) {
        try {
            return HttpReply.json(200, MAPPER.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON of a console answer", e);
        }
    }
}
