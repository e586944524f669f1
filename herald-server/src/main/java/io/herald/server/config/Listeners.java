package io.herald.server.config;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/**
 * Parsers for Kafka's address configs: {@code listeners} / {@code advertised.listeners}
 * ({@code NAME://host:port,...}) and {@code controller.quorum.voters} ({@code id@host:port,...}), IPv6 hosts in
 * brackets. Errors are {@link ConfigException}s naming the config and the bad entry.
 *
 * <p>Stateless and thread-safe.
 */
public final class Listeners {
    static final String PLAINTEXT = "PLAINTEXT";
    /** The security protocols a listener may have. */
    static final java.util.List<String> SECURITY_PROTOCOLS = java.util.List.of(PLAINTEXT, "SSL", "SASL_PLAINTEXT",
            "SASL_SSL");

    private Listeners() {
    }

    /** The address part of a {@code NAME://host:port} listener; an empty host binds every interface. */
    public record Listener(String host, int port) {
        static Listener parse(String config, String value, String hostPort) {
            HostPort parsed = HostPort.parse(hostPort)
                    .orElseThrow(() -> new ConfigException(config, value, "expected NAME://host:port, port a number"));
            if (parsed.port() < 0 || parsed.port() > 65535) {
                throw new ConfigException(config, value, "port out of range (expected: 0 to 65535)");
            }
            return new Listener(parsed.host().isEmpty() ? "0.0.0.0" : parsed.host(), parsed.port());
        }
    }

    /** A {@code host:port} (host possibly empty, or an IPv6 address in brackets). */
    private record HostPort(String host, int port) {
        static Optional<HostPort> parse(String hostPort) {
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                return Optional.of(new HostPort(host, Integer.parseInt(hostPort.substring(colon + 1))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * Parses {@code NAME://host:port,...} into listeners by upper-cased name, in order. Names are unique, non-zero
     * ports are unique, and every listener has a security protocol (by name or through {@code protocols}).
     *
     * @param protocols listener name to security protocol ({@code listener.security.protocol.map})
     */
    static Map<String, Listener> parse(String config, String value, Map<String, String> protocols,
                                       String protocolMapConfig) {
        Map<String, Listener> parsed = new LinkedHashMap<>();
        Set<Integer> ports = new HashSet<>();
        for (String raw : value.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int scheme = entry.indexOf("://");
            if (scheme <= 0) {
                throw new ConfigException(config, value, "bad listener '" + entry + "' (expected: NAME://host:port)");
            }
            String name = entry.substring(0, scheme).toUpperCase(Locale.ROOT);
            String protocol = protocols.get(name);
            if (protocol == null) {
                throw new ConfigException(config, value, "no security protocol for listener " + name
                        + " in " + protocolMapConfig);
            }
            if (!SECURITY_PROTOCOLS.contains(protocol)) {
                throw new ConfigException(protocolMapConfig, protocol, "listener " + name + " has security protocol "
                        + protocol + " (expected: one of " + SECURITY_PROTOCOLS + ")");
            }
            Listener listener = Listener.parse(config, value, entry.substring(scheme + 3));
            if (parsed.put(name, listener) != null) {
                throw new ConfigException(config, value, "listener name " + name + " is used twice");
            }
            if (listener.port() != 0 && !ports.add(listener.port())) {
                throw new ConfigException(config, value, "port " + listener.port() + " is used by two listeners");
            }
        }
        if (parsed.isEmpty()) {
            throw new ConfigException(config, value, "expected at least one NAME://host:port listener");
        }
        return Collections.unmodifiableMap(parsed);
    }

    /**
     * Parses {@code controller.quorum.voters}: {@code id@host:port,...}. Order is kept; ids are unique and
     * non-negative; ports are 1 to 65535 (the other voters connect to them, so 0 cannot work). The addresses are
     * unresolved: no DNS lookup at config time.
     *
     * @throws ConfigException naming the bad entry
     */
    public static Map<Integer, java.net.InetSocketAddress> parseVoters(String config, String value) {
        Map<Integer, java.net.InetSocketAddress> voters = new LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return Map.of();
        }
        for (String raw : value.split(",")) {
            String entry = raw.trim();
            int at = entry.indexOf('@');
            if (at <= 0) {
                throw failVoter(config, value, entry, "expected id@host:port");
            }
            int id;
            try {
                id = Integer.parseInt(entry.substring(0, at));
            } catch (NumberFormatException e) {
                throw failVoter(config, value, entry, "node id is not a number");
            }
            if (id < 0) {
                throw failVoter(config, value, entry, "node id must be >= 0");
            }
            HostPort address = HostPort.parse(entry.substring(at + 1))
                    .orElseThrow(() -> failVoter(config, value, entry, "expected id@host:port"));
            if (address.host().isEmpty()) {
                throw failVoter(config, value, entry, "host is missing");
            }
            if (address.port() < 1 || address.port() > 65535) {
                throw failVoter(config, value, entry, "port out of range (expected: 1 to 65535)");
            }
            if (voters.putIfAbsent(id, java.net.InetSocketAddress.createUnresolved(address.host(), address.port()))
                    != null) {
                throw failVoter(config, value, entry, "node id " + id + " is listed twice");
            }
        }
        return Collections.unmodifiableMap(voters);
    }

    private static ConfigException failVoter(String config, String value, String entry, String why) {
        return new ConfigException(config, value, "bad voter '" + entry + "': " + why);
    }
}
