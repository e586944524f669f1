package io.herald.storage.producer;

/**
 * Who appends a batch, which decides how much of the producer state rules is enforced (Kafka's
 * {@code AppendOrigin}, plus the log's own replay).
 */
public enum AppendOrigin {
    /** A Produce request: every rule, duplicates detected, sequences checked, fenced batches refused. */
    CLIENT,
    /** A coordinator writing end markers: epochs and coordinator epochs enforced, no sequences. */
    COORDINATOR,
    /**
     * A follower appending what its leader wrote: the leader decided, so fencing is only logged; a non-transactional
     * batch inside a transaction is still refused, as Kafka does.
     */
    REPLICATION,
    /** The log replaying its own batches (loading, recovery, truncation): nothing is refused. */
    RECOVERY
}
