package io.herald.storage.producer;

import io.herald.common.txn.VerificationGuard;
import io.herald.storage.txn.AbortedTxn;
import io.herald.storage.txn.CompletedTxn;
import io.herald.storage.txn.TransactionTracker;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer-state changes of one append, staged batch by batch; nothing changes until {@link #commit}. Each
 * batch is checked against the state the batches before it in the same append left (Kafka's
 * {@code ProducerAppendInfo}).
 *
 * <p>Rules for a data batch, as Kafka 4.3 applies them by origin:
 * <ul>
 *   <li>(client) a retry of one of the producer's last five batches in the same epoch is a duplicate: its original
 *       offsets are returned and nothing is appended;</li>
 *   <li>an epoch older than the producer's is fenced ({@code InvalidProducerEpochException}; a follower only logs);</li>
 *   <li>(client) a new epoch starts at sequence 0; within an epoch the sequence continues the last one (with int
 *       wraparound); an unknown producer id may start anywhere (its state may have been dropped, Kafka's
 *       UNKNOWN_PRODUCER_ID case);</li>
 *   <li>a non-transactional batch of a producer with an ongoing transaction is refused
 *       ({@code InvalidTxnStateException}, for followers too); a transactional batch of a producer without one
 *       starts a transaction at its base offset, provided (for an append that asks for verification) it presents
 *       the producer's current {@link VerificationGuard} (KIP-890 part 1; else {@code InvalidTxnStateException}).
 *       Starting the transaction, or any end marker of the producer, uses the guard up.</li>
 * </ul>
 *
 * <p>Rules for an end marker: an older producer epoch is fenced ({@code InvalidProducerEpochException}); with
 * transaction version 2 (KIP-890, the coordinator bumps the epoch when it ends a transaction) an equal epoch is
 * fenced too, unless the producer has no ongoing transaction, which makes it a retried marker that is written
 * again; a coordinator epoch below the producer's last one is fenced ({@code TransactionCoordinatorFencedException}).
 * A follower logs both instead. The marker completes the ongoing transaction, if any; a marker without one
 * completes nothing (the transaction had no data here).
 *
 * <p>Thread-safety: confined to the partition lock, like the manager it changes.
 */
public final class ProducerAppend {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerAppend.class);

    /** Receives the aborted transactions to index, in marker order. */
    @FunctionalInterface
    public interface AbortedTxnSink {
        void append(AbortedTxn txn) throws IOException;
    }

    /** A transaction opened or completed by a batch of this append, in batch order. */
    private sealed interface TxnEvent {
        record Started(long producerId, long firstOffset) implements TxnEvent {}

        record Completed(CompletedTxn txn) implements TxnEvent {}
    }

    private final ProducerStateManager manager;
    private final AppendOrigin origin;
    private final Optional<VerificationGuard> verification;
    private final Map<Long, ProducerStateEntry> staged = new HashMap<>();
    private final List<TxnEvent> events = new ArrayList<>();
    /** Producers whose transaction started or ended in this append: their verification guard is used up. */
    private final Set<Long> verificationsEnded = new HashSet<>();

    ProducerAppend(ProducerStateManager manager, AppendOrigin origin, Optional<VerificationGuard> verification) {
        this.manager = manager;
        this.origin = origin;
        this.verification = verification;
    }

    private ProducerStateEntry current(long producerId) {
        ProducerStateEntry e = staged.get(producerId);
        return e != null ? e : manager.entry(producerId).orElseGet(() -> ProducerStateEntry.empty(producerId));
    }

    /**
     * Checks one batch and stages its effect.
     *
     * @return the original of a client batch that is a retry; nothing is staged for it
     * @throws InvalidProducerEpochException          fenced producer epoch (client and coordinator)
     * @throws OutOfOrderSequenceException            bad sequence (client)
     * @throws InvalidTxnStateException               non-transactional batch during a transaction
     * @throws TransactionCoordinatorFencedException  marker from an older coordinator (coordinator)
     */
    public Optional<BatchMetadata> append(ProducerBatch batch) {
        return switch (batch) {
            case ProducerBatch.Data data -> appendData(data);
            case ProducerBatch.Marker marker -> {
                appendMarker(marker);
                yield Optional.empty();
            }
        };
    }

    private Optional<BatchMetadata> appendData(ProducerBatch.Data b) {
        ProducerStateEntry e = current(b.producerId());
        if (origin == AppendOrigin.CLIENT && b.producerEpoch() == e.producerEpoch()) {
            Optional<BatchMetadata> dup = e.findDuplicate(b.baseSequence(), b.lastSequence());
            if (dup.isPresent()) {
                return dup;
            }
        }
        if (b.producerEpoch() < e.producerEpoch()) {
            fenced(new InvalidProducerEpochException("producer " + b.producerId() + " epoch " + b.producerEpoch()
                + " at offset " + b.baseOffset() + " is older than current epoch " + e.producerEpoch()));
        }
        if (origin == AppendOrigin.CLIENT) {
            checkSequence(e, b);
        }
        if (e.hasOngoingTransaction() && !b.transactional()) {
            InvalidTxnStateException refused = new InvalidTxnStateException("producer " + b.producerId()
                + " wrote a non-transactional batch at offset " + b.baseOffset() + " during its transaction from "
                + e.currentTxnFirstOffset().getAsLong());
            if (origin != AppendOrigin.RECOVERY) {
                throw refused;
            }
            LOG.warn("{}: {}", manager.name(), refused.getMessage());
        }
        ProducerStateEntry next = e.withBatch(b.producerEpoch(), b.metadata(), b.maxTimestamp());
        if (b.transactional() && !e.hasOngoingTransaction()) {
            checkVerified(b);
            next = next.withTransactionStartedAt(b.baseOffset());
            events.add(new TxnEvent.Started(b.producerId(), b.baseOffset()));
            verificationsEnded.add(b.producerId());
        }
        staged.put(b.producerId(), next);
        return Optional.empty();
    }

    /**
     * A transaction may start only with the guard its verification handed out, and only while no end marker of the
     * producer came after the verification (KIP-890 part 1); appends that asked for no verification start freely.
     */
    private void checkVerified(ProducerBatch.Data b) {
        if (verification.isEmpty()) {
            return;
        }
        if (!verification.get().verifies(manager.verification(b.producerId())
                .map(ProducerStateManager.Verification::guard).orElse(null))) {
            throw new InvalidTxnStateException("producer " + b.producerId() + " epoch " + b.producerEpoch()
                + ": the transaction was not verified to include this partition, or it ended since");
        }
    }

    private void checkSequence(ProducerStateEntry e, ProducerBatch.Data b) {
        boolean unknown = e.producerEpoch() == RecordBatch.NO_PRODUCER_EPOCH;
        if (b.producerEpoch() != e.producerEpoch()) {
            if (b.baseSequence() != 0 && !unknown) {
                throw new OutOfOrderSequenceException("producer " + b.producerId() + " new epoch " + b.producerEpoch()
                    + " must start at sequence 0, got " + b.baseSequence());
            }
            return;
        }
        // An entry without batches (a marker of a bumped epoch cleared them) has last sequence -1: it expects 0.
        int expected = DefaultRecordBatch.incrementSequence(e.lastSequence(), 1);
        if (!unknown && b.baseSequence() != expected) {
            throw new OutOfOrderSequenceException("producer " + b.producerId() + " epoch " + b.producerEpoch()
                + ": sequence " + b.baseSequence() + " (expected: " + expected + ")");
        }
    }

    private void appendMarker(ProducerBatch.Marker m) {
        ProducerStateEntry e = current(m.producerId());
        checkMarkerEpoch(e, m);
        if (e.coordinatorEpoch() > m.coordinatorEpoch()) {
            fenced(new TransactionCoordinatorFencedException("producer " + m.producerId() + " marker at offset "
                + m.offset() + " has coordinator epoch " + m.coordinatorEpoch() + ", older than "
                + e.coordinatorEpoch()));
        }
        if (e.hasOngoingTransaction()) {
            events.add(new TxnEvent.Completed(new CompletedTxn(m.producerId(), e.currentTxnFirstOffset().getAsLong(),
                m.offset(), m.type() == ControlRecordType.ABORT)));
        }
        staged.put(m.producerId(), e.withEndMarker(m.producerEpoch(), m.coordinatorEpoch(), m.timestamp()));
        if (!verifiesNextTransaction(m)) {
            verificationsEnded.add(m.producerId());
        }
    }

    /**
     * With transaction version 2 the coordinator ends a transaction with the epoch it bumped to, which is the epoch
     * the producer's next transaction already runs at: a guard handed out for that epoch belongs to the next
     * transaction, verified after this one ended, and stays (as in Kafka 4.3). Before version 2 the epochs are the
     * same and the marker must end the guard: it may be a verification of the ended transaction.
     */
    private boolean verifiesNextTransaction(ProducerBatch.Marker m) {
        return m.transactionVersion() >= 2 && manager.verification(m.producerId())
                .filter(v -> v.producerEpoch() == m.producerEpoch()).isPresent();
    }

    private void checkMarkerEpoch(ProducerStateEntry e, ProducerBatch.Marker m) {
        boolean v2 = m.transactionVersion() >= 2;
        boolean stale = v2 ? m.producerEpoch() <= e.producerEpoch() : m.producerEpoch() < e.producerEpoch();
        if (!stale) {
            return;
        }
        // Transaction version 2: a marker retried after the transaction already ended carries the epoch the first
        // one bumped to; Kafka writes it again rather than failing the coordinator's retry.
        if (v2 && m.producerEpoch() == e.producerEpoch()
            && (!e.hasOngoingTransaction() || m.producerEpoch() == Short.MAX_VALUE)) {
            LOG.info("{}: retried end marker of producer {} epoch {} after its transaction completed", manager.name(),
                m.producerId(), m.producerEpoch());
            return;
        }
        fenced(new InvalidProducerEpochException("producer " + m.producerId() + " marker at offset " + m.offset()
            + " has epoch " + m.producerEpoch() + ", " + (v2 ? "not newer than" : "older than") + " current epoch "
            + e.producerEpoch() + " (transaction version " + m.transactionVersion() + ")"));
    }

    /** Throws for appends that enforce fencing; a follower or replay logs and goes on (the leader decided). */
    private void fenced(RuntimeException e) {
        if (origin == AppendOrigin.CLIENT || origin == AppendOrigin.COORDINATOR) {
            throw e;
        }
        LOG.warn("{}: {}", manager.name(), e.getMessage());
    }

    /**
     * Applies the staged changes: the entries, then the transactions opened and completed, in batch order. For each
     * aborted transaction, {@code sink} gets its index entry, with the last stable offset of the moment after its
     * marker, before the transaction stops being ongoing (Kafka's order).
     */
    public void commit(AbortedTxnSink sink) throws IOException {
        manager.putAll(staged);
        verificationsEnded.forEach(manager::endVerification);
        TransactionTracker tracker = manager.tracker();
        for (TxnEvent event : events) {
            switch (event) {
                case TxnEvent.Started s -> tracker.start(s.producerId(), s.firstOffset());
                case TxnEvent.Completed c -> {
                    if (c.txn().aborted()) {
                        sink.append(new AbortedTxn(c.txn(), tracker.lastStableOffset(c.txn())));
                    }
                    tracker.complete(c.txn());
                }
            }
        }
    }
}
