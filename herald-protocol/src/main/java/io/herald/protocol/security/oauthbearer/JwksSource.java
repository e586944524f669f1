package io.herald.protocol.security.oauthbearer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a {@link JwksValidator} gets its keys: {@code sasl.oauthbearer.jwks.endpoint.url}, a {@code file:} URL or an
 * {@code http(s):} one, read when the source opens and again every {@code sasl.oauthbearer.jwks.endpoint.refresh.ms}
 * (Kafka's default: an hour) on a daemon thread of its own, so a validation never waits for I/O. A refresh that fails
 * keeps the keys it had and is logged.
 *
 * <p>Thread-safe: the keys are replaced as a whole.
 */
public final class JwksSource implements Supplier<JsonWebKeys>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JwksSource.class);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);

    private final URI uri;
    private final ScheduledExecutorService refresher;
    private volatile JsonWebKeys keys = new JsonWebKeys(java.util.List.of());

    private JwksSource(URI uri, long refreshMs, boolean refresh) {
        this.uri = uri;
        this.refresher = refresh ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-jwks-refresh");
            t.setDaemon(true);
            return t;
        }) : null;
        if (refresher != null) {
            refresher.scheduleWithFixedDelay(this::refresh, refreshMs, refreshMs, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Opens the source and reads it once. A {@code file:} document that cannot be read or parsed fails here (a config
     * error); an HTTP endpoint that does not answer is logged and tried again at the next refresh.
     *
     * @throws IllegalArgumentException for another scheme, or a file that does not hold a JWKS
     */
    public static JwksSource open(URI uri, long refreshMs) {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!scheme.equals("file") && !scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("sasl.oauthbearer.jwks.endpoint.url " + uri
                    + ": expected a file:, http: or https: URL");
        }
        if (refreshMs <= 0) {
            throw new IllegalArgumentException("sasl.oauthbearer.jwks.endpoint.refresh.ms: " + refreshMs
                    + " (expected: > 0)");
        }
        JwksSource source = new JwksSource(uri, refreshMs, true);
        if (scheme.equals("file")) {
            try {
                source.keys = JsonWebKeys.parse(Files.readAllBytes(Path.of(uri)));
            } catch (IOException | IllegalArgumentException e) {
                source.close();
                throw new IllegalArgumentException("sasl.oauthbearer.jwks.endpoint.url " + uri + ": " + e.getMessage(),
                        e);
            }
        } else {
            source.refresh();
        }
        return source;
    }

    /** A source of fixed keys (tests). */
    static JwksSource of(JsonWebKeys keys) {
        JwksSource source = new JwksSource(URI.create("memory:keys"), 1, false);
        source.keys = keys;
        return source;
    }

    @Override
    public JsonWebKeys get() {
        return keys;
    }

    private void refresh() {
        try {
            byte[] document;
            if (uri.getScheme().equals("file")) {
                document = Files.readAllBytes(Path.of(uri));
            } else {
                try (HttpClient client = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build()) {
                    HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT)
                            .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                    if (response.statusCode() != 200) {
                        throw new IOException("HTTP " + response.statusCode());
                    }
                    document = response.body();
                }
            }
            JsonWebKeys fresh = JsonWebKeys.parse(document);
            if (fresh.keys().size() != keys.keys().size()) {
                log.info("JWKS {}: {} signature keys", uri, fresh.keys().size());
            }
            keys = fresh;
        } catch (IOException | IllegalArgumentException e) {
            log.warn("JWKS {}: cannot refresh the keys ({}); keeping the {} it had", uri, e.getMessage(),
                    keys.keys().size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }
}
