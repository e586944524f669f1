package io.herald.http;

import io.herald.common.config.ConfigValues;
import java.net.URI;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The broker's HTTP listener.
 *
 * @param enabled {@code herald.http.enable} (true): whether the broker serves HTTP at all
 * @param host    the host of {@code herald.http.listener} ({@code http://127.0.0.1:8080}); 0.0.0.0 for all
 *                interfaces
 * @param port    its port; 0 picks a free one (logged)
 */
public record HttpConfig(boolean enabled, String host, int port) {
    public static final String ENABLE = "herald.http.enable";
    public static final String LISTENER = "herald.http.listener";
    public static final String DEFAULT_LISTENER = "http://127.0.0.1:8080";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(ENABLE, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Serve HTTP (Prometheus metrics, the REST API, the console) on herald.http.listener.")
            .define(LISTENER, Type.STRING, DEFAULT_LISTENER, (name, value) -> parse((String) value), Importance.MEDIUM,
                    "The HTTP listener, http://host:port; port 0 picks a free port.");

    /** The settings from values parsed with a definition that includes {@link #CONFIG_DEF}. */
    public static HttpConfig from(ConfigValues v) {
        URI listener = parse(v.getString(LISTENER));
        return new HttpConfig(v.getBoolean(ENABLE), listener.getHost(), listener.getPort());
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
            throw new ConfigException(LISTENER, value, "expected http://host:port");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0
                || uri.getPort() > 65_535 || (uri.getPath() != null && !uri.getPath().isEmpty()
                && !uri.getPath().equals("/"))) {
            throw new ConfigException(LISTENER, value, "expected http://host:port (port 0-65535, no path)");
        }
        return uri;
    }
}
