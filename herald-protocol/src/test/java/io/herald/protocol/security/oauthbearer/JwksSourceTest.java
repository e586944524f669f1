package io.herald.protocol.security.oauthbearer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.herald.common.security.TestTokens;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JWKS documents from a file and from an HTTP endpoint, read at open and again at each refresh. */
class JwksSourceTest {
    private static final KeyPair FIRST = TestTokens.rsa();
    private static final KeyPair SECOND = TestTokens.ec();

    @TempDir
    Path dir;

    @Test
    void aFileIsReadAtOpenAndAMissingOrBrokenOneIsAConfigError() throws Exception {
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, TestTokens.jwks(Map.of("one", FIRST)));
        try (JwksSource source = JwksSource.open(file.toUri(), 3_600_000)) {
            assertThat(source.get().keys()).extracting(k -> k.keyId().orElseThrow()).containsExactly("one");
        }
        assertThatThrownBy(() -> JwksSource.open(dir.resolve("absent.json").toUri(), 1000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sasl.oauthbearer.jwks.endpoint.url");
        Files.writeString(file, "not json");
        assertThatThrownBy(() -> JwksSource.open(file.toUri(), 1000)).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> JwksSource.open(URI.create("ftp://idp/jwks"), 1000))
                .hasMessageContaining("expected a file:, http: or https: URL");
    }

    @Test
    void anHttpEndpointIsFetchedAtOpenAndItsNewKeysArriveAtTheNextRefresh() throws Exception {
        AtomicReference<String> served = new AtomicReference<>(TestTokens.jwks(Map.of("one", FIRST)));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks", exchange -> {
            byte[] body = served.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try (JwksSource source = JwksSource.open(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + "/jwks"), 100)) {
            assertThat(source.get().keys()).extracting(k -> k.keyId().orElseThrow()).containsExactly("one");
            served.set(TestTokens.jwks(Map.of("two", SECOND)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!source.get().keys().getFirst().keyId().orElseThrow().equals("two")
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(source.get().keys()).extracting(k -> k.keyId().orElseThrow()).containsExactly("two");
        } finally {
            server.stop(0);
        }
    }
}
