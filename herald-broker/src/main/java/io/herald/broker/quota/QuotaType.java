package io.herald.broker.quota;

/** The client quotas a broker enforces, each with the key it is configured by (Kafka's QuotaConfig names). */
public enum QuotaType {
    /** Bytes per second a client may produce, measured by the produce requests' size. */
    PRODUCE("producer_byte_rate"),
    /** Bytes per second a client may fetch, measured by the fetch answers' records. */
    FETCH("consumer_byte_rate"),
    /** Percent of one thread's time a client's requests may take (100 = one whole thread). */
    REQUEST("request_percentage"),
    /** Partitions per second a client may create, add or delete (KIP-599). */
    CONTROLLER_MUTATION("controller_mutation_rate");

    private final String key;

    QuotaType(String key) {
        this.key = key;
    }

    /** The quota's key in AlterClientQuotas and DescribeClientQuotas. */
    public String key() {
        return key;
    }
}
