package io.herald.broker.delay;

import io.herald.broker.delay.TimerRecord.Schedule;
import io.herald.broker.delay.TimerState.ScheduledRecord;
import io.herald.broker.partition.LeaderLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timer log as its partition's leader reads it: every committed record applied to the {@link TimerState} once,
 * in offset order, from the log start on (so a new leader rebuilds the state), and the schedules of the records to
 * release fetched by offset.
 *
 * <p>A record that does not parse, or of an unknown type, is logged and skipped: it cannot stop the partition.
 *
 * <p>Not thread-safe: every method runs on the timer partition's loop; reads complete elsewhere and hop back.
 */
final class TimerLogReader {
    private static final Logger log = LoggerFactory.getLogger(TimerLogReader.class);
    /** Bytes per read while catching up. */
    static final int READ_BYTES = 1 << 20;
    /**
     * Bytes per read of the schedules to release: due records lie scattered over the timer log, so a read
     * rarely finds more than one wanted batch (at least one batch is returned, whatever its size).
     */
    static final int SCHEDULE_READ_BYTES = 64 * 1024;

    private final TopicPartition timerTp;
    private final LeaderLog timerLog;
    private final TimerState state;
    private final Executor loop;
    private long readOffset = -1;

    TimerLogReader(TopicPartition timerTp, LeaderLog timerLog, TimerState state, Executor loop) {
        this.timerTp = timerTp;
        this.timerLog = timerLog;
        this.state = state;
        this.loop = loop;
    }

    /** The offset of the next record to apply. */
    long readOffset() {
        return readOffset;
    }

    /** Applies every committed record not applied yet. */
    CompletableFuture<Void> catchUp() {
        return timerLog.bounds(timerTp).thenComposeAsync(bounds -> {
            if (readOffset < bounds.logStartOffset()) {
                readOffset = bounds.logStartOffset();
            }
            return readUpTo(bounds.highWatermark());
        }, loop);
    }

    private CompletableFuture<Void> readUpTo(long highWatermark) {
        if (readOffset >= highWatermark) {
            return CompletableFuture.completedFuture(null);
        }
        return timerLog.read(timerTp, readOffset, READ_BYTES).thenComposeAsync(records -> {
            long before = readOffset;
            for (RecordBatch batch : records.batches()) {
                if (batch.lastOffset() < readOffset || batch.baseOffset() >= highWatermark) {
                    continue;
                }
                apply(batch, highWatermark);
                readOffset = Math.max(readOffset, Math.min(batch.lastOffset() + 1, highWatermark));
            }
            return readOffset == before ? CompletableFuture.completedFuture(null) : readUpTo(highWatermark);
        }, loop);
    }

    private void apply(RecordBatch batch, long highWatermark) {
        if (batch.isControlBatch()) {
            return;
        }
        List<ScheduledRecord> schedules = new ArrayList<>();
        for (Record r : batch) {
            if (r.offset() < readOffset || r.offset() >= highWatermark) {
                continue;
            }
            state.logged(r.offset(), r.timestamp());
            try {
                switch (TimerRecord.type(r)) {
                    case TimerRecord.SCHEDULE, TimerRecord.TXN_SCHEDULE -> schedules.add(new ScheduledRecord(
                            r.offset(), TimerRecord.scheduleMeta(r), r.timestamp()));
                    case TimerRecord.MOVED -> {
                        state.schedule(schedules);
                        schedules = new ArrayList<>();
                        state.moved(TimerRecord.movedFrom(r), new ScheduledRecord(r.offset(),
                                TimerRecord.scheduleMeta(r), r.timestamp()));
                    }
                    case TimerRecord.INTENT, TimerRecord.SCANNED_INTENT -> {
                        state.schedule(schedules);
                        schedules = new ArrayList<>();
                        state.intent(TimerRecord.intent(r), r.offset());
                    }
                    case TimerRecord.RELEASED -> {
                        state.schedule(schedules);
                        schedules = new ArrayList<>();
                        state.released(TimerRecord.released(r).offsets());
                    }
                    default -> log.error("Timer partition {}: record at offset {} has unknown type {}; skipped",
                            timerTp, r.offset(), TimerRecord.type(r));
                }
            } catch (RuntimeException e) {
                log.error("Timer partition {}: record at offset {} does not parse; skipped: {}", timerTp,
                        r.offset(), e.toString());
            }
        }
        state.schedule(schedules);
    }

    /** The schedules at {@code offsets} (ascending), read from the timer log; those no longer there are missing. */
    CompletableFuture<Map<Long, Schedule>> readSchedules(List<Long> offsets) {
        return readSchedules(offsets, 0, new HashMap<>());
    }

    private CompletableFuture<Map<Long, Schedule>> readSchedules(List<Long> offsets, int from,
                                                                 Map<Long, Schedule> found) {
        if (from >= offsets.size()) {
            return CompletableFuture.completedFuture(found);
        }
        long wanted = offsets.get(from);
        return timerLog.read(timerTp, wanted, SCHEDULE_READ_BYTES).thenComposeAsync(records -> {
            int next = from;
            for (RecordBatch batch : records.batches()) {
                while (next < offsets.size() && offsets.get(next) < batch.baseOffset()) {
                    next++; // not in the log any more: the caller sees it missing
                }
                if (next >= offsets.size()) {
                    break;
                }
                if (offsets.get(next) > batch.lastOffset()) {
                    continue; // nothing wanted here: not decoded (due records are scattered over the log)
                }
                for (Record r : batch) {
                    while (next < offsets.size() && offsets.get(next) < r.offset()) {
                        next++; // not in the log any more: the caller sees it missing
                    }
                    if (next < offsets.size() && offsets.get(next) == r.offset()) {
                        found.put(r.offset(), TimerRecord.schedule(r));
                        next++;
                    }
                }
            }
            if (next == from) {
                next++; // nothing at or after the wanted offset
            }
            return readSchedules(offsets, next, found);
        }, loop);
    }
}
