package io.herald.protocol;

import io.herald.common.config.ConfigValues;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Network settings of the Kafka listeners.
 *
 * @param listeners            the listeners to bind, at least one; the first is the one {@link KafkaServer#boundPort()}
 *                             reports
 * @param ioThreads            event-loop threads serving connections; 0 = number of cores
 * @param maxRequestBytes      socket.request.max.bytes: larger frames close the connection
 * @param connectionsMaxIdleMs connections.max.idle.ms: idle connections are closed; 0 or less disables it
 * @param connectionLimits     max.connections and max.connections.per.ip (with overrides)
 */
public record ServerConfig(List<ListenerConfig> listeners, int ioThreads, int maxRequestBytes,
                           int connectionsMaxIdleMs, ConnectionLimits connectionLimits) {

    /** Kafka's default socket.request.max.bytes (100 MiB). */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 104_857_600;
    /** Kafka's default connections.max.idle.ms (10 minutes). */
    public static final int DEFAULT_CONNECTIONS_MAX_IDLE_MS = 600_000;

    public ServerConfig {
        listeners = List.copyOf(listeners);
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("listeners: none (expected: at least one)");
        }
        if (listeners.stream().map(ListenerConfig::name).distinct().count() != listeners.size()) {
            throw new IllegalArgumentException("listeners: a name is used twice in " + listeners);
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 0, 0 = cores)");
        }
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("maxRequestBytes: " + maxRequestBytes + " (expected: > 0)");
        }
        Objects.requireNonNull(connectionLimits, "connectionLimits");
    }

    /** Without connection limits. */
    public ServerConfig(List<ListenerConfig> listeners, int ioThreads, int maxRequestBytes, int connectionsMaxIdleMs) {
        this(listeners, ioThreads, maxRequestBytes, connectionsMaxIdleMs, ConnectionLimits.NONE);
    }

    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
    public static final String MAX_CONNECTIONS = "max.connections";
    public static final String MAX_CONNECTIONS_PER_IP = "max.connections.per.ip";
    public static final String MAX_CONNECTIONS_PER_IP_OVERRIDES = "max.connections.per.ip.overrides";
    public static final String MAX_CONNECTION_CREATION_RATE = "max.connection.creation.rate";

    /** The network layer's share of the broker configs (the listener's address is the node's). */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(SOCKET_REQUEST_MAX_BYTES, Type.INT, DEFAULT_MAX_REQUEST_BYTES, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, "Largest request frame accepted; larger ones close the connection.")
            .define(NUM_NETWORK_THREADS, Type.INT, 0, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Netty worker loops; 0 means one per core.")
            .define(CONNECTIONS_MAX_IDLE_MS, Type.LONG, (long) DEFAULT_CONNECTIONS_MAX_IDLE_MS, Importance.LOW,
                    "Idle connections are closed after this long; 0 or less keeps them.")
            .define(MAX_CONNECTIONS, Type.INT, Integer.MAX_VALUE, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Connections the broker holds at once; at the limit it stops accepting until one closes.")
            .define(MAX_CONNECTION_CREATION_RATE, Type.INT, Integer.MAX_VALUE, ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM, "New connections per second the broker accepts on its listeners (the "
                            + "inter-broker one exempt); faster, a listener pauses accepting for the throttle time.")
            .define(MAX_CONNECTIONS_PER_IP, Type.INT, Integer.MAX_VALUE, ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM, "Connections from one address; more are closed at once.")
            .define(MAX_CONNECTIONS_PER_IP_OVERRIDES, Type.STRING, "", Importance.LOW,
                    "Per address or host name limits: host:count,ip:count.");

    /** One PLAINTEXT listener on {@code host:port} (tests, replica nodes). */
    public ServerConfig(String host, int port, int ioThreads, int maxRequestBytes, int connectionsMaxIdleMs) {
        this(List.of(ListenerConfig.plaintext(host, port)), ioThreads, maxRequestBytes, connectionsMaxIdleMs);
    }

    /**
     * {@code listeners} with the network configs of {@code v}; {@code interBrokerListener} is exempt from
     * {@code max.connections}.
     *
     * @throws ConfigException for overrides that do not parse or resolve
     */
    public static ServerConfig from(List<ListenerConfig> listeners, ConfigValues v,
                                    Optional<String> interBrokerListener) {
        int perIp = v.getInt(MAX_CONNECTIONS_PER_IP);
        Map<InetAddress, Integer> overrides = parseOverrides(
                v.getString(MAX_CONNECTIONS_PER_IP_OVERRIDES));
        if (perIp == 0 && overrides.isEmpty()) {
            throw new ConfigException(MAX_CONNECTIONS_PER_IP, 0,
                    "may be 0 only with " + MAX_CONNECTIONS_PER_IP_OVERRIDES + " (no client could connect)");
        }
        return new ServerConfig(listeners, v.getInt(NUM_NETWORK_THREADS), v.getInt(SOCKET_REQUEST_MAX_BYTES),
                (int) Math.min(Integer.MAX_VALUE, v.getLong(CONNECTIONS_MAX_IDLE_MS)),
                new ConnectionLimits(v.getInt(MAX_CONNECTIONS), perIp, overrides,
                        interBrokerListener.map(Set::of).orElse(Set.of()),
                        perListenerLimits(listeners, v.originals(), MAX_CONNECTIONS),
                        new ConnectionLimits.CreationRates(v.getInt(MAX_CONNECTION_CREATION_RATE),
                                perListenerLimits(listeners, v.originals(), MAX_CONNECTION_CREATION_RATE),
                                intOr(v, "quota.window.num", 11),
                                1000L * intOr(v, "quota.window.size.seconds", 1))));
    }

    /** A setting another module defines (the quota windows), or Kafka's default where it is not defined. */
    private static int intOr(ConfigValues v, String name, int otherwise) {
        return v.parsed().get(name) instanceof Integer value ? value : otherwise;
    }

    /**
     * Kafka's {@code listener.name.<listener>.<setting>} ({@code max.connections},
     * {@code max.connection.creation.rate}), the listener's name in lower case as in every per-listener config; a
     * listener without it has no limit of its own.
     *
     * @throws ConfigException for a value that is not a whole number of at least 0
     */
    static Map<String, Integer> perListenerLimits(List<ListenerConfig> listeners, Map<String, String> originals,
                                                  String setting) {
        Map<String, Integer> limits = new HashMap<>();
        for (ListenerConfig listener : listeners) {
            String name = "listener.name." + listener.name().toLowerCase(java.util.Locale.ROOT) + "." + setting;
            String value = originals.get(name);
            if (value == null) {
                continue;
            }
            try {
                int limit = Integer.parseInt(value.trim());
                if (limit < 0) {
                    throw new NumberFormatException("negative");
                }
                limits.put(listener.name(), limit);
            } catch (NumberFormatException e) {
                throw new ConfigException(name, value, "expected a whole number of at least 0");
            }
        }
        return limits;
    }

    /** {@code host:count,ip:count}; host names are resolved now, as Kafka does. */
    static Map<InetAddress, Integer> parseOverrides(String value) {
        Map<InetAddress, Integer> overrides = new HashMap<>();
        if (value == null || value.isBlank()) {
            return overrides;
        }
        for (String raw : value.split(",")) {
            String entry = raw.trim();
            int colon = entry.lastIndexOf(':');
            try {
                if (colon <= 0) {
                    throw new NumberFormatException("no count");
                }
                int count = Integer.parseInt(entry.substring(colon + 1).trim());
                if (count < 0) {
                    throw new NumberFormatException("negative count");
                }
                overrides.put(InetAddress.getByName(entry.substring(0, colon).trim()), count);
            } catch (NumberFormatException | UnknownHostException e) {
                throw new ConfigException(MAX_CONNECTIONS_PER_IP_OVERRIDES, value,
                        "bad entry '" + entry + "' (expected: host:count, count >= 0): " + e.getMessage());
            }
        }
        return overrides;
    }

    /** Kafka's defaults on one PLAINTEXT listener on the given address. */
    public static ServerConfig defaults(String host, int port) {
        return new ServerConfig(host, port, 0, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_CONNECTIONS_MAX_IDLE_MS);
    }

    /** The number of event-loop threads to start. */
    public int effectiveIoThreads() {
        return ioThreads == 0 ? Runtime.getRuntime().availableProcessors() : ioThreads;
    }
}
