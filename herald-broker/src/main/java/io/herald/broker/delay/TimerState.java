package io.herald.broker.delay;

import io.herald.broker.delay.TimerRecord.Intent;
import io.herald.broker.delay.TimerRecord.ScheduleMeta;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
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
 * <p>Not thread-safe: the timer partition's loop owns it.
 */
final class TimerState {
    /** Producer batches remembered per producer and target, as Kafka keeps the last five batches. */
    static final int REMEMBERED_BATCHES = 16;

    /** A scheduled record not yet released. */
    record Pending(long dueMs, long offset, TopicPartition target) {}

    private record ProducerTarget(long producerId, TopicPartition target) {}

    /** The sequence range of the delayed records of one produced batch. */
    private record Range(short epoch, int first, int last) {
        boolean overlaps(short e, int f, int l) {
            return epoch == e && first <= l && f <= last;
        }
    }

    private static final Comparator<Pending> BY_DUE =
            Comparator.comparingLong(Pending::dueMs).thenComparingLong(Pending::offset);

    private final TreeSet<Pending> byDue = new TreeSet<>(BY_DUE);
    private final Map<Long, Pending> byOffset = new HashMap<>();
    private final Map<String, Integer> pendingByTopic = new HashMap<>();
    private final Map<ProducerTarget, ArrayDeque<Range>> scheduled = new HashMap<>();
    private Optional<Intent> inDoubt = Optional.empty();
    private long duplicates;

    /** One timer-log batch of schedules, each with its timer offset. */
    record ScheduledRecord(long offset, ScheduleMeta meta) {}

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
            ArrayDeque<Range> ranges = scheduled.computeIfAbsent(
                    new ProducerTarget(first.producerId(), first.target()), k -> new ArrayDeque<>());
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
        for (ScheduledRecord r : batch) {
            Pending p = new Pending(r.meta().dueMs(), r.offset(), r.meta().target());
            byDue.add(p);
            byOffset.put(r.offset(), p);
            pendingByTopic.merge(p.target().topic(), 1, Integer::sum);
        }
        return true;
    }

    /** A release is about to happen: until its outcome is applied, its records are in doubt. */
    void intent(Intent intent) {
        inDoubt = Optional.of(intent);
    }

    /** The outcome of the last intent: these records are in their targets (or dropped for good). */
    void released(List<Long> offsets) {
        for (long offset : offsets) {
            Pending p = byOffset.remove(offset);
            if (p != null) {
                byDue.remove(p);
                pendingByTopic.computeIfPresent(p.target().topic(), (t, n) -> n == 1 ? null : n - 1);
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
        List<Pending> due = new ArrayList<>();
        Iterator<Pending> it = byDue.iterator();
        while (it.hasNext() && due.size() < max) {
            Pending p = it.next();
            if (p.dueMs() > nowMs) {
                break;
            }
            due.add(p);
        }
        return due;
    }

    /** The earliest due time of a pending record. */
    OptionalLong nextDueMs() {
        return byDue.isEmpty() ? OptionalLong.empty() : OptionalLong.of(byDue.first().dueMs());
    }

    int pending() {
        return byOffset.size();
    }

    /** Pending records per target topic. */
    Map<String, Integer> pendingByTopic() {
        return Map.copyOf(pendingByTopic);
    }

    /** Scheduled records ignored as retries of a produce already scheduled. */
    long duplicates() {
        return duplicates;
    }
}
