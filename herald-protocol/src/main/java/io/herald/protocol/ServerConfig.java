package io.herald.protocol;

import java.util.Objects;

/**
 * Network settings of the Kafka listener.
 *
 * @param host                 address to bind ("0.0.0.0" for all interfaces)
 * @param port                 port to bind; 0 picks an ephemeral port (see {@link KafkaServer#boundPort()})
 * @param ioThreads            event-loop threads serving connections; 0 = number of cores
 * @param maxRequestBytes      socket.request.max.bytes: larger frames close the connection
 * @param connectionsMaxIdleMs connections.max.idle.ms: idle connections are closed; 0 or less disables it
 */
public record ServerConfig(String host, int port, int ioThreads, int maxRequestBytes, int connectionsMaxIdleMs) {

    /** Kafka's default socket.request.max.bytes (100 MiB). */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 104_857_600;
    /** Kafka's default connections.max.idle.ms (10 minutes). */
    public static final int DEFAULT_CONNECTIONS_MAX_IDLE_MS = 600_000;

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 0, 0 = cores)");
        }
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("maxRequestBytes: " + maxRequestBytes + " (expected: > 0)");
        }
    }

    /** Kafka's defaults on the given address. */
    public static ServerConfig defaults(String host, int port) {
        return new ServerConfig(host, port, 0, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_CONNECTIONS_MAX_IDLE_MS);
    }

    /** The number of event-loop threads to start. */
    public int effectiveIoThreads() {
        return ioThreads == 0 ? Runtime.getRuntime().availableProcessors() : ioThreads;
    }
}
