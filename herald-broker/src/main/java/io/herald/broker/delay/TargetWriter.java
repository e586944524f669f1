package io.herald.broker.delay;

import io.herald.broker.delay.TimerRecord.Intent;
import io.herald.broker.delay.TimerRecord.Schedule;
import io.herald.broker.delay.TimerRecord.Target;
import io.herald.broker.partition.LeaderLog;
import io.herald.broker.partition.LeaderLog.AppendFailedException;
import io.herald.transaction.ProducerIdGenerator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target side of a timer partition's releases: each target gets its released records as one idempotent batch,
 * of a producer id this instance (one leadership) takes from the cluster's producer ids, epoch 0 and consecutive
 * sequences per target, as an idempotent producer writes them. {@link #plan} names the batches in an intent;
 * {@link #send} appends them, and sends the same batches again for an intent in doubt: a target that has one
 * answers it as a duplicate (its producer state, replicated with its log, is what fences a previous leader's copy
 * still in flight), one that does not appends it now.
 *
 * <p>A batch certainly not appended (refused before the append) retires the producer id, so that its sequences
 * are never used for other records: the next plan takes a new one.
 *
 * <p>Thread-safety: confined to the timer partition's loop, as its caller; appends complete elsewhere and hop back.
 */
final class TargetWriter {
    private static final Logger log = LoggerFactory.getLogger(TargetWriter.class);
    /** Bytes per read of a target while looking for released records. */
    static final int READ_BYTES = 1 << 20;

    /** What a target append of a release tells about its records. */
    private enum Outcome {
        /** Appended now, or found there already (a duplicate of the same idempotent batch). */
        IN_TARGET,
        /** Certainly not there: pending again. */
        NOT_THERE,
        /** Refused for good: dropped (written as released) with an error line. */
        DROPPED,
        /** May or may not be there: the intent stays open and is resolved by sending the batch again. */
        IN_DOUBT
    }

    /**
     * What a {@link #send} found.
     *
     * @param released the timer offsets now in their targets, or dropped for good: the outcome to write
     * @param doubt    an append that may or may not have landed: no outcome may be written, the intent stays open
     * @param refused  an append refused for now: write the outcome, then back off
     */
    record Sent(List<Long> released, Throwable doubt, Throwable refused) {}

    private final TopicPartition timerTp;
    private final ProducerIdGenerator producerIds;
    private final Executor loop;
    /** The producer id of this instance's batches; -1 until the first plan, or retired. */
    private long producerId = -1;
    /** The next sequence of {@link #producerId} per target. */
    private final Map<TopicPartition, Integer> nextSequence = new HashMap<>();

    TargetWriter(TopicPartition timerTp, ProducerIdGenerator producerIds, Executor loop) {
        this.timerTp = timerTp;
        this.producerIds = producerIds;
        this.loop = loop;
    }

    /**
     * The intent of releasing these timer offsets to their targets, each as the next batch of this instance's
     * producer id.
     *
     * @throws RuntimeException no producer id is at hand yet (the caller's cycle fails and is retried)
     */
    Intent plan(Map<TopicPartition, List<Long>> offsetsByTarget) {
        if (producerId < 0) {
            producerId = producerIds.generateProducerId();
            nextSequence.clear();
        }
        List<Target> targets = new ArrayList<>();
        offsetsByTarget.forEach((tp, offsets) -> targets.add(Target.idempotent(tp, offsets, producerId,
                nextSequence.getOrDefault(tp, 0))));
        return new Intent(targets);
    }

    /**
     * Appends each target's batch of {@code intent} ({@code again}: the intent is in doubt, the batches are sent
     * again) and tells what landed; {@code decided} joins the released offsets.
     */
    CompletableFuture<Sent> send(Intent intent, Map<TopicPartition, LeaderLog> logs, Map<Long, Schedule> schedules,
                                 boolean again, List<Long> decided) {
        Map<Target, CompletableFuture<Void>> appends = new LinkedHashMap<>();
        for (Target t : intent.targets()) {
            appends.put(t, logs.get(t.partition()).append(t.partition(), releasedBatch(t, schedules)));
        }
        return CompletableFuture.allOf(appends.values().toArray(CompletableFuture[]::new)).handleAsync((v, x) -> {
            List<Long> released = new ArrayList<>(decided);
            Throwable doubt = null;
            Throwable refused = null;
            for (Map.Entry<Target, CompletableFuture<Void>> e : appends.entrySet()) {
                Target t = e.getKey();
                Throwable failure = e.getValue().handle((ok, f) -> f).join();
                switch (outcome(failure, again)) {
                    case IN_TARGET -> {
                        released.addAll(t.offsets());
                        if (t.producerId() == producerId) {
                            nextSequence.put(t.partition(), DefaultRecordBatch.incrementSequence(t.baseSequence(),
                                    t.offsets().size()));
                        }
                    }
                    case DROPPED -> {
                        log.error("Timer partition {}: {} refused {} delayed records for good ({}); they are "
                                + "dropped", timerTp, t.partition(), t.offsets().size(), unwrap(failure).toString());
                        released.addAll(t.offsets());
                        retire(t);
                    }
                    case NOT_THERE -> {
                        retire(t);
                        refused = unwrap(failure);
                    }
                    case IN_DOUBT -> doubt = unwrap(failure);
                }
            }
            return new Sent(released, doubt, refused);
        }, loop);
    }

    private static Outcome outcome(Throwable failure, boolean again) {
        if (failure == null) {
            return Outcome.IN_TARGET;
        }
        if (!(unwrap(failure) instanceof AppendFailedException failed)) {
            return Outcome.IN_DOUBT;
        }
        if (failed.error() == Errors.DUPLICATE_SEQUENCE_NUMBER) {
            return Outcome.IN_TARGET;
        }
        if (failed.mayHaveAppended()) {
            return Outcome.IN_DOUBT;
        }
        if (sequenceRefused(failed.error())) {
            // The target's last batch of that producer is not this one: this one never landed.
            return Outcome.NOT_THERE;
        }
        if (refusedForGood(failed.error())) {
            return Outcome.DROPPED;
        }
        // Refused for now. A batch sent again may have landed the first time: that stays in doubt.
        return again ? Outcome.IN_DOUBT : Outcome.NOT_THERE;
    }

    /** A batch of the current producer id did not land: the next plan takes a new id. */
    private void retire(Target t) {
        if (t.producerId() == producerId) {
            producerId = -1;
            nextSequence.clear();
        }
    }

    /**
     * For a {@value TimerRecord#SCANNED_INTENT} (written by an earlier version, whose batches were not idempotent):
     * the timer offsets of {@code t} found in the target, reading from {@code from} to {@code highWatermark} for
     * the {@value DelayHeaders#DELAYED_ID} headers.
     */
    CompletableFuture<List<Long>> scan(LeaderLog target, Target t, long from, long highWatermark, List<Long> found) {
        if (from >= highWatermark) {
            return CompletableFuture.completedFuture(found);
        }
        String prefix = timerTp.partition() + ":";
        return target.read(t.partition(), from, READ_BYTES).thenCompose(records -> {
            long next = from;
            for (RecordBatch batch : records.batches()) {
                next = Math.max(next, batch.lastOffset() + 1);
                if (batch.isControlBatch()) {
                    continue;
                }
                for (Record r : batch) {
                    if (r.offset() >= from && r.offset() < highWatermark) {
                        collect(r, prefix, t, found);
                    }
                }
            }
            return next <= from ? CompletableFuture.completedFuture(found)
                    : scan(target, t, next, highWatermark, found);
        });
    }

    private static void collect(Record r, String prefix, Target t, List<Long> found) {
        for (Header h : r.headers()) {
            if (DelayHeaders.DELAYED_ID.equals(h.key()) && h.value() != null) {
                String id = new String(h.value(), StandardCharsets.UTF_8);
                if (id.startsWith(prefix)) {
                    long offset = Long.parseLong(id.substring(prefix.length()));
                    if (t.offsets().contains(offset)) {
                        found.add(offset);
                    }
                }
            }
        }
    }

    /**
     * The released records of one target, in due order, each stamped with its due time and its id: one idempotent
     * batch of the target's producer id and base sequence, built the same whenever it is built.
     */
    private MemoryRecords releasedBatch(Target t, Map<Long, Schedule> schedules) {
        int size = t.offsets().stream().mapToInt(o -> sizeOf(schedules.get(o))).sum() + 64 * t.offsets().size();
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(size + 128), RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.NONE, TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, t.producerId(), (short) 0,
                t.baseSequence());
        for (long offset : t.offsets()) {
            Schedule s = schedules.get(offset);
            Header[] headers = new Header[s.headers().length + 1];
            System.arraycopy(s.headers(), 0, headers, 0, s.headers().length);
            headers[s.headers().length] = new RecordHeader(DelayHeaders.DELAYED_ID,
                    (timerTp.partition() + ":" + offset).getBytes(StandardCharsets.UTF_8));
            b.append(s.meta().dueMs(), s.key(), s.value(), headers);
        }
        return b.build();
    }

    /** About the bytes a schedule's record takes in a batch. */
    static int sizeOf(Schedule s) {
        int size = 32 + (s.key() == null ? 0 : s.key().remaining()) + (s.value() == null ? 0 : s.value().remaining());
        for (Header h : s.headers()) {
            size += 8 + h.key().length() * 3 + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }

    /** Errors a target answers when a batch's producer id, epoch or sequence does not follow what it has. */
    private static boolean sequenceRefused(Errors error) {
        return error == Errors.OUT_OF_ORDER_SEQUENCE_NUMBER || error == Errors.UNKNOWN_PRODUCER_ID
                || error == Errors.INVALID_PRODUCER_EPOCH || error == Errors.PRODUCER_FENCED;
    }

    private static boolean refusedForGood(Errors error) {
        return error != Errors.UNKNOWN_SERVER_ERROR && !(error.exception() instanceof RetriableException);
    }

    static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
