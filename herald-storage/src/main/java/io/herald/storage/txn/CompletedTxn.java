package io.herald.storage.txn;

/**
 * A transaction that an end marker just completed: its producer, its first data offset, and the marker's offset.
 * Transactions without any data do not complete anything: their marker changes neither the first unstable offset
 * nor the transaction index (as in Kafka).
 */
public record CompletedTxn(long producerId, long firstOffset, long lastOffset, boolean aborted) {
    public CompletedTxn {
        if (firstOffset > lastOffset) {
            throw new IllegalArgumentException("firstOffset " + firstOffset + " > lastOffset " + lastOffset);
        }
    }
}
