package io.herald.protocol;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Sees every request a listener finished, for request metrics. Called on the connection's event loop once the
 * response has been written (or was not needed), so an implementation must be cheap and must not block:
 * counters, not I/O.
 */
public interface RequestObserver {
    /** Observes nothing. */
    RequestObserver NONE = new RequestObserver() {
        @Override
        public void completed(ApiKeys api, long latencyNanos, ApiMessage response) {
        }

        @Override
        public void failed(ApiKeys api, long latencyNanos) {
        }
    };

    /**
     * A request was answered.
     *
     * @param latencyNanos from the frame's arrival to the response on the socket
     * @param response     the response sent, or null when the request wanted none (acks=0)
     */
    void completed(ApiKeys api, long latencyNanos, ApiMessage response);

    /** A request's handler failed or asked to close the connection; the connection was closed. */
    void failed(ApiKeys api, long latencyNanos);
}
