package io.herald.broker.share;

import io.herald.coordinator.share.PersistedBatch;
import io.herald.group.config.ShareGroupSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What one operation on a {@link ShareWindow} needs done outside it: acquisition locks to arm, retry-backoff
 * wake-ups, state to persist, archived ranges to report, dead-letter intents to confirm, and whether parked fetches
 * should look again. The window
 * itself does no I/O and reads no clock; the share-partition carries these out after releasing its lock.
 *
 * <p>Not thread-safe: one per operation.
 */
final class WindowEffects {
    /** A lock to arm: records {@code [first, last]} acquired under {@code lockId} until {@code deadlineMs}. */
    record LockGrant(long lockId, long deadlineMs, long first, long last) {}

    /** Records archived for the dead-letter queue's reasons, reported once their state is persisted. */
    record ArchivedRange(long first, long last, int deliveryCount, ArchiveReason reason) {}

    final Rules rules;
    /** The write transitions started by this operation wait for (0: the operation starts none). */
    final long writeId;
    private final LongSupplier lockIds;
    final List<LockGrant> locks = new ArrayList<>();
    final List<Long> wakeups = new ArrayList<>();
    final List<PersistedBatch> writes = new ArrayList<>();
    final List<ArchivedRange> archived = new ArrayList<>();
    /** Runs made Archiving by unconditional writes (lock expiries): their copy waits until that write succeeded. */
    final List<ArchivedRange> intents = new ArrayList<>();
    /** Something became acquirable or the start offset moved: parked fetches should look again. */
    boolean changed;
    /** The start offset moved without a record to write (the log start passed it): persist the new start. */
    boolean startMoved;

    WindowEffects(Rules rules, long writeId, LongSupplier lockIds) {
        this.rules = rules;
        this.writeId = writeId;
        this.lockIds = lockIds;
    }

    long newLockId() {
        return lockIds.getAsLong();
    }

    /**
     * The group settings one operation decides with (read once per operation, so a config change applies from the
     * next one) and the time it happens at.
     */
    record Rules(long nowMs, ShareGroupSettings settings) {
        int deliveryCountLimit() {
            return settings.deliveryCountLimit();
        }

        int maxRecordLocks() {
            return settings.partitionMaxRecordLocks();
        }

        long lockDeadline() {
            return nowMs + settings.recordLockDurationMs();
        }

        /**
         * Kafka 4.3's throttled delivery: records delivered at least this often are handed out in shrinking
         * groups, so one poison record cannot archive a whole batch (half the limit rounded up, at least 2).
         */
        int throttleLimit() {
            return Math.max(2, (int) Math.ceil(settings.deliveryCountLimit() / 2.0));
        }

        /** When a record delivered {@code deliveryCount} times and made available now may be acquired again. */
        long availableAt(int deliveryCount) {
            return nowMs + settings.retryBackoffFor(deliveryCount);
        }
    }
}
