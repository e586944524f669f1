package io.herald.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final HttpEndpoint clusters = call -> HttpReply.text(200, "clusters");
    private final HttpEndpoint topic = call -> HttpReply.text(200, "topic " + call.pathParam("topic"));
    private final HttpEndpoint create = call -> HttpReply.text(201, "created");
    private final Router router = new Router()
            .get("/v3/clusters", clusters)
            .get("/v3/clusters/{cluster}/topics/{topic}", topic)
            .post("/v3/clusters/{cluster}/topics", create);

    @Test
    void literalAndParameterSegmentsMatch() {
        Router.Lookup lookup = router.lookup("GET", "/v3/clusters/abc/topics/orders");
        assertThat(lookup.match()).hasValueSatisfying(m -> {
            assertThat(m.endpoint()).isSameAs(topic);
            assertThat(m.pathParams()).isEqualTo(Map.of("cluster", "abc", "topic", "orders"));
        });
        assertThat(router.lookup("GET", "/v3/clusters/").match()).hasValueSatisfying(
                m -> assertThat(m.endpoint()).isSameAs(clusters));
    }

    @Test
    void anotherMethodOnAKnownPathIsNotANotFound() {
        Router.Lookup lookup = router.lookup("DELETE", "/v3/clusters");
        assertThat(lookup.match()).isEmpty();
        assertThat(lookup.pathKnown()).isTrue();
        assertThat(router.lookup("POST", "/v3/clusters/abc/topics").match()).hasValueSatisfying(
                m -> assertThat(m.endpoint()).isSameAs(create));
    }

    @Test
    void unknownPathsEmptySegmentsAndLongerPathsDoNotMatch() {
        assertThat(router.lookup("GET", "/v3/clusters/abc/topics//").match()).isEmpty();
        assertThat(router.lookup("GET", "/v3/clusters/abc/topics/orders/partitions").pathKnown()).isFalse();
        assertThat(router.lookup("GET", "/").match()).isEmpty();
    }

    @Test
    void headIsServedByTheGetRoute() {
        assertThat(router.lookup("HEAD", "/v3/clusters").match()).isPresent();
    }

    @Test
    void errorsAreJsonWithEscapedMessages() {
        HttpReply reply = HttpReply.error(404, "no \"topic\"\n");
        assertThat(reply.contentType()).isEqualTo(HttpReply.JSON);
        assertThat(new String(reply.body())).isEqualTo("{\"error_code\":404,\"message\":\"no \\\"topic\\\"\\n\"}");
    }
}
