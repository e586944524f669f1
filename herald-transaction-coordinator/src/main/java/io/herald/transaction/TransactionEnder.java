package io.herald.transaction;

import io.herald.common.time.Time;
import io.herald.transaction.state.TransactionMetadata;
import io.herald.transaction.state.TransactionState;
import io.herald.transaction.state.TransactionVersion;
import java.util.Optional;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * EndTxn: decides a transaction's outcome by writing PrepareCommit or PrepareAbort. The answer leaves once that
 * record is committed (the markers follow, see {@link MarkerDriver}), as in Kafka.
 *
 * <p>Two rule sets, by the request's transaction version:
 * <ul>
 *   <li><b>TV_0/TV_1</b> (EndTxn v0-4): the epoch must be the current one; a retry finds the transaction
 *       complete with the same outcome and is answered NONE, or still prepared and is answered
 *       CONCURRENT_TRANSACTIONS.</li>
 *   <li><b>TV_2</b> (EndTxn v5+, KIP-890 part 2): the Prepare record bumps the epoch, and the answer carries the
 *       new epoch (or, when the epoch is exhausted, the next producer id at epoch 0). A retry is recognised by
 *       its epoch being one behind (or the old producer id at epoch 32766 after an overflow); an abort is allowed
 *       with no partition added. Kafka's table: from Empty, an abort with the current epoch bumps, a commit is
 *       INVALID_TXN_STATE; from CompleteCommit, a retried commit is NONE and a new abort bumps; from
 *       CompleteAbort, a retried abort is NONE and a new abort bumps; an older epoch is PRODUCER_FENCED.</li>
 * </ul>
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class TransactionEnder {
    private static final Logger log = LoggerFactory.getLogger(TransactionEnder.class);

    /**
     * The outcome: the error, the producer id and epoch EndTxn v5+ answers with (-1 otherwise), and the metadata
     * to write.
     */
    record Outcome(Errors error, long producerId, short producerEpoch, Optional<TransactionMetadata> written) {
        static Outcome error(Errors error) {
            return new Outcome(error, TransactionMetadata.NO_PRODUCER_ID, TransactionMetadata.NO_PRODUCER_EPOCH, Optional.empty());
        }
    }

    private final TransactionStore store;
    private final ProducerIdGenerator producerIds;
    private final Time time;

    TransactionEnder(TransactionStore store, ProducerIdGenerator producerIds, Time time) {
        this.store = store;
        this.producerIds = producerIds;
        this.time = time;
    }

    Outcome endTxn(String transactionalId, long producerId, short producerEpoch, TransactionResult result,
                   TransactionVersion version) {
        Optional<TransactionMetadata> found = store.get(transactionalId);
        if (found.isEmpty()) {
            return Outcome.error(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        return version.supportsEpochBump() ? endV2(found.get(), producerId, producerEpoch, result)
                : endV1(found.get(), producerId, producerEpoch, result, version);
    }

    private Outcome endV1(TransactionMetadata m, long producerId, short producerEpoch, TransactionResult result,
                          TransactionVersion version) {
        if (m.producerId() != producerId) {
            return Outcome.error(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        if (producerEpoch != m.producerEpoch()) {
            return Outcome.error(Errors.PRODUCER_FENCED);
        }
        boolean commit = result == TransactionResult.COMMIT;
        return switch (m.state()) {
            case ONGOING -> {
                TransactionMetadata prepared = m.prepare(commit ? TransactionState.PREPARE_COMMIT
                        : TransactionState.PREPARE_ABORT, version, TransactionMetadata.NO_PRODUCER_ID, time.milliseconds(),
                        false);
                yield new Outcome(Errors.NONE, TransactionMetadata.NO_PRODUCER_ID, TransactionMetadata.NO_PRODUCER_EPOCH,
                        Optional.of(prepared));
            }
            // A retry of an EndTxn that completed: the same outcome is answered NONE.
            case COMPLETE_COMMIT -> commit ? Outcome.error(Errors.NONE) : invalid(m, result);
            case COMPLETE_ABORT -> !commit ? Outcome.error(Errors.NONE) : invalid(m, result);
            // A retry while the markers are written: back off and retry.
            case PREPARE_COMMIT -> commit ? Outcome.error(Errors.CONCURRENT_TRANSACTIONS) : invalid(m, result);
            case PREPARE_ABORT -> !commit ? Outcome.error(Errors.CONCURRENT_TRANSACTIONS) : invalid(m, result);
            case EMPTY -> invalid(m, result);
            case DEAD, PREPARE_EPOCH_FENCE -> throw neverStored(m);
        };
    }

    private Outcome endV2(TransactionMetadata m, long producerId, short producerEpoch, TransactionResult result) {
        // A retry of an EndTxn whose epoch overflowed: the producer still has the old id at epoch 32766.
        boolean retryOnOverflow = m.prevProducerId() == producerId && producerEpoch == Short.MAX_VALUE - 1
                && m.producerEpoch() == 0;
        // A retry of an EndTxn that bumped the epoch.
        boolean retryOnEpochBump = m.producerEpoch() == producerEpoch + 1;
        boolean validEpoch = switch (m.state()) {
            // The same epoch here is the next transaction's EndTxn, not a retry.
            case ONGOING, EMPTY, DEAD, PREPARE_EPOCH_FENCE -> producerEpoch == m.producerEpoch();
            case PREPARE_COMMIT, PREPARE_ABORT -> retryOnEpochBump;
            case COMPLETE_COMMIT, COMPLETE_ABORT -> retryOnEpochBump || retryOnOverflow
                    || producerEpoch == m.producerEpoch();
        };
        boolean retry = retryOnEpochBump || retryOnOverflow;
        if (m.producerId() != producerId && !retryOnOverflow) {
            return Outcome.error(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        if (!validEpoch) {
            return Outcome.error(Errors.PRODUCER_FENCED);
        }
        boolean commit = result == TransactionResult.COMMIT;
        return switch (m.state()) {
            case ONGOING -> prepareV2(m, commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT,
                    false);
            case COMPLETE_COMMIT -> commit ? (retry ? retried(m) : invalid(m, result))
                    : (retry ? invalid(m, result) : prepareV2(m, TransactionState.PREPARE_ABORT, true));
            case COMPLETE_ABORT -> commit ? invalid(m, result)
                    : (retry ? retried(m) : prepareV2(m, TransactionState.PREPARE_ABORT, true));
            case PREPARE_COMMIT -> commit ? Outcome.error(Errors.CONCURRENT_TRANSACTIONS) : invalid(m, result);
            case PREPARE_ABORT -> !commit ? Outcome.error(Errors.CONCURRENT_TRANSACTIONS) : invalid(m, result);
            case EMPTY -> commit ? invalid(m, result) : prepareV2(m, TransactionState.PREPARE_ABORT, true);
            case DEAD, PREPARE_EPOCH_FENCE -> throw neverStored(m);
        };
    }

    /** The answer to a retry: NONE with the producer id and epoch the first answer carried. */
    private static Outcome retried(TransactionMetadata m) {
        return new Outcome(Errors.NONE, m.producerId(), m.producerEpoch(), Optional.empty());
    }

    private Outcome prepareV2(TransactionMetadata m, TransactionState target, boolean noPartitionAdded) {
        long nextProducerId = TransactionMetadata.NO_PRODUCER_ID;
        if (m.isProducerEpochExhausted()) {
            try {
                // The bump reaches 32767, which the producer never uses: it moves to a new id on completion.
                nextProducerId = producerIds.generateProducerId();
            } catch (ApiException e) {
                return Outcome.error(Errors.forException(e));
            }
        }
        TransactionMetadata prepared = m.prepare(target, TransactionVersion.TV_2, nextProducerId,
                time.milliseconds(), noPartitionAdded);
        boolean rotates = nextProducerId != TransactionMetadata.NO_PRODUCER_ID;
        return new Outcome(Errors.NONE, rotates ? nextProducerId : prepared.producerId(),
                rotates ? 0 : prepared.producerEpoch(), Optional.of(prepared));
    }

    private static Outcome invalid(TransactionMetadata m, TransactionResult result) {
        log.warn("Transactional id {} is in {}, but received EndTxn({})", m.transactionalId(), m.state(), result);
        return Outcome.error(Errors.INVALID_TXN_STATE);
    }

    private static IllegalStateException neverStored(TransactionMetadata m) {
        return new IllegalStateException(m.transactionalId() + " is stored in " + m.state()
                + ", which is never written");
    }
}
