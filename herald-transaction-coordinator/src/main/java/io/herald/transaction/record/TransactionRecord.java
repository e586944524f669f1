package io.herald.transaction.record;

import io.herald.transaction.state.TransactionMetadata;
import java.util.Objects;
import java.util.Optional;

/**
 * A record of {@code __transaction_state}: the whole metadata of one transactional id after a transition, or a
 * tombstone once the id expired. The key is the transactional id, so compaction keeps the newest metadata of each
 * id and, after {@code delete.retention.ms}, forgets expired ones.
 *
 * @param value the metadata, or empty for a tombstone
 */
public record TransactionRecord(String transactionalId, Optional<TransactionMetadata> value) {
    public TransactionRecord {
        Objects.requireNonNull(transactionalId, "transactionalId");
        Objects.requireNonNull(value, "value");
        value.ifPresent(v -> {
            if (!v.transactionalId().equals(transactionalId)) {
                throw new IllegalArgumentException("metadata of " + v.transactionalId() + " under key "
                        + transactionalId);
            }
        });
    }

    public static TransactionRecord of(TransactionMetadata metadata) {
        return new TransactionRecord(metadata.transactionalId(), Optional.of(metadata));
    }

    public static TransactionRecord tombstone(String transactionalId) {
        return new TransactionRecord(transactionalId, Optional.empty());
    }
}
