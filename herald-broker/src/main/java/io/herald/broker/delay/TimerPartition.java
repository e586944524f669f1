package io.herald.broker.delay;

import io.herald.broker.delay.TimerRecord.Intent;
import io.herald.broker.delay.TimerRecord.Schedule;
import io.herald.broker.delay.TimerRecord.Target;
import io.herald.broker.delay.TimerState.Pending;
import io.herald.broker.partition.LeaderLog;
import io.herald.broker.partition.LeaderLog.TransactionOutcome;
import io.herald.common.time.Time;
import io.herald.transaction.ProducerIdGenerator;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One timer-log partition this broker leads: reads its committed records into a {@link TimerState} (through a
 * {@link TimerLogReader}) and releases due records to their target partitions, exactly once; now and then it
 * moves the timer log's start past what it no longer needs.
 *
 * <p>A release is three writes, each committed before the next: an {@link Intent} in the timer log (which records
 * go where, as which idempotent batch), the records to their targets (acks=all, each with the
 * {@value DelayHeaders#DELAYED_ID} header), then {@link TimerRecord.Released} in the timer log. Each instance (one
 * leadership) writes its batches with a producer id of its own, taken from the cluster's producer ids, epoch 0 and
 * consecutive sequences per target, as an idempotent producer does ({@link TargetWriter}). A leader that finds an intent without outcome
 * (its predecessor died in between, or a target append is in doubt) sends the same batches again: a target that
 * has one answers it as a duplicate, one that does not appends it; then the outcome is written. A copy of the
 * predecessor still in flight is a duplicate as well whenever it arrives, so no old leader can land a second copy
 * (the target's producer state, replicated with its log, is the fence). So a record is in its target once,
 * whatever fails. A batch certainly not appended (refused before the append) retires the producer id, so that its
 * sequences are never reused for other records.
 *
 * <p>A schedule produced in a transaction is released only once that transaction committed in the target: when
 * due, the target is asked how the transaction of the producer's batch ended; open, the record waits
 * {@value #TXN_RECHECK_MS} ms and is asked about again; aborted, it is dropped (written as released).
 *
 * <p>Limits: a target append refused for good (the record grew too large for the target's
 * {@code max.message.bytes}, say), or due for a partition missing from the metadata for {@value #GONE_AFTER_MS} ms
 * (its topic deleted), drops the records with an error line rather than retrying forever. Duplicate detection needs the target to still know the producer id when the
 * batch is sent again: Kafka's rules forget a producer {@code producer.id.expiration.ms} after its last write, or
 * once retention removed its batches, so an intent left in doubt longer than that (the timer partition without a
 * leader for a day) can land twice.
 *
 * <p>Thread-safety: every state access runs on {@code loop} (one thread shared by all timer partitions of the
 * broker); writes and reads complete on other threads and hop back.
 */
final class TimerPartition {
    private static final Logger log = LoggerFactory.getLogger(TimerPartition.class);
    /** Records released in one cycle at most. */
    static final int MAX_RELEASE = 500;
    /** Bytes of released records per target batch, about (at least one record). */
    static final int MAX_BATCH_BYTES = 512 * 1024;
    private static final long MAX_BACKOFF_MS = 1000;
    /** How often the leader moves the timer log's start past what it no longer needs. */
    static final long TRIM_INTERVAL_MS = 30_000;
    /** Long-pending records written forward in one trim round at most. */
    static final int MAX_MOVES = 1000;
    /** Records a move must let the log start pass, per record written forward. */
    static final long MIN_FREED_PER_MOVE = 100;
    /** After a round found the long-pending records too many (or too few freed) to move: when to look again. */
    static final long MOVE_RECHECK_MS = 10 * 60_000;
    /** How long a due record of a transaction still open waits before its target is asked again. */
    static final long TXN_RECHECK_MS = 100;
    /**
     * How long a target partition must be missing from this broker's metadata before its records are dropped: a
     * topic just created may not be in the image yet.
     */
    static final long GONE_AFTER_MS = 60_000;
    /** How long a due record for a target missing from the metadata waits before it is looked at again. */
    static final long MISSING_RECHECK_MS = 1_000;

    /** The target partitions, as the cluster's metadata shows them. */
    @FunctionalInterface
    interface Targets {
        /** The log of a target partition's leader; empty while it has none. */
        Optional<LeaderLog> leaderLog(TopicPartition target);

        /** Whether the partition exists: records for one that does not (its topic was deleted) are dropped. */
        default boolean exists(TopicPartition target) {
            return true;
        }
    }

    private final TopicPartition timerTp;
    private final LeaderLog timerLog;
    private final Targets targets;
    private final ScheduledExecutorService loop;
    private final Time time;
    private final TimerState state;
    private final TimerLogReader reader;
    private final TargetWriter writer;
    private boolean running;
    private boolean again;
    private ScheduledFuture<?> wake;
    private long wakeAtMs = Long.MAX_VALUE;
    private volatile boolean closed;
    private int failures;
    private volatile Map<String, Integer> pendingByTopic = Map.of();
    private volatile long nextDueMs = -1;
    private volatile long cycles;
    private long nextTrimAtMs;
    private long trimmedTo = -1;
    private long nextMoveCheckAtMs;
    /** Target partitions missing from the metadata image, since when. */
    private final Map<TopicPartition, Long> missingSince = new HashMap<>();

    /**
     * @param producerIds the producer ids of released batches, one per instance (and a new one after a refusal)
     * @param indexDir    where this instance keeps its pending records' far future (its own directory)
     */
    TimerPartition(TopicPartition timerTp, LeaderLog timerLog, Targets targets, ProducerIdGenerator producerIds,
                   ScheduledExecutorService loop, Time time, Path indexDir) {
        this.state = new TimerState(new TimerIndex(indexDir, TimerIndex.NEAR_MS), time);
        this.reader = new TimerLogReader(timerTp, timerLog, state, loop);
        this.timerTp = timerTp;
        this.timerLog = timerLog;
        this.targets = targets;
        this.writer = new TargetWriter(timerTp, producerIds, loop);
        this.loop = loop;
        this.time = time;
    }

    TopicPartition topicPartition() {
        return timerTp;
    }

    /** Something may have changed (a schedule appended, the partition just loaded): run a cycle soon. */
    void poke() {
        if (!closed) {
            loop.execute(this::cycle);
        }
    }

    void close() {
        closed = true;
        loop.execute(() -> {
            if (wake != null) {
                wake.cancel(false);
            }
            state.close();
        });
    }

    /** Pending records per target topic, as of the last cycle (any thread). */
    Map<String, Integer> pendingByTopic() {
        return pendingByTopic;
    }

    /** The earliest due time pending, -1 when none (any thread). */
    long nextDueMs() {
        return nextDueMs;
    }

    private void cycle() {
        if (closed) {
            return;
        }
        if (running) {
            again = true;
            return;
        }
        running = true;
        again = false;
        CompletableFuture<Boolean> step;
        try {
            step = step();
        } catch (RuntimeException e) {
            step = CompletableFuture.failedFuture(e);
        }
        step.whenComplete((more, failure) -> loop.execute(() -> finish(more, failure)));
    }

    private void finish(Boolean more, Throwable failure) {
        running = false;
        cycles++;
        pendingByTopic = state.pendingByTopic();
        nextDueMs = state.nextDueMs().orElse(-1);
        if (closed) {
            return;
        }
        if (failure != null) {
            failures++;
            long backoff = Math.min(MAX_BACKOFF_MS, 10L << Math.min(failures, 7));
            Throwable cause = TargetWriter.unwrap(failure);
            if (failures == 1 || failures % 20 == 0) {
                log.warn("Timer partition {}: release cycle failed ({} in a row), retrying in {} ms: {}", timerTp,
                        failures, backoff, cause.toString());
            }
            armAt(time.milliseconds() + backoff);
            return;
        }
        failures = 0;
        if (Boolean.TRUE.equals(more) || again) {
            loop.execute(this::cycle);
            return;
        }
        state.nextWakeMs().ifPresent(this::armAt);
    }

    private void armAt(long atMs) {
        if (wake != null && !wake.isDone() && wakeAtMs <= atMs) {
            return;
        }
        if (wake != null) {
            wake.cancel(false);
        }
        wakeAtMs = atMs;
        wake = loop.schedule(this::cycle, Math.max(0, atMs - time.milliseconds()), TimeUnit.MILLISECONDS);
    }

    /**
     * Catch up with the log, then resolve an intent in doubt or release what is due, and now and then trim the
     * log; true if more is due now.
     */
    private CompletableFuture<Boolean> step() {
        return reader.catchUp().thenComposeAsync(v -> {
            Optional<Intent> inDoubt = state.inDoubt();
            if (inDoubt.isPresent()) {
                return resolve(inDoubt.get()).thenApply(x -> true);
            }
            return release().thenComposeAsync(more -> maybeTrim().thenApply(x -> more), loop);
        }, loop);
    }

    /**
     * Every {@value #TRIM_INTERVAL_MS} ms: moves the timer log's start offset up to what is still needed
     * ({@link TimerState#trimPoint}), so that released records do not keep their segments forever. A failure is
     * logged and tried again next time.
     */
    private CompletableFuture<Void> maybeTrim() {
        long now = time.milliseconds();
        if (now < nextTrimAtMs) {
            return CompletableFuture.completedFuture(null);
        }
        nextTrimAtMs = now + TRIM_INTERVAL_MS;
        OptionalLong point = state.trimPoint(now, reader.readOffset());
        OptionalLong retained = state.retainedFrom(now, reader.readOffset());
        CompletableFuture<Void> moves = CompletableFuture.completedFuture(null);
        if (point.isPresent() && retained.isPresent() && point.getAsLong() < retained.getAsLong()) {
            moves = maybeMove(retained.getAsLong(), retained.getAsLong() - point.getAsLong());
        }
        if (point.isEmpty() || point.getAsLong() <= trimmedTo) {
            return moves;
        }
        long to = point.getAsLong();
        return moves.thenComposeAsync(v -> timerLog.deleteRecordsBefore(timerTp, to), loop)
                .handleAsync((ok, failure) -> {
                    if (failure != null) {
                        log.warn("Timer partition {}: moving the log start to {} failed; trying again later: {}",
                                timerTp, to, TargetWriter.unwrap(failure).toString());
                    } else {
                        log.debug("Timer partition {}: log start moved to {}", timerTp, to);
                        trimmedTo = to;
                        state.logStartMoved(to);
                    }
                    return null;
                }, loop);
    }

    /**
     * Writes the few pending records that hold the log start below {@code retained} again at the log end
     * ({@link TimerRecord#MOVED}), when that frees at least {@value #MIN_FREED_PER_MOVE} records per record
     * written: one record delayed by a year must not keep a year of the log. Many long-pending records are left
     * where they are (the log has to keep them anyway). A failed move is logged; the next round looks again.
     */
    private CompletableFuture<Void> maybeMove(long retained, long freed) {
        long now = time.milliseconds();
        if (now < nextMoveCheckAtMs) {
            return CompletableFuture.completedFuture(null);
        }
        List<Pending> pinned = state.pendingBelow(retained, MAX_MOVES + 1);
        if (pinned.isEmpty() || pinned.size() > MAX_MOVES || freed < MIN_FREED_PER_MOVE * pinned.size()) {
            if (!pinned.isEmpty()) {
                // Finding them read bucket files; they will not be fewer soon, so look again only later.
                nextMoveCheckAtMs = now + MOVE_RECHECK_MS;
            }
            return CompletableFuture.completedFuture(null);
        }
        List<Long> offsets = pinned.stream().map(Pending::offset).sorted().toList();
        return reader.readSchedules(offsets).thenComposeAsync(schedules -> {
            MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(MAX_BATCH_BYTES + 64 * 1024),
                    Compression.NONE, TimestampType.CREATE_TIME, 0L);
            int bytes = 0;
            int moved = 0;
            for (long from : offsets) {
                Schedule s = schedules.get(from);
                if (s == null || (moved > 0 && bytes + TargetWriter.sizeOf(s) > MAX_BATCH_BYTES)) {
                    continue;
                }
                bytes += TargetWriter.sizeOf(s);
                moved++;
                b.append(time.milliseconds(), TimerRecord.movedKey(s.meta(), s.key(), from), s.value(), s.headers());
            }
            if (moved == 0) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            int count = moved;
            return timerLog.append(timerTp, b.build()).whenComplete((ok, failure) -> {
                if (failure != null) {
                    log.warn("Timer partition {}: writing {} long-pending records forward failed: {}", timerTp,
                            count, TargetWriter.unwrap(failure).toString());
                } else {
                    log.info("Timer partition {}: wrote {} long-pending records forward so that the log start "
                            + "can pass them", timerTp, count);
                }
            }).exceptionally(failure -> null);
        }, loop);
    }

    // ---- releasing ----

    private CompletableFuture<Boolean> release() {
        List<Pending> due = state.due(time.milliseconds(), MAX_RELEASE);
        if (due.isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        List<Long> offsets = due.stream().map(Pending::offset).sorted().toList();
        return reader.readSchedules(offsets).thenComposeAsync(schedules ->
                transactionOutcomes(due, schedules).thenComposeAsync(outcomes ->
                        releaseDecided(due, schedules, outcomes), loop), loop);
    }

    /** The key of one transaction's batch in a target: every delayed record of it has the same outcome. */
    private record TransactionBatch(TopicPartition target, long producerId, long offset) {}

    /**
     * How the transactions of the transactional schedules among {@code due} ended, by timer offset: asked of each
     * target once per transaction; a target without leader, or a failed question, counts as still open.
     */
    private CompletableFuture<Map<Long, TransactionOutcome>> transactionOutcomes(List<Pending> due,
                                                                                Map<Long, Schedule> schedules) {
        Map<TransactionBatch, List<Long>> byBatch = new LinkedHashMap<>();
        for (Pending p : due) {
            Schedule s = schedules.get(p.offset());
            if (s != null && s.meta().transactional()) {
                byBatch.computeIfAbsent(new TransactionBatch(p.target(), s.meta().producerId(),
                        s.meta().transactionOffset()), k -> new ArrayList<>()).add(p.offset());
            }
        }
        if (byBatch.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        Map<TransactionBatch, CompletableFuture<TransactionOutcome>> asked = new LinkedHashMap<>();
        byBatch.keySet().forEach(b -> asked.put(b, targets.leaderLog(b.target())
                .map(l -> l.transactionOutcome(b.target(), b.producerId(), b.offset())
                        .exceptionally(failure -> TransactionOutcome.OPEN))
                .orElse(CompletableFuture.completedFuture(TransactionOutcome.OPEN))));
        return CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<Long, TransactionOutcome> outcomes = new HashMap<>();
            byBatch.forEach((b, timerOffsets) -> timerOffsets.forEach(o -> outcomes.put(o, asked.get(b).join())));
            return outcomes;
        });
    }

    private CompletableFuture<Boolean> releaseDecided(List<Pending> due, Map<Long, Schedule> schedules,
                                                      Map<Long, TransactionOutcome> outcomes) {
        Map<TopicPartition, List<Pending>> byTarget = new LinkedHashMap<>();
        Map<TopicPartition, Integer> bytes = new HashMap<>();
        List<Long> missing = new ArrayList<>();
        List<Long> aborted = new ArrayList<>();
        List<Long> gone = new ArrayList<>();
        boolean more = due.size() == MAX_RELEASE;
        long now = time.milliseconds();
        long recheckAt = now + TXN_RECHECK_MS;
        for (Pending p : due) {
            Schedule s = schedules.get(p.offset());
            if (s == null) {
                missing.add(p.offset());
                continue;
            }
            if (!exists(p.target())) {
                if (goneFor(p.target(), now)) {
                    gone.add(p.offset());
                } else {
                    state.postpone(p, now + MISSING_RECHECK_MS); // local only, as for open transactions
                }
                continue;
            }
            if (s.meta().transactional()) {
                TransactionOutcome outcome = outcomes.getOrDefault(p.offset(), TransactionOutcome.OPEN);
                if (outcome == TransactionOutcome.OPEN) {
                    state.postpone(p, recheckAt); // local only: any leader asks again
                    continue;
                }
                if (outcome == TransactionOutcome.ABORTED) {
                    aborted.add(p.offset());
                    continue;
                }
            }
            int size = TargetWriter.sizeOf(s);
            int sofar = bytes.getOrDefault(p.target(), 0);
            if (sofar > 0 && sofar + size > MAX_BATCH_BYTES) {
                more = true;
                continue;
            }
            bytes.put(p.target(), sofar + size);
            byTarget.computeIfAbsent(p.target(), t -> new ArrayList<>()).add(p);
        }
        if (!missing.isEmpty() || !aborted.isEmpty() || !gone.isEmpty()) {
            if (!gone.isEmpty()) {
                log.error("Timer partition {}: {} delayed records are due for partitions that no longer exist; "
                        + "dropped", timerTp, gone.size());
            }
            if (!missing.isEmpty()) {
                log.error("Timer partition {}: scheduled records {} are no longer in the timer log; dropped", timerTp,
                        missing);
            }
            if (!aborted.isEmpty()) {
                log.debug("Timer partition {}: {} delayed records of aborted transactions dropped", timerTp,
                        aborted.size());
            }
            List<Long> dropped = new ArrayList<>(missing);
            dropped.addAll(aborted);
            dropped.addAll(gone);
            return appendTimer(TimerRecord.RELEASED, TimerRecord.releasedValue(new TimerRecord.Released(dropped)))
                    .thenApply(v -> true);
        }
        if (byTarget.isEmpty()) {
            return CompletableFuture.completedFuture(more);
        }
        boolean moreDue = more;
        return releaseTo(byTarget, schedules).thenApply(v -> moreDue);
    }

    private CompletableFuture<Void> releaseTo(Map<TopicPartition, List<Pending>> byTarget,
                                              Map<Long, Schedule> schedules) {
        Map<TopicPartition, LeaderLog> logs = new LinkedHashMap<>();
        Map<TopicPartition, List<Long>> offsets = new LinkedHashMap<>();
        for (TopicPartition tp : byTarget.keySet()) {
            targets.leaderLog(tp).ifPresent(l -> {
                logs.put(tp, l);
                offsets.put(tp, byTarget.get(tp).stream().map(Pending::offset).toList());
            });
        }
        if (logs.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException("no target partition of "
                    + byTarget.keySet() + " has a leader"));
        }
        Intent intent = writer.plan(offsets);
        return appendTimer(TimerRecord.INTENT, TimerRecord.intentValue(intent))
                .thenComposeAsync(x -> writer.send(intent, logs, schedules, false, List.of()), loop)
                .thenComposeAsync(this::writeOutcome, loop);
    }

    /**
     * Writes what a send found as the intent's outcome; an append in doubt fails the cycle instead (the intent
     * stays open and the next cycle sends again), and a refusing target fails it after the outcome, so that it is
     * tried again after the cycle's backoff rather than at once.
     */
    private CompletableFuture<Void> writeOutcome(TargetWriter.Sent sent) {
        if (sent.doubt() != null) {
            return CompletableFuture.failedFuture(sent.doubt());
        }
        return appendTimer(TimerRecord.RELEASED, TimerRecord.releasedValue(new TimerRecord.Released(sent.released())))
                .thenCompose(x -> sent.refused() == null ? CompletableFuture.<Void>completedFuture(null)
                        : CompletableFuture.<Void>failedFuture(sent.refused()));
    }

    /**
     * Resolves an intent without outcome: sends each target's batch again, with the producer id and sequences the
     * intent names, so a target that has it answers it as a duplicate and one that does not appends it now. The
     * copy of a previous leader still in flight is a duplicate too, whenever it lands. A target whose topic is gone,
     * or whose records the timer log no longer holds, is dropped with an error line.
     */
    private CompletableFuture<Void> resolve(Intent intent) {
        if (!intent.targets().stream().allMatch(Target::idempotent)) {
            return resolveByScan(intent);
        }
        List<Long> offsets = intent.targets().stream().flatMap(t -> t.offsets().stream()).sorted().toList();
        return reader.readSchedules(offsets).thenComposeAsync(schedules -> {
            Map<TopicPartition, LeaderLog> logs = new LinkedHashMap<>();
            List<Target> resend = new ArrayList<>();
            List<Long> dropped = new ArrayList<>();
            long now = time.milliseconds();
            for (Target t : intent.targets()) {
                boolean exists = exists(t.partition());
                if (!exists && !goneFor(t.partition(), now)) {
                    return CompletableFuture.<Void>failedFuture(new IllegalStateException("target "
                            + t.partition() + " of an intent in doubt is not in the metadata (yet)"));
                }
                if (!exists || !schedules.keySet().containsAll(t.offsets())) {
                    log.error("Timer partition {}: {} delayed records in doubt for {} can no longer be sent (the "
                            + "partition or the schedules are gone); dropped", timerTp, t.offsets().size(),
                            t.partition());
                    dropped.addAll(t.offsets());
                    continue;
                }
                Optional<LeaderLog> l = targets.leaderLog(t.partition());
                if (l.isEmpty()) {
                    return CompletableFuture.<Void>failedFuture(new IllegalStateException("target "
                            + t.partition() + " of an intent in doubt has no leader"));
                }
                logs.put(t.partition(), l.get());
                resend.add(t);
            }
            log.info("Timer partition {}: a release was in doubt; sending its {} batch(es) again (a target that "
                    + "has one drops the copy)", timerTp, resend.size());
            return writer.send(new Intent(resend), logs, schedules, true, dropped)
                    .thenComposeAsync(this::writeOutcome, loop);
        }, loop);
    }

    /**
     * Resolves a {@value TimerRecord#SCANNED_INTENT} (written by an earlier version): looks in each target, from
     * the high watermark the intent names, for the records it names, and writes what it found.
     */
    private CompletableFuture<Void> resolveByScan(Intent intent) {
        List<CompletableFuture<List<Long>>> scans = new ArrayList<>();
        for (Target t : intent.targets()) {
            Optional<LeaderLog> l = targets.leaderLog(t.partition());
            if (l.isEmpty()) {
                return CompletableFuture.failedFuture(new IllegalStateException("target " + t.partition()
                        + " of an intent in doubt has no leader"));
            }
            scans.add(l.get().bounds(t.partition()).thenCompose(b -> writer.scan(l.get(), t,
                    Math.max(t.scanFrom(), b.logStartOffset()), b.highWatermark(), new ArrayList<>())));
        }
        return CompletableFuture.allOf(scans.toArray(CompletableFuture[]::new)).thenComposeAsync(v -> {
            List<Long> found = new ArrayList<>();
            scans.forEach(s -> found.addAll(s.join()));
            int named = intent.targets().stream().mapToInt(t -> t.offsets().size()).sum();
            log.info("Timer partition {}: a release was in doubt; {} of its {} records are in their targets, the "
                    + "others are pending again", timerTp, found.size(), named);
            return appendTimer(TimerRecord.RELEASED, TimerRecord.releasedValue(new TimerRecord.Released(found)));
        }, loop);
    }

    /**
     * Whether a target missing from the metadata has been missing for {@value #GONE_AFTER_MS} ms (its topic was
     * deleted, not just created after the image this broker has).
     */
    private boolean goneFor(TopicPartition target, long now) {
        return now - missingSince.computeIfAbsent(target, t -> now) >= GONE_AFTER_MS;
    }

    /** Whether the target is in the metadata; one that is (again) is no longer counted as missing. */
    private boolean exists(TopicPartition target) {
        if (!targets.exists(target)) {
            return false;
        }
        if (!missingSince.isEmpty()) {
            missingSince.remove(target);
        }
        return true;
    }

    /** Writes an intent or an outcome; an instance that no longer leads (closed) writes nothing more. */
    private CompletableFuture<Void> appendTimer(byte type, ByteBuffer value) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("timer partition " + timerTp
                    + " is no longer led by this instance"));
        }
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(time.milliseconds(), TimerRecord.controlKey(type), value));
        return timerLog.append(timerTp, records);
    }

    /** Cycles completed, with or without success (tests wait for one). */
    long cycles() {
        return cycles;
    }
}
