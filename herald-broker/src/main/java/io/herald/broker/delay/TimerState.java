package io.herald.broker.delay;

import io.herald.broker.delay.TimerRecord.Intent;
import io.herald.broker.delay.TimerRecord.ScheduleMeta;
import io.herald.common.time.Time;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * What one timer-log partition holds, rebuilt by applying its records in offset order: the pending scheduled
 * records by due time, the producer batches already scheduled (so that a retried produce is scheduled once), and
 * the last release {@link Intent} while its outcome is not yet written.
 *
 * <p>Every leader that applies the same records has the same state: duplicates are decided here, from the log,
 * not by whoever wrote them.
 *
 * <p>Order: pending records are released by due time, then timer offset; a target partition always maps to the
 * same timer partition, so records of one key with one due time keep their produce order.
 *
 * <p>The pending records are kept by a {@link TimerIndex}: the near future in memory, the rest on disk.
 *
 * <p>Not thread-safe: the timer partition's loop owns it.
 */
final class TimerState {
    /** Producer batches remembered per producer and target, as Kafka keeps the last five batches. */
    static final int REMEMBERED_BATCHES = 16;
    /**
     * A producer and target with no schedule for this long (by the timer log's own timestamps) is forgotten, as
     * Kafka forgets idle producer ids ({@code producer.id.expiration.ms}, one day by default).
     */
    static final long PRODUCER_EXPIRY_MS = 86_400_000L;
    /**
     * How long the timer log keeps the schedules of released records, so that a leader rebuilt from it still
     * recognizes a retried produce: far longer than a producer retries ({@code delivery.timeout.ms}, two minutes
     * by default).
     */
    static final long SCHEDULES_KEPT_MS = 3_600_000L;
    /** A mark of where the log was every minute, for {@link #trimPoint}. */
    private static final long MARK_INTERVAL_MS = 60_000L;

    /** A scheduled record not yet released. */
    record Pending(long dueMs, long offset, TopicPartition target) {}

    private record ProducerTarget(long producerId, TopicPartition target) {}

    /** The sequence range of the delayed records of one produced batch. */
    private record Range(short epoch, int first, int last) {
        boolean overlaps(short e, int f, int l) {
            return epoch == e && first <= l && f <= last;
        }
    }

    private final TimerIndex pending;
    private final Time time;
    /** Least recently scheduled first (access order), so the idle ones are found at the head. */
    private final LinkedHashMap<ProducerTarget, Remembered> scheduled = new LinkedHashMap<>(16, 0.75f, true);
    private Optional<Intent> inDoubt = Optional.empty();
    private long inDoubtOffset = -1;
    private long duplicates;
    private long lowestScheduled = Long.MAX_VALUE;
    /** (logged ms, offset) of the first record applied in each minute, oldest first. */
    private final ArrayDeque<long[]> marks = new ArrayDeque<>();
    private final Set<Long> movedFrom = new HashSet<>();

    /** @param pending where pending records are kept (owned by this state from now on) */
    TimerState(TimerIndex pending, Time time) {
        this.pending = pending;
        this.time = time;
    }

    /** One timer-log batch of schedules, each with its timer offset. */
    /** @param loggedMs the timer record's own timestamp: when it was scheduled */
    record ScheduledRecord(long offset, ScheduleMeta meta, long loggedMs) {}

    /** The last batches of one producer and target, and when the last was scheduled. */
    private static final class Remembered {
        private final ArrayDeque<Range> ranges = new ArrayDeque<>();
        private long lastMs;
    }

    /**
     * Applies the schedules of one timer-log batch (one produced batch's delayed records): all pending, unless a
     * batch of the same producer, epoch and target with overlapping sequences came before (a retry).
     *
     * @return whether they were scheduled (false for a duplicate)
     */
    boolean schedule(List<ScheduledRecord> batch) {
        if (batch.isEmpty()) {
            return false;
        }
        ScheduleMeta first = batch.get(0).meta();
        if (first.producerId() >= 0 && first.sequence() >= 0) {
            int lo = Integer.MAX_VALUE;
            int hi = Integer.MIN_VALUE;
            for (ScheduledRecord r : batch) {
                lo = Math.min(lo, r.meta().sequence());
                hi = Math.max(hi, r.meta().sequence());
            }
            long loggedMs = batch.get(0).loggedMs();
            forgetIdleProducers(loggedMs);
            Remembered remembered = scheduled.computeIfAbsent(
                    new ProducerTarget(first.producerId(), first.target()), k -> new Remembered());
            remembered.lastMs = Math.max(remembered.lastMs, loggedMs);
            ArrayDeque<Range> ranges = remembered.ranges;
            for (Range r : ranges) {
                if (r.overlaps(first.producerEpoch(), lo, hi)) {
                    duplicates += batch.size();
                    return false;
                }
            }
            if (ranges.size() == REMEMBERED_BATCHES) {
                ranges.removeFirst();
            }
            ranges.addLast(new Range(first.producerEpoch(), lo, hi));
        }
        long now = time.milliseconds();
        for (ScheduledRecord r : batch) {
            lowestScheduled = Math.min(lowestScheduled, r.offset());
            pending.add(new Pending(r.meta().dueMs(), r.offset(), r.meta().target()), now);
        }
        return true;
    }

    private void forgetIdleProducers(long nowMs) {
        Iterator<Remembered> it = scheduled.values().iterator();
        while (it.hasNext()) {
            if (it.next().lastMs >= nowMs - PRODUCER_EXPIRY_MS) {
                return;
            }
            it.remove();
        }
    }

