package io.herald.http;

import io.herald.common.config.ConfigValues;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The broker's HTTP listener.
 *
 * @param enabled        {@code herald.http.enable} (true): whether the broker serves HTTP at all
 * @param host           the host of {@code herald.http.listener} ({@code http://127.0.0.1:8080}); 0.0.0.0 for all
 *                       interfaces
 * @param port           its port; 0 picks a free one (logged)
 * @param tls            an {@code https://} listener: TLS with the key store of {@code listener.name.http.ssl.*}, else
 *                       of the node's {@code ssl.*}
 * @param basicAuth      {@code herald.http.authentication=basic}: REST and console calls need HTTP Basic credentials
 *                       of a Kafka user, checked by the broker's SASL listener
 * @param saslMechanism  {@code herald.http.sasl.mechanism}: the mechanism those logins use; empty: the listener's
 *                       SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN, the first it enables
 */
public record HttpConfig(boolean enabled, String host, int port, boolean tls, boolean basicAuth,
                         Optional<String> saslMechanism) {
    public static final String ENABLE = "herald.http.enable";
    public static final String LISTENER = "herald.http.listener";
    public static final String AUTHENTICATION = "herald.http.authentication";
    public static final String SASL_MECHANISM = "herald.http.sasl.mechanism";
    public static final String DEFAULT_LISTENER = "http://127.0.0.1:8080";

    /** Plain HTTP without authentication. */
    public HttpConfig(boolean enabled, String host, int port) {
        this(enabled, host, port, false, false, Optional.empty());
    }

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(ENABLE, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Serve HTTP (Prometheus metrics, the REST API, the console) on herald.http.listener.")
            .define(LISTENER, Type.STRING, DEFAULT_LISTENER, (name, value) -> parse((String) value), Importance.MEDIUM,
                    "The HTTP listener, http://host:port or https://host:port; port 0 picks a free port.")
            .define(AUTHENTICATION, Type.STRING, "none", ConfigDef.ValidString.in("none", "basic"), Importance.MEDIUM,
                    "none, or basic: REST and console calls log in to the broker as the HTTP Basic user.")
            .define(SASL_MECHANISM, Type.STRING, "", Importance.LOW,
                    "SASL mechanism of the HTTP users' logins; empty: the SASL listener's SCRAM or PLAIN.");

    /** The settings from values parsed with a definition that includes {@link #CONFIG_DEF}. */
    public static HttpConfig from(ConfigValues v) {
        URI listener = parse(v.getString(LISTENER));
        return new HttpConfig(v.getBoolean(ENABLE), listener.getHost(), listener.getPort(),
                "https".equalsIgnoreCase(listener.getScheme()), v.getString(AUTHENTICATION).equals("basic"),
                v.optionalString(SASL_MECHANISM).map(m -> m.trim().toUpperCase(Locale.ROOT)));
    }

    /** The defaults. */
    public static HttpConfig defaults() {
        return from(ConfigValues.parse(CONFIG_DEF, Map.of()));
    }

    private static URI parse(String value) {
        URI uri;
        try {
            uri = new URI(value == null ? "" : value.trim());
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException(LISTENER, value, "expected http://host:port or https://host:port");
        }
        if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null || uri.getPort() < 0
                || uri.getPort() > 65_535 || (uri.getPath() != null && !uri.getPath().isEmpty()
                && !uri.getPath().equals("/"))) {
            throw new ConfigException(LISTENER, value, "expected http(s)://host:port (port 0-65535, no path)");
        }
        return uri;
    }
}
