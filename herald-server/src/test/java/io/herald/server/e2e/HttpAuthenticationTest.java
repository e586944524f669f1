package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.security.TestCertificates;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herald.http.authentication=basic} over an {@code https://} listener: REST and console API calls need a Kafka
 * user's HTTP Basic credentials, which the broker itself checks (the REST API's clients log in to its SASL listener
 * as that user); the metrics and the console's static files stay open.
 */
class HttpAuthenticationTest {
    @TempDir
    static Path dir;
    private static TestBroker broker;
    private static HttpClient http;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates pki = TestCertificates.create(dir.resolve("pki"));
        TestCertificates.Identity server = pki.server("broker");
        Map<String, String> props = new HashMap<>(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms", "PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain"
                        + ".PlainLoginModule required user_alice=\"alice-secret\" user_bob=\"bob-secret\";",
                "herald.http.authentication", "basic",
                "herald.http.listener", "https://127.0.0.1:0",
                "ssl.keystore.type", "PKCS12", "ssl.keystore.location", server.keystore().toString(),
                "ssl.keystore.password", TestCertificates.PASSWORD));
        broker = TestBroker.start(dir.resolve("broker"), props);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pki.truststore())) {
            trust.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        http = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
        base = "https://127.0.0.1:" + broker.broker().httpPort().orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static HttpResponse<String> get(String path, String user, String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void restCallsNeedAKafkaUsersCredentialsWhichTheBrokerChecks() throws Exception {
        HttpResponse<String> anonymous = get("/v3/clusters", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("www-authenticate")).hasValueSatisfying(v ->
                assertThat(v).startsWith("Basic realm=\"herald\""));

        HttpResponse<String> alice = get("/v3/clusters", "alice", "alice-secret");
        assertThat(alice.statusCode()).as(alice.body()).isEqualTo(200);
        assertThat(alice.body()).contains(broker.broker().clusterId());

        HttpResponse<String> wrong = get("/v3/clusters", "alice", "guess");
        assertThat(wrong.statusCode()).as(wrong.body()).isEqualTo(401);
        assertThat(wrong.body()).contains("Invalid username or password");
        // The refused login is not remembered: the right password works again, and another user too.
        assertThat(get("/v3/clusters", "alice", "alice-secret").statusCode()).isEqualTo(200);
        assertThat(get("/v3/clusters", "bob", "bob-secret").statusCode()).isEqualTo(200);

        assertThat(get("/console/api/quorum", null, null).statusCode()).isEqualTo(401);
        assertThat(get("/console/api/quorum", "bob", "bob-secret").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsAndTheConsolePageNeedNoCredentials() throws Exception {
        assertThat(get("/metrics", null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> page = get("/", null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<html");
    }

    @Test
    void aTopicCreatedThroughRestIsCreatedByTheLoggedInUser() throws Exception {
        String clusterId = broker.broker().clusterId();
        HttpRequest create = HttpRequest.newBuilder(URI.create(base + "/v3/clusters/" + clusterId + "/topics"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "alice:alice-secret".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"topic_name\":\"from-rest\",\"partitions_count\":2}"))
                .build();
        HttpResponse<String> created = http.send(create, HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isBetween(200, 201);
        assertThat(broker.admin().listTopics().names().get(30, TimeUnit.SECONDS)).contains("from-rest");
        assertThat(List.of(created.body())).isNotEmpty();
    }
}