    /** Producers and targets whose last batches are remembered. */
    int rememberedProducers() {
        return scheduled.size();
    }

    /** A release is about to happen (the intent at {@code offset}): until its outcome is applied, its records are in doubt. */
    void intent(Intent intent, long offset) {
        inDoubt = Optional.of(intent);
        inDoubtOffset = offset;
    }

    /** Every record applied, in offset order, with its own timestamp: the marks {@link #trimPoint} uses. */
    void logged(long offset, long loggedMs) {
        long[] last = marks.peekLast();
        if (last == null || loggedMs >= last[0] + MARK_INTERVAL_MS) {
            marks.addLast(new long[] {loggedMs, offset});
        }
    }

    /**
     * The offset below which the timer log holds nothing a leader needs any more: no pending schedule, no intent
     * in doubt, and only records logged more than {@link #SCHEDULES_KEPT_MS} before {@code nowMs} (judged by a
     * mark a minute, so up to a minute more is kept). Empty when nothing can go.
     *
     * @param readOffset where this state has read the log up to
     */
    OptionalLong trimPoint(long nowMs, long readOffset) {
        OptionalLong retained = retainedFrom(nowMs, readOffset);
        OptionalLong minPending = pending.minPendingOffset();
        if (retained.isEmpty() || minPending.isEmpty()) {
            return retained;
        }
        return OptionalLong.of(Math.min(retained.getAsLong(), minPending.getAsLong()));
    }

    /** As {@link #trimPoint}, but not held back by pending records: where the log could start without them. */
    OptionalLong retainedFrom(long nowMs, long readOffset) {
        // Timestamps rise with offsets, and a mark is the first record of a new minute: every record below mark
        // i+1 (or below readOffset, after the last mark) was logged before mark i's time plus a minute.
        long keptFrom = nowMs - SCHEDULES_KEPT_MS;
        while (marks.size() > 1 && second(marks)[0] + MARK_INTERVAL_MS <= keptFrom) {
            marks.removeFirst(); // the next mark is old enough too
        }
        long[] first = marks.peekFirst();
        if (first == null || first[0] + MARK_INTERVAL_MS > keptFrom) {
            return OptionalLong.empty();
        }
        long point = Math.min(marks.size() > 1 ? second(marks)[1] : readOffset, readOffset);
        if (inDoubt.isPresent()) {
            point = Math.min(point, inDoubtOffset);
        }
        return OptionalLong.of(point);
    }

    private static long[] second(ArrayDeque<long[]> marks) {
        Iterator<long[]> it = marks.iterator();
        it.next();
        return it.next();
    }

    /** Up to {@code max} pending records below {@code offset} (reads the index's files: for occasional use). */
    List<Pending> pendingBelow(long offset, int max) {
        return pending.pendingBelow(offset, max);
    }

    /**
     * A schedule written again at {@code moved}'s offset replaces the one at {@code from}: the record stays
     * pending once, at its new offset. A second move of the same original (a move retried after a failure that
     * had landed) is ignored.
     */
    void moved(long from, ScheduledRecord moved) {
        if (!movedFrom.add(from)) {
            return;
        }
        if (from >= lowestScheduled) {
            pending.remove(from, Optional.of(moved.meta().target().topic()));
        }
        lowestScheduled = Math.min(lowestScheduled, moved.offset());
        pending.add(new Pending(moved.meta().dueMs(), moved.offset(), moved.meta().target()), time.milliseconds());
    }

    /** Forgets moves of originals below the log start: no second move of them can follow. */
    void logStartMoved(long logStartOffset) {
        movedFrom.removeIf(o -> o < logStartOffset);
    }

    /** The outcome of the last intent: these records are in their targets (or dropped for good). */
    void released(List<Long> offsets) {
        for (long offset : offsets) {
            if (offset >= lowestScheduled) { // below it: trimmed from the log before this state read it
                pending.remove(offset);
            }
        }
        inDoubt = Optional.empty();
    }

    /** The last intent, while no outcome follows it. */
    Optional<Intent> inDoubt() {
        return inDoubt;
    }

    /** Up to {@code max} pending records due at {@code nowMs}, by due time then timer offset. */
    List<Pending> due(long nowMs, int max) {
        return pending.due(nowMs, max);
    }

    /**
     * Moves a due record to {@code untilMs} (its transaction is still open): a local decision, not in the log, so
     * another leader asks again when it finds the record due.
     */
    void postpone(Pending p, long untilMs) {
        if (pending.remove(p.offset())) {
            pending.add(new Pending(untilMs, p.offset(), p.target()), time.milliseconds());
        }
    }

    /** The earliest due time of a pending record. */
    OptionalLong nextDueMs() {
        return pending.nextDueMs();
    }

    /** When the next cycle should run: the earliest due time, or earlier if pending records must be read first. */
    OptionalLong nextWakeMs() {
        return pending.nextWakeMs();
    }

    int pending() {
        return pending.pending();
    }

    /** Pending records per target topic. */
    Map<String, Integer> pendingByTopic() {
        return pending.pendingByTopic();
    }

    /** Pending records held in memory (the rest are in the index's files). */
    int inMemory() {
        return pending.inMemory();
    }

    /** Deletes the index's files. */
    void close() {
        pending.close();
    }

    /** Scheduled records ignored as retries of a produce already scheduled. */
    long duplicates() {
        return duplicates;
    }
}
