package io.herald.protocol;

import java.net.InetAddress;
import java.util.Map;
import java.util.Set;

/**
 * Kafka's connection quotas: {@code max.connections} for the whole broker and {@code max.connections.per.ip} (with
 * {@code max.connections.per.ip.overrides}) for each client address.
 *
 * @param maxConnections   at most this many connections at once; at the limit the broker stops accepting on every
 *                         listener but {@code exemptListeners} (clients wait in the accept backlog, as with Kafka)
 * @param maxPerIp         at most this many connections from one address; a further one is closed at once
 * @param perIpOverrides   addresses with a limit of their own
 * @param exemptListeners  listeners the broker-wide limit does not stop (the inter-broker one, as in Kafka)
 */
public record ConnectionLimits(int maxConnections, int maxPerIp, Map<InetAddress, Integer> perIpOverrides,
                               Set<String> exemptListeners) {

    /** No limits: Kafka's defaults. */
    public static final ConnectionLimits NONE = new ConnectionLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Map.of(),
            Set.of());

    public ConnectionLimits {
        perIpOverrides = Map.copyOf(perIpOverrides);
        exemptListeners = Set.copyOf(exemptListeners);
        if (maxConnections < 0 || maxPerIp < 0) {
            throw new IllegalArgumentException("limits must be >= 0: max " + maxConnections + ", per ip " + maxPerIp);
        }
    }

    /** The limit of connections from {@code address}. */
    public int limitFor(InetAddress address) {
        return perIpOverrides.getOrDefault(address, maxPerIp);
    }
}
