package io.herald.protocol;

import java.net.InetAddress;
import java.util.Map;
import java.util.Set;

/**
 * Kafka's connection quotas: {@code max.connections} for the whole broker, {@code listener.name.<l>.max.connections}
 * for one listener, and {@code max.connections.per.ip} (with {@code max.connections.per.ip.overrides}) for each client
 * address.
 *
 * @param maxConnections   at most this many connections at once; at the limit the broker stops accepting on every
 *                         listener but {@code exemptListeners} (clients wait in the accept backlog, as with Kafka).
 *                         A connection an exempt listener accepts beyond it closes the least recently active
 *                         connection of another listener, as Kafka does for its inter-broker listener
 * @param maxPerIp         at most this many connections from one address; a further one is closed at once
 * @param perIpOverrides   addresses with a limit of their own
 * @param exemptListeners  listeners the broker-wide limit does not stop (the inter-broker one, as in Kafka)
 * @param perListener      listener name → at most this many connections on it; at its limit that listener stops
 *                         accepting (exempt ones too); listeners not named have no limit of their own
 */
public record ConnectionLimits(int maxConnections, int maxPerIp, Map<InetAddress, Integer> perIpOverrides,
                               Set<String> exemptListeners, Map<String, Integer> perListener) {

    /** No limits: Kafka's defaults. */
    public static final ConnectionLimits NONE = new ConnectionLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Map.of(),
            Set.of());

    public ConnectionLimits {
        perIpOverrides = Map.copyOf(perIpOverrides);
        exemptListeners = Set.copyOf(exemptListeners);
        perListener = Map.copyOf(perListener);
        if (maxConnections < 0 || maxPerIp < 0 || perListener.values().stream().anyMatch(n -> n < 0)) {
            throw new IllegalArgumentException("limits must be >= 0: max " + maxConnections + ", per ip " + maxPerIp
                    + ", per listener " + perListener);
        }
    }

    /** Without limits of single listeners. */
    public ConnectionLimits(int maxConnections, int maxPerIp, Map<InetAddress, Integer> perIpOverrides,
                            Set<String> exemptListeners) {
        this(maxConnections, maxPerIp, perIpOverrides, exemptListeners, Map.of());
    }

    /** The limit of connections from {@code address}. */
    public int limitFor(InetAddress address) {
        return perIpOverrides.getOrDefault(address, maxPerIp);
    }

    /** The limit of connections on {@code listener}. */
    public int limitOf(String listener) {
        return perListener.getOrDefault(listener, Integer.MAX_VALUE);
    }

    /**
     * Whether a connection of an exempt listener can take the broker past {@code max.connections}, so that the
     * least recently active connection of another listener must go.
     */
    public boolean evictsAtLimit() {
        return maxConnections < Integer.MAX_VALUE && !exemptListeners.isEmpty();
    }
}
