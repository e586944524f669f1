package io.herald.protocol;

import io.herald.protocol.security.ListenerSecurity;
import java.util.Objects;

/**
 * One named Kafka listener: where it binds and how its connections are secured.
 *
 * @param name     the listener name, upper case ({@code PLAINTEXT}, {@code INTERNAL}, ...)
 * @param host     address to bind ("0.0.0.0" for all interfaces)
 * @param port     port to bind; 0 picks an ephemeral port (see {@link KafkaServer#boundPort(String)})
 * @param security TLS and SASL of its connections
 */
public record ListenerConfig(String name, String host, int port, ListenerSecurity security) {
    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(security, "security");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
    }

    /** A PLAINTEXT listener called PLAINTEXT. */
    public static ListenerConfig plaintext(String host, int port) {
        return new ListenerConfig("PLAINTEXT", host, port, ListenerSecurity.PLAINTEXT);
    }
}
