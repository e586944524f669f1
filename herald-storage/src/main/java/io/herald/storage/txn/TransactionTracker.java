package io.herald.storage.txn;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The transactions of one partition that are not yet stable, and from them the first unstable offset.
 *
 * <p>A transaction is <em>ongoing</em> from its first data batch until its end marker is appended, then
 * <em>unreplicated</em> until the high watermark passes the marker. Kafka's {@code firstUnstableOffset} is the
 * smallest first offset among both kinds: a read_committed consumer may read a transaction only once its outcome
 * is decided <em>and</em> replicated, or a new leader without the marker could still see it open. The last stable
 * offset is then {@code min(firstUnstableOffset, highWatermark)}.
 *
 * <p>Invariants: at most one ongoing transaction per producer; keys are first offsets, which are unique in a log.
 *
 * <p>Thread-safety: mutations are confined to the partition lock; {@link #firstUnstableOffset()} is a volatile
 * read, recomputed after every mutation, and may be called from any thread.
 */
public final class TransactionTracker {
    /** First offset → producer id. */
    private final TreeMap<Long, Long> ongoing = new TreeMap<>();
    /** First offset → the completed transaction, while its marker is at or above the high watermark. */
    private final TreeMap<Long, CompletedTxn> unreplicated = new TreeMap<>();
    /** -1: none. */
    private volatile long firstUnstable = -1;

    /** A producer's first transactional batch at {@code firstOffset} opened a transaction. */
    public void start(long producerId, long firstOffset) {
        Long previous = ongoing.put(firstOffset, producerId);
        if (previous != null && previous != producerId) {
            throw new IllegalStateException("transactions of producers " + previous + " and " + producerId
                + " both start at offset " + firstOffset);
        }
        refresh();
    }

    /**
     * Kafka's last stable offset for an aborted-transaction index entry: the first offset of the earliest ongoing
     * transaction of another producer, or the offset after the marker. Call before {@link #complete}.
     */
    public long lastStableOffset(CompletedTxn txn) {
        for (Map.Entry<Long, Long> e : ongoing.entrySet()) {
            if (e.getValue() != txn.producerId()) {
                return e.getKey();
            }
        }
        return txn.lastOffset() + 1;
    }

    /**
     * The transaction's marker was appended: it stops being ongoing and stays unstable until the high watermark
     * passes the marker.
     *
     * @throws IllegalStateException the transaction was not ongoing
     */
    public void complete(CompletedTxn txn) {
        Long producer = ongoing.remove(txn.firstOffset());
        if (producer == null || producer != txn.producerId()) {
            throw new IllegalStateException("completed transaction " + txn + " was not ongoing (ongoing: " + ongoing + ")");
        }
        unreplicated.put(txn.firstOffset(), txn);
        refresh();
    }

    /** Transactions whose marker is below the high watermark are stable (Kafka's {@code onHighWatermarkUpdated}). */
    public void onHighWatermarkUpdated(long highWatermark) {
        removeUnreplicatedBelow(highWatermark);
    }

    /** The log start offset passed these markers: nothing of them is left to read. */
    public void onLogStartOffsetIncremented(long logStartOffset) {
        removeUnreplicatedBelow(logStartOffset);
    }

    private void removeUnreplicatedBelow(long offset) {
        if (unreplicated.values().removeIf(t -> t.lastOffset() < offset)) {
            refresh();
        }
    }

    /** Forgets everything (the producer state is being reloaded). */
    public void clear() {
        ongoing.clear();
        unreplicated.clear();
        refresh();
    }

    /**
     * The smallest first offset of an ongoing or unreplicated transaction, not clamped to the log start offset
     * (the log does that, as retention may have removed a transaction's first batches).
     */
    public OptionalLong firstUnstableOffset() {
        long value = firstUnstable;
        return value < 0 ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /** The smallest first offset of an ongoing transaction (Kafka's {@code firstUndecidedOffset}). */
    public OptionalLong firstUndecidedOffset() {
        return ongoing.isEmpty() ? OptionalLong.empty() : OptionalLong.of(ongoing.firstKey());
    }

    /** Ongoing transactions: first offset → producer id (a copy). */
    public Map<Long, Long> ongoing() {
        return Map.copyOf(ongoing);
    }

    private void refresh() {
        long first = Long.MAX_VALUE;
        if (!ongoing.isEmpty()) {
            first = ongoing.firstKey();
        }
        if (!unreplicated.isEmpty()) {
            first = Math.min(first, unreplicated.firstKey());
        }
        firstUnstable = first == Long.MAX_VALUE ? -1 : first;
    }

    @Override
    public String toString() {
        return "TransactionTracker(ongoing=" + ongoing + ", unreplicated=" + unreplicated.keySet() + ")";
    }
}
