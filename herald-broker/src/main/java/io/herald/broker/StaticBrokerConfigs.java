package io.herald.broker;

import java.util.Map;

/**
 * The broker's static configuration ({@code server.properties} and {@code --override}), as DescribeConfigs
 * shows it for a broker resource and as topic configs fall back to it. The node that composed the
 * configuration provides it.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface StaticBrokerConfigs {

    /** The configs as given, every name included. */
    Map<String, String> originals();

    /** Every config the node defines with its effective value (given or default), by name. */
    Map<String, String> effectiveValues();

    /** Whether {@code name} holds a secret (a password, a private key): its value is never shown. */
    default boolean isSensitive(String name) {
        return false;
    }

    /** Whether {@code name} was left at its default. */
    default boolean isDefault(String name) {
        return !originals().containsKey(name);
    }
}
