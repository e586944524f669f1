package io.herald.protocol.security;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SASL side of a {@code SASL_PLAINTEXT} / {@code SASL_SSL} listener.
 *
 * @param mechanisms     the enabled mechanisms ({@code sasl.enabled.mechanisms}), in order
 * @param maxReceiveSize {@code sasl.server.max.receive.size}: the largest frame a client may send before it has
 *                       authenticated; a larger one closes the connection
 * @param reauthMs       {@code connections.max.reauth.ms}: a session's lifetime, after which the client must
 *                       re-authenticate on the connection (KIP-368) or be disconnected; 0 = sessions never expire
 */
public record SaslSettings(List<SaslMechanism> mechanisms, int maxReceiveSize, long reauthMs) {
    /** Kafka's default {@code sasl.server.max.receive.size}. */
    public static final int DEFAULT_MAX_RECEIVE_SIZE = 524_288;

    public SaslSettings {
        mechanisms = List.copyOf(mechanisms);
        if (mechanisms.isEmpty()) {
            throw new IllegalArgumentException("a SASL listener needs at least one mechanism");
        }
        if (maxReceiveSize <= 0) {
            throw new IllegalArgumentException("maxReceiveSize: " + maxReceiveSize + " (expected: > 0)");
        }
        if (reauthMs < 0) {
            throw new IllegalArgumentException("reauthMs: " + reauthMs + " (expected: >= 0)");
        }
    }

    /** The enabled mechanism called {@code name}. */
    public Optional<SaslMechanism> mechanism(String name) {
        return mechanisms.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** The enabled mechanisms' names, in order. */
    public List<String> names() {
        return mechanisms.stream().map(SaslMechanism::name).toList();
    }

    /** By name, for logs and tests. */
    public Map<String, SaslMechanism> byName() {
        Map<String, SaslMechanism> map = new LinkedHashMap<>();
        mechanisms.forEach(m -> map.put(m.name(), m));
        return map;
    }
}
