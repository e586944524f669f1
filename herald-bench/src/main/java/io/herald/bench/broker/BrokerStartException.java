package io.herald.bench.broker;

/** A broker did not come up: it exited, or did not answer Metadata in time. The message says which and why. */
public final class BrokerStartException extends Exception {
    public BrokerStartException(String message) {
        super(message);
    }
}
