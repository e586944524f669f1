package io.herald.protocol;

import java.net.InetAddress;
import java.util.OptionalDouble;

/**
 * Kafka's per-address connection quota ({@code connection_creation_rate} of an {@code ip} quota entity, KIP-612):
 * how many new connections per second an address may open. The broker answers it from the client quotas of its
 * metadata image; a connection over it is closed after the throttle time, without being served.
 *
 * <p>Implementations are thread-safe and cheap: every accepted connection asks.
 */
@FunctionalInterface
public interface IpConnectionQuota {
    /** No address has a quota. */
    IpConnectionQuota NONE = address -> OptionalDouble.empty();

    /** The quota of {@code address}: its own, else the default ip entity's; empty when neither is set. */
    OptionalDouble creationRate(InetAddress address);
}
