package io.herald.transaction;

import io.herald.common.time.Time;
import io.herald.transaction.record.TransactionRecord;
import io.herald.transaction.state.TransactionMetadata;
import io.herald.transaction.state.TransactionState;
import java.util.ArrayList;
import java.util.List;

/**
 * The two periodic jobs of a shard, as in Kafka's transaction state manager: aborting transactions open longer
 * than their {@code transaction.timeout.ms} (a producer that died mid-transaction must not hold back the last
 * stable offset forever), and expiring transactional ids with nothing in flight and no change for
 * {@code transactional.id.expiration.ms}, by writing tombstones.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class TransactionCleaner {
    /**
     * Most tombstones one expiry run writes: they are one batch, which must stay far below the log's
     * {@code max.message.bytes}; the rest wait for the next run.
     */
    static final int MAX_TOMBSTONES_PER_RUN = 1000;

    private final TransactionConfig config;
    private final TransactionStore store;
    private final Time time;

    TransactionCleaner(TransactionConfig config, TransactionStore store, Time time) {
        this.config = config;
        this.store = store;
        this.time = time;
    }

    /**
     * Ongoing transactions past their timeout, aborted with a bumped epoch (the producer is fenced, as Kafka's
     * {@code abortTimedOutTransactions} does through PrepareEpochFence).
     */
    List<TransactionMetadata> abortTimedOut() {
        long now = time.milliseconds();
        List<TransactionMetadata> aborted = new ArrayList<>();
        for (TransactionMetadata m : store.all()) {
            if (m.state() == TransactionState.ONGOING && m.startTimestamp() + m.timeoutMs() < now) {
                aborted.add(m.fenceAndAbort(now));
            }
        }
        return aborted;
    }

    /** Tombstones of the ids idle for {@code transactional.id.expiration.ms} with no transaction in flight. */
    List<TransactionRecord> expireIdle() {
        long deadline = time.milliseconds() - config.transactionalIdExpirationMs();
        List<TransactionRecord> tombstones = new ArrayList<>();
        for (TransactionMetadata m : store.all()) {
            if (tombstones.size() >= MAX_TOMBSTONES_PER_RUN) {
                break;
            }
            if (m.state().isExpirationAllowed() && m.lastUpdateTimestamp() <= deadline) {
                m.checkCanExpire();
                tombstones.add(TransactionRecord.tombstone(m.transactionalId()));
            }
        }
        return tombstones;
    }
}
