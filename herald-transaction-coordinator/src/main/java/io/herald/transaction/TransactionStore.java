package io.herald.transaction;

import io.herald.transaction.record.TransactionRecord;
import io.herald.transaction.state.TransactionMetadata;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The transactional ids of one {@code __transaction_state} partition: the replay of its records, newest metadata
 * per id, tombstones removing ids. It holds only what was written; an operation reads it, computes the metadata a
 * transition leads to and returns it as a record, and the runtime replays that record here.
 *
 * <p>Replay does not check the lifecycle: compaction may have removed the records between two states, and the log
 * is the truth. The lifecycle is checked where records are made ({@link TransactionMetadata}'s transitions).
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class TransactionStore {
    private final Map<String, TransactionMetadata> transactions = new HashMap<>();

    void replay(TransactionRecord record) {
        record.value().ifPresentOrElse(m -> transactions.put(record.transactionalId(), m),
                () -> transactions.remove(record.transactionalId()));
    }

    Optional<TransactionMetadata> get(String transactionalId) {
        return Optional.ofNullable(transactions.get(transactionalId));
    }

    Collection<TransactionMetadata> all() {
        return Collections.unmodifiableCollection(transactions.values());
    }

    int size() {
        return transactions.size();
    }
}
