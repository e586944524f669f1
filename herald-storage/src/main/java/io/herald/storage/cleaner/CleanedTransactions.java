package io.herald.storage.cleaner;

import io.herald.storage.txn.AbortedTxn;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What one cleaning pass knows about transactions while it walks the log in offset order (Kafka's
 * {@code CleanedTransactionMetadata}): which data batches belong to aborted transactions (their records go, and
 * they never shadow older values of their keys), and which end markers may go.
 *
 * <p>Kafka's rules: an aborted transaction's data is removed; its ABORT marker is kept while this pass still saw a
 * batch of the transaction, and then its index entry is kept too (in the cleaned segment holding the marker); a
 * COMMIT marker is kept while this pass saw a batch of its transaction. Once a pass sees no data of a marker's
 * transaction, the marker may go, though only after {@code delete.retention.ms} (the cleaner stamps a delete horizon
 * into its batch, as for tombstones), so that a consumer reading that part of the log still sees it.
 *
 * <p>Fed with the aborted transactions whose data may lie in the cleaned range ({@link AbortedTxn}s from the
 * transaction indexes); batches must be offered in offset order, each once.
 *
 * <p>Thread-safety: not thread-safe; one instance per pass.
 */
final class CleanedTransactions {
    /** Aborted transactions not yet reached, by first offset. */
    private final PriorityQueue<AbortedTxn> pending = new PriorityQueue<>(Comparator.comparingLong(AbortedTxn::firstOffset));
    /** Producer → the aborted transaction it is in at the current offset, and whether a batch of it was seen. */
    private final Map<Long, AbortedInProgress> aborted = new HashMap<>();
    /** Producers in a (not aborted) transaction of which a batch was seen. */
    private final Set<Long> committed = new HashSet<>();
    /** Index entries of aborted transactions whose marker is kept, in marker order, until drained. */
    private final List<AbortedTxn> retainedIndexEntries = new ArrayList<>();

    private static final class AbortedInProgress {
        final AbortedTxn txn;
        boolean batchSeen;

        AbortedInProgress(AbortedTxn txn) {
            this.txn = txn;
        }
    }

    CleanedTransactions(List<AbortedTxn> abortedTxns) {
        pending.addAll(abortedTxns);
    }

    private void reach(long offset) {
        while (!pending.isEmpty() && pending.peek().firstOffset() <= offset) {
            AbortedTxn txn = pending.poll();
            aborted.putIfAbsent(txn.producerId(), new AbortedInProgress(txn));
        }
    }

    /**
     * A data batch: true when it belongs to an aborted transaction, so that it can be discarded.
     */
    boolean onDataBatch(RecordBatch batch) {
        reach(batch.lastOffset());
        if (!batch.isTransactional()) {
            return false;
        }
        AbortedInProgress txn = aborted.get(batch.producerId());
        if (txn != null) {
            txn.batchSeen = true;
            return true;
        }
        committed.add(batch.producerId());
        return false;
    }

    /**
     * A control batch: true when it may be discarded, because it ends a transaction of which this pass saw no data
     * (or it is empty: an earlier cleaning already removed its record).
     */
    boolean onControlBatch(RecordBatch batch) {
        reach(batch.lastOffset());
        Iterator<Record> records = batch.iterator();
        if (!records.hasNext()) {
            return true;
        }
        ControlRecordType type = ControlRecordType.parse(records.next().key());
        long producerId = batch.producerId();
        return switch (type) {
            case ABORT -> {
                AbortedInProgress txn = aborted.remove(producerId);
                if (txn != null && txn.batchSeen) {
                    retainedIndexEntries.add(txn.txn);
                    yield false;
                }
                yield true;
            }
            case COMMIT -> !committed.remove(producerId);
            default -> false;
        };
    }

    /** The index entries of the kept ABORT markers met since the last call. */
    List<AbortedTxn> drainRetainedIndexEntries() {
        List<AbortedTxn> out = List.copyOf(retainedIndexEntries);
        retainedIndexEntries.clear();
        return out;
    }
}
