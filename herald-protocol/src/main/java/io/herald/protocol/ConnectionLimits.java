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
 * @param creationRates    {@code max.connection.creation.rate}, broker-wide and per listener
 */
public record ConnectionLimits(int maxConnections, int maxPerIp, Map<InetAddress, Integer> perIpOverrides,
                               Set<String> exemptListeners, Map<String, Integer> perListener,
                               CreationRates creationRates) {

    /** No limits: Kafka's defaults. */
    public static final ConnectionLimits NONE = new ConnectionLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Map.of(),
            Set.of());

    /**
     * Kafka's connection creation rates (KIP-612): when new connections arrive faster than {@code maxRate} per
     * second on the broker (every listener but the exempt ones) or than a listener's own rate on it, the listener
     * stops accepting for the throttle time, so clients wait in the accept backlog. Rates are measured as client
     * quotas are, over {@code samples} windows of {@code windowMs}.
     *
     * @param maxRate     {@code max.connection.creation.rate}; {@link Integer#MAX_VALUE}: no limit
     * @param perListener listener name → its {@code listener.name.<l>.max.connection.creation.rate}
     * @param samples     {@code quota.window.num}
     * @param windowMs    {@code quota.window.size.seconds}, in ms
     */
    public record CreationRates(int maxRate, Map<String, Integer> perListener, int samples, long windowMs) {
        /** No limit, Kafka's default; measured as Kafka's defaults measure (11 windows of 1 s). */
        public static final CreationRates UNLIMITED = new CreationRates(Integer.MAX_VALUE, Map.of(), 11, 1000);

        public CreationRates {
            perListener = Map.copyOf(perListener);
            if (maxRate < 0 || perListener.values().stream().anyMatch(n -> n < 0) || samples < 1 || windowMs < 1) {
                throw new IllegalArgumentException("creation rates must be >= 0 and windows >= 1: max " + maxRate
                        + ", per listener " + perListener + ", " + samples + " x " + windowMs + " ms");
            }
        }

        /** The rate limit of {@code listener} alone. */
        public int of(String listener) {
            return perListener.getOrDefault(listener, Integer.MAX_VALUE);
        }
    }

    public ConnectionLimits {
        perIpOverrides = Map.copyOf(perIpOverrides);
        exemptListeners = Set.copyOf(exemptListeners);
        perListener = Map.copyOf(perListener);
        java.util.Objects.requireNonNull(creationRates, "creationRates");
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

    /** Without creation rate limits. */
    public ConnectionLimits(int maxConnections, int maxPerIp, Map<InetAddress, Integer> perIpOverrides,
                            Set<String> exemptListeners, Map<String, Integer> perListener) {
        this(maxConnections, maxPerIp, perIpOverrides, exemptListeners, perListener, CreationRates.UNLIMITED);
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
