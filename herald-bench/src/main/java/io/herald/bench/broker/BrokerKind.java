package io.herald.bench.broker;

/** The two brokers compared; the order is the order of every pair of runs (Herald first). */
public enum BrokerKind {
    HERALD("Herald"),
    KAFKA("Kafka");

    private final String displayName;

    BrokerKind(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }
}
