package io.herald.cli.produce;

/**
 * The record headers of Herald's delayed delivery, by name only: the CLI sets them like any client would, and a
 * broker without delayed delivery (Apache Kafka, or a Herald topic without {@value #ENABLE_CONFIG}) keeps them as
 * ordinary headers and delivers at once. Values are decimal ASCII, as Herald's broker parses them.
 */
final class DelayHeaders {
    /** Deliver this many milliseconds after the broker received the record. */
    static final String DELAY_MS = "herald.delay.ms";
    /** Deliver at this epoch millisecond (wins over {@link #DELAY_MS} when a record has both). */
    static final String DELIVER_AT = "herald.deliver.at";
    /** The topic config that makes a Herald topic hold back records with one of these headers. */
    static final String ENABLE_CONFIG = "herald.delivery.delay.enable";

    private DelayHeaders() {
    }
}
