package io.herald.http.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.http.server.Router;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code /openapi.json} documents exactly the routes the API serves (and {@code /metrics}). */
class OpenApiDocumentTest {
    @Test
    void everyRouteIsDocumentedAndNothingElse() throws Exception {
        Router router = new Router();
        try (RestApi api = new RestApi("127.0.0.1:1")) { // no connection is made until a call needs one
            api.register(router);
        }
        Set<String> served = new HashSet<>(router.routes());
        served.add("GET /metrics");
        JsonNode doc;
        try (InputStream in = RestApi.class.getResourceAsStream("openapi.json")) {
            doc = RestJson.MAPPER.readTree(in);
        }
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        Set<String> documented = new HashSet<>();
        doc.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (!op.getKey().equals("parameters")) {
                documented.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        served.remove("GET /openapi.json");
        assertThat(documented).isEqualTo(served);
    }
}
