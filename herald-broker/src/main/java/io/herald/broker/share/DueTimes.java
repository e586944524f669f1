package io.herald.broker.share;

import io.herald.broker.share.WindowEffects.LockGrant;
import io.herald.common.timer.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acquisition-lock deadlines and retry-backoff ends of one share-partition in due-time order, behind a single
 * timer task armed for the earliest. A share-partition holds up to {@code share.partition.max.record.locks}
 * acquired records, each acquisition and renewal a deadline; one timer task per record (Kafka's way) would fill the
 * node's timer with tasks that are nearly all cancelled by acknowledgements. Deadlines that no longer matter (the
 * records were acknowledged or renewed) are not removed but skipped when they fall due: the share-partition checks
 * each against its records.
 *
 * <p>Not thread-safe: confined to the share-partition's lock. The timer task calls back into the share-partition,
 * which takes that lock and polls what is due.
 */
final class DueTimes {
    private static final Logger log = LoggerFactory.getLogger(DueTimes.class);

    /** A due time: a lock deadline ({@code lockId != 0}, for records {@code [first, last]}) or a backoff end. */
    record Due(long dueMs, long sequence, long lockId, long first, long last) implements Comparable<Due> {
        boolean isLock() {
            return lockId != 0;
        }

        @Override
        public int compareTo(Due o) {
            int c = Long.compare(dueMs, o.dueMs);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    private final Timer timer;
    private final LongConsumer onDue;
    private final TreeSet<Due> pending = new TreeSet<>();
    private long sequence;
    private Timer.Timeout armed;
    private long armedForMs = Long.MAX_VALUE;
    /** Tells a task that fires from one replaced meanwhile (it is then only an extra, harmless poll). */
    private long generation;
    private boolean closed;

    /**
     * @param onDue runs on the timer's thread when the earliest due time comes, with the task's generation; it takes
     *              the share-partition's lock, calls {@link #fired}, {@link #pollDue} and {@link #rearm}
     */
    DueTimes(Timer timer, LongConsumer onDue) {
        this.timer = timer;
        this.onDue = onDue;
    }

    void addLock(LockGrant grant) {
        pending.add(new Due(grant.deadlineMs(), sequence++, grant.lockId(), grant.first(), grant.last()));
    }

    /** A backoff ends at {@code dueMs}; one wake-up per instant is enough. */
    void addWakeUp(long dueMs) {
        Due probe = new Due(dueMs, -1, 0, 0, 0);
        Due next = pending.ceiling(probe);
        if (next != null && next.dueMs() == dueMs && !next.isLock()) {
            return;
        }
        pending.add(new Due(dueMs, sequence++, 0, 0, 0));
    }

    /** Removes and returns what is due at {@code nowMs}, earliest first. */
    List<Due> pollDue(long nowMs) {
        List<Due> due = new ArrayList<>();
        while (!pending.isEmpty() && pending.first().dueMs() <= nowMs) {
            due.add(pending.pollFirst());
        }
        return due;
    }

    /** Arms the timer for the earliest due time, if it is not armed for that already. */
    void rearm(long nowMs) {
        if (closed) {
            return;
        }
        long earliest = pending.isEmpty() ? Long.MAX_VALUE : pending.first().dueMs();
        if (earliest == armedForMs) {
            return;
        }
        if (armed != null) {
            armed.cancel();
            armed = null;
        }
        armedForMs = earliest;
        if (earliest == Long.MAX_VALUE) {
            return;
        }
        long task = ++generation;
        try {
            armed = timer.schedule(Math.max(0, earliest - nowMs), () -> onDue.accept(task));
        } catch (IllegalStateException e) {
            log.debug("The timer is closed; due times of this share-partition no longer fire");
            closed = true;
        }
    }

    /** Task {@code task} ran: if it is the armed one, nothing is armed any more. */
    void fired(long task) {
        if (task == generation) {
            armed = null;
            armedForMs = Long.MAX_VALUE;
        }
    }

    int size() {
        return pending.size();
    }

    void close() {
        closed = true;
        if (armed != null) {
            armed.cancel();
            armed = null;
        }
        pending.clear();
    }
}
