package io.herald.protocol;

import java.util.Objects;

/**
 * Client quotas' hook into every connection (Kafka's quota managers and channel throttling, KIP-219). Once a
 * handler has answered, the dispatcher hands the answer to {@link #apply}; the throttle records what the request
 * cost its client, may rewrite the answer (a throttled fetch answers no records and the throttle time), and says
 * how long the connection stays muted after the answer has been written: its next request is not read before.
 * Clients that know KIP-219 back off by the {@code throttle_time_ms} of the answer themselves; the mute holds the
 * others back alike.
 *
 * <p>Called on the connection's event loop, once per request that has a handler (not for requests a SASL listener
 * answers before authentication): an implementation must be cheap and must not block.
 */
@FunctionalInterface
public interface RequestThrottle {

    /** Throttles nothing: a broker without quotas. */
    RequestThrottle NONE = (request, response, handlerNanos) -> new Throttled(response, 0);

    /**
     * Records what {@code request} cost and decides its throttle.
     *
     * @param response     the handler's answer
     * @param handlerNanos the time the handler took on the event loop, which the request quota charges
     *                     ({@code request_percentage})
     * @return the answer to write (the handler's, or a rewritten one) and the mute time
     */
    Throttled apply(KafkaRequest request, Response response, long handlerNanos);

    /**
     * @param response the answer to write
     * @param muteMs   how long the connection reads no request once the answer is written; 0 for none
     */
    record Throttled(Response response, int muteMs) {
        public Throttled {
            Objects.requireNonNull(response, "response");
            if (muteMs < 0) {
                throw new IllegalArgumentException("muteMs: " + muteMs + " (expected: >= 0)");
            }
        }
    }
}
