package io.herald.broker.share;

/**
 * Told when records of a share-partition become Archived by REJECT or by the delivery count limit (in a group with
 * a dead-letter topic, after their copy was written: the copies themselves go through {@link DeadLetterQueue}, which
 * needs the Archiving intent this hook comes too late for). Archiving for other reasons (GAP acknowledgements, aborted transactions, records
 * below a moved log start offset) is not reported.
 *
 * <p>Called once per archived range, after the change was written through the persister (for a lock expiry, after
 * the write was attempted: Kafka applies expiries whatever the write's outcome), outside the share-partition's
 * lock, on the thread that completed the write. Must not block: hand real work to another thread.
 */
@FunctionalInterface
public interface ArchiveListener {
    ArchiveListener NONE = records -> { };

    void onArchived(ArchivedRecords records);
}
