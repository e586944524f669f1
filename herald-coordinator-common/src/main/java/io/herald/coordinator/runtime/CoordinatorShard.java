package io.herald.coordinator.runtime;

import org.apache.kafka.common.requests.TransactionResult;

/**
 * The state machine of one partition of a coordinator's internal topic (a {@code __consumer_offsets}
 * partition's groups and offsets, a {@code __transaction_state} partition's transactions, ...).
 *
 * <p>Durable state changes only in {@link #replay}: live operations and loading after a failover go through the
 * same code, so what a new leader rebuilds from the log is what the old one had. Operations (run by the
 * {@link CoordinatorRuntime}) read the state and return the records that describe their effect
 * ({@link CoordinatorResult}); they may also keep soft state that is not in the log (parked requests, members in
 * the middle of a rebalance, timers), which a reload drops.
 *
 * <p>Not thread-safe: every method runs on the runtime's event loop, one event at a time.
 *
 * @param <R> the record type of the internal topic
 */
public interface CoordinatorShard<R> {

    /** Applies one record: read back from the log while loading, or just written by an operation. */
    void replay(R record);

    /**
     * Applies a record written in {@code producer}'s transaction: it must stay pending until the transaction's
     * marker ({@link #replayEndTransactionMarker}) says whether it counts. Only coordinators that accept
     * transactional writes override this.
     */
    default void replayTransactional(TransactionalProducer producer, R record) {
        throw new IllegalStateException(getClass().getSimpleName() + " does not take transactional writes");
    }

    /** The end of {@code producer}'s transaction: its pending records count (COMMIT) or are dropped (ABORT). */
    default void replayEndTransactionMarker(TransactionalProducer producer, TransactionResult result) {
    }

    /**
     * Called once, after every record of the partition was replayed and before the first operation: arm the
     * timers the replayed state needs (session expiry, periodic jobs).
     */
    default void onLoaded() {
    }

    /**
     * Called when the partition stops being served here (resign, or a reload after a failed write): answer
     * whatever is parked (the runtime has already cancelled the shard's timers). Nothing is written.
     */
    default void onUnloaded() {
    }
}
