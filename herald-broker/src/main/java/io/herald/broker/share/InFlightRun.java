package io.herald.broker.share;

/**
 * Consecutive in-flight offsets of one in-flight batch that share their delivery state. An in-flight batch
 * ({@code [batchFirst, batchLast]}, Kafka's {@code InFlightBatch}) is what one acquisition handed out; while
 * {@link #split} is false it is one run and is treated as a whole, as Kafka treats a batch without offset state;
 * once an operation touched part of it, it is tracked per offset (Kafka's offset state), here as runs of offsets
 * with equal state, split further as operations need.
 *
 * <p>A pending run ({@code writeId != 0}) shows the state an acknowledgement or release moved it to, and waits for
 * that write: nothing else may change it until the write succeeds (commit) or fails ({@link #rollback} restores
 * the state before).
 *
 * <p>Not thread-safe: confined to the share-partition's lock.
 */
final class InFlightRun {
    final long batchFirst;
    final long batchLast;
    boolean split;
    long first;
    long last;
    RecordState state;
    int deliveryCount;
    /** Who holds the acquisition lock; empty unless acquired. */
    String memberId = "";
    /** The acquisition lock's id (unique within the share-partition) and deadline, while acquired. */
    long lockId;
    long lockDeadlineMs;
    /** Retry backoff: an available run is acquirable only from this time on. */
    long availableAtMs;
    /** The write a pending transition waits for, 0 when none. */
    long writeId;
    Rollback rollback;
    /** Why a pending or just committed archive happened, when the dead-letter queue must hear of it. */
    ArchiveReason archiveReason;
    /** While Archiving: how far its dead-letter copy is; null otherwise. */
    DeadLetterStage deadLetter;

    InFlightRun(long batchFirst, long batchLast, long first, long last, RecordState state, int deliveryCount) {
        this.batchFirst = batchFirst;
        this.batchLast = batchLast;
        this.first = first;
        this.last = last;
        this.state = state;
        this.deliveryCount = deliveryCount;
    }

    /** The state a pending transition started from, and what happened to the lock meanwhile. */
    record Rollback(RecordState state, int deliveryCount, String memberId, long lockId, long lockDeadlineMs,
                    boolean lockExpired, boolean archived) {
        Rollback withLockExpired() {
            return new Rollback(state, deliveryCount, memberId, lockId, lockDeadlineMs, true, archived);
        }

        Rollback withArchived() {
            return new Rollback(state, deliveryCount, memberId, lockId, lockDeadlineMs, lockExpired, true);
        }
    }

    InFlightRun copy(long newFirst, long newLast) {
        InFlightRun c = new InFlightRun(batchFirst, batchLast, newFirst, newLast, state, deliveryCount);
        c.split = split;
        c.memberId = memberId;
        c.lockId = lockId;
        c.lockDeadlineMs = lockDeadlineMs;
        c.availableAtMs = availableAtMs;
        c.writeId = writeId;
        c.rollback = rollback;
        c.archiveReason = archiveReason;
        c.deadLetter = deadLetter;
        return c;
    }

    long count() {
        return last - first + 1;
    }

    boolean pending() {
        return writeId != 0;
    }

    boolean acquirableAt(long nowMs) {
        return state == RecordState.AVAILABLE && writeId == 0 && availableAtMs <= nowMs;
    }

    /** Holds acquisition lock {@code id}, now or once a pending transition rolls back. */
    boolean holdsLock(long id) {
        return (state == RecordState.ACQUIRED && writeId == 0 && lockId == id)
                || (writeId != 0 && rollback != null && rollback.lockId() == id);
    }

    void clearLock() {
        memberId = "";
        lockId = 0;
        lockDeadlineMs = 0;
    }

    @Override
    public String toString() {
        return "[" + first + ", " + last + "] " + state + " x" + deliveryCount
                + (memberId.isEmpty() ? "" : " by " + memberId) + (writeId != 0 ? " (pending " + writeId + ")" : "")
                + (deadLetter == null ? "" : " " + deadLetter) + (split ? "" : " whole");
    }
}
