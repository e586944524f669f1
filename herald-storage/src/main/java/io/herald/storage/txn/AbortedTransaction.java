package io.herald.storage.txn;

/**
 * An aborted transaction a read_committed fetch must tell the consumer about, which then drops the producer's
 * transactional records from {@code firstOffset} up to the abort marker. The fetch response carries
 * {@code producerId} and {@code firstOffset}; {@code lastOffset} is the marker's offset.
 */
public record AbortedTransaction(long producerId, long firstOffset, long lastOffset) {}
