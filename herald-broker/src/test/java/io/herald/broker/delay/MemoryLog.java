package io.herald.broker.delay;

import io.herald.broker.partition.LeaderLog;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.TimestampType;

/**
 * A partition in memory, every append committed at once, that can be told to fail the next appends: before
 * appending (not written) or after (written, but the writer hears a failure, so it is in doubt), or to hold one
 * in flight until the test lets it land. Idempotent batches follow the broker's producer rules for a producer's
 * last batch: the same sequences again are a duplicate (answered as appended, not written twice), a gap is refused
 * with {@code OUT_OF_ORDER_SEQUENCE_NUMBER}.
 */
final class MemoryLog implements LeaderLog {
    /** What the next append does. */
    enum Next { APPEND, FAIL_BEFORE, FAIL_AFTER, HOLD }

    private record LastBatch(int baseSequence, int lastSequence) {}

    private final List<MemoryRecords> batches = new ArrayList<>();
    private long endOffset;
    private long logStartOffset;
    private volatile Next next = Next.APPEND;
    private volatile boolean always;
    private volatile Predicate<MemoryRecords> failWhen = r -> true;
    private final Map<Long, TransactionOutcome> outcomes = new HashMap<>();
    private final Map<Long, LastBatch> producers = new HashMap<>();
    private final List<Runnable> held = new ArrayList<>();

    /** How the transaction of the batch at {@code offset} ended (open until told). */
    synchronized void transaction(long offset, TransactionOutcome outcome) {
        outcomes.put(offset, outcome);
    }

    @Override
    public synchronized CompletableFuture<TransactionOutcome> transactionOutcome(TopicPartition partition,
                                                                              long producerId, long offset) {
        return CompletableFuture.completedFuture(outcomes.getOrDefault(offset, TransactionOutcome.OPEN));
    }

    synchronized void failNext(Next how, Predicate<MemoryRecords> when) {
        this.next = how;
        this.failWhen = when;
    }

    /** Every append from now on does {@code how}. */
    synchronized void failAlways(Next how) {
        failNext(how, r -> true);
        this.always = true;
    }

    @Override
    public synchronized CompletableFuture<Void> append(TopicPartition partition, MemoryRecords records) {
        Next how = failWhen.test(records) ? next : Next.APPEND;
        if (how != Next.APPEND && !always) {
            next = Next.APPEND;
        }
        if (how == Next.FAIL_BEFORE) {
            return CompletableFuture.failedFuture(new AppendFailedException(Errors.NOT_ENOUGH_REPLICAS, false,
                    "refused"));
        }
        if (how == Next.HOLD) {
            CompletableFuture<Void> landed = new CompletableFuture<>();
            held.add(() -> land(records).whenComplete((ok, failure) -> {
                if (failure != null) {
                    landed.completeExceptionally(failure);
                } else {
                    landed.complete(null);
                }
            }));
            return landed;
        }
        CompletableFuture<Void> appended = land(records);
        if (how == Next.FAIL_AFTER && !appended.isCompletedExceptionally()) {
            return CompletableFuture.failedFuture(new AppendFailedException(Errors.REQUEST_TIMED_OUT, true,
                    "timed out"));
        }
        return appended;
    }

    /** Appends held in flight so far. */
    synchronized int held() {
        return held.size();
    }

    /** Lets the appends held in flight land now. */
    synchronized void landHeld() {
        held.forEach(Runnable::run);
        held.clear();
    }

    private synchronized CompletableFuture<Void> land(MemoryRecords records) {
        RecordBatch first = records.batches().iterator().next();
        if (first.hasProducerId()) {
            LastBatch last = producers.get(first.producerId());
            if (last != null && last.baseSequence() == first.baseSequence()
                    && last.lastSequence() == first.lastSequence()) {
                return CompletableFuture.completedFuture(null); // a duplicate: there already
            }
            if (last != null && first.baseSequence() != last.lastSequence() + 1) {
                return CompletableFuture.failedFuture(new AppendFailedException(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                        false, "sequence " + first.baseSequence() + ", expected " + (last.lastSequence() + 1)));
            }
            producers.put(first.producerId(), new LastBatch(first.baseSequence(), first.lastSequence()));
        }
        // Re-stamp offsets: one batch per append, from the log end, with the producer fields.
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(records.sizeInBytes() + 256),
                RecordBatch.CURRENT_MAGIC_VALUE, Compression.NONE, TimestampType.CREATE_TIME, endOffset,
                RecordBatch.NO_TIMESTAMP, first.producerId(), first.producerEpoch(), first.baseSequence());
        for (RecordBatch batch : records.batches()) {
            for (Record r : batch) {
                b.appendWithOffset(endOffset++, r.timestamp(), r.key(), r.value(), r.headers());
            }
        }
        batches.add(b.build());
        return CompletableFuture.completedFuture(null);
    }

    /** The producer ids of the batches in the log, in order (-1 for a batch without). */
    synchronized List<Long> batchProducerIds() {
        List<Long> out = new ArrayList<>();
        batches.forEach(m -> out.add(m.batches().iterator().next().producerId()));
        return out;
    }

    @Override
    public synchronized CompletableFuture<Bounds> bounds(TopicPartition partition) {
        return CompletableFuture.completedFuture(new Bounds(logStartOffset, endOffset));
    }

    /** Moves the log start; whole batches below it go, as segments do. */
    @Override
    public synchronized CompletableFuture<Void> deleteRecordsBefore(TopicPartition partition, long offset) {
        logStartOffset = Math.max(logStartOffset, offset);
        batches.removeIf(m -> m.batches().iterator().next().lastOffset() < logStartOffset);
        return CompletableFuture.completedFuture(null);
    }

    synchronized long logStartOffset() {
        return logStartOffset;
    }

    @Override
    public synchronized CompletableFuture<MemoryRecords> read(TopicPartition partition, long offset, int maxBytes) {
        for (MemoryRecords m : batches) {
            RecordBatch batch = m.batches().iterator().next();
            if (batch.lastOffset() >= offset) {
                return CompletableFuture.completedFuture(m);
            }
        }
        return CompletableFuture.completedFuture(MemoryRecords.EMPTY);
    }

    synchronized List<Record> records() {
        List<Record> out = new ArrayList<>();
        batches.forEach(m -> m.records().forEach(out::add));
        return out;
    }

    synchronized long endOffset() {
        return endOffset;
    }
}
