package io.herald.transaction;

import io.herald.common.time.Time;
import io.herald.transaction.state.TransactionMetadata;
import java.util.Optional;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.ProducerIdAndEpoch;

/**
 * InitProducerId for a transactional id, Kafka's {@code prepareInitProducerIdTransit}: the first producer gets a
 * new producer id at epoch 0; a later one gets the next epoch, which fences every earlier producer of the id
 * (KIP-98); when the epochs are exhausted, a new producer id (KIP-360); a producer that names its id and epoch
 * (InitProducerId v3+) recovers without being fenced, or is fenced if another producer took over (KIP-360). An
 * ongoing transaction is aborted first with a bumped epoch and the producer told CONCURRENT_TRANSACTIONS: its
 * retry, once the abort completed, bumps the epoch again.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class ProducerIdInitializer {
    /** The outcome: the producer id and epoch to answer with (-1 with an error), and the metadata to write. */
    record Outcome(Errors error, long producerId, short producerEpoch, Optional<TransactionMetadata> written) {
        static Outcome error(Errors error) {
            return new Outcome(error, TransactionMetadata.NO_PRODUCER_ID, TransactionMetadata.NO_PRODUCER_EPOCH, Optional.empty());
        }

        static Outcome initialized(TransactionMetadata m) {
            return new Outcome(Errors.NONE, m.producerId(), m.producerEpoch(), Optional.of(m));
        }
    }

    private final TransactionStore store;
    private final ProducerIdGenerator producerIds;
    private final Time time;

    ProducerIdInitializer(TransactionStore store, ProducerIdGenerator producerIds, Time time) {
        this.store = store;
        this.producerIds = producerIds;
        this.time = time;
    }

    /**
     * @param timeoutMs already validated against {@code transaction.max.timeout.ms}
     * @param expected  the producer id and epoch the producer has (KIP-360), or empty for a new producer
     */
    Outcome initProducerId(String transactionalId, int timeoutMs, Optional<ProducerIdAndEpoch> expected) {
        long now = time.milliseconds();
        TransactionMetadata current;
        try {
            current = store.get(transactionalId)
                    .orElseGet(() -> TransactionMetadata.unseen(transactionalId, producerIds.generateProducerId(),
                            timeoutMs, now));
        } catch (ApiException e) {
            return Outcome.error(Errors.forException(e));
        }
        if (expected.isPresent() && !isValidProducerId(current, expected.get())) {
            return Outcome.error(Errors.PRODUCER_FENCED);
        }
        return switch (current.state()) {
            // The previous transaction's markers are still being written: the producer backs off and retries.
            case PREPARE_COMMIT, PREPARE_ABORT -> Outcome.error(Errors.CONCURRENT_TRANSACTIONS);
            case EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT -> newEpoch(current, timeoutMs, expected, now);
            // Abort first, with an epoch this producer never sees; its retry bumps again, so a fence that exhausts
            // the epochs leads to a new producer id on the retry.
            case ONGOING -> new Outcome(Errors.CONCURRENT_TRANSACTIONS, TransactionMetadata.NO_PRODUCER_ID,
                    TransactionMetadata.NO_PRODUCER_EPOCH, Optional.of(current.fenceAndAbort(now)));
            case DEAD, PREPARE_EPOCH_FENCE -> throw new IllegalStateException(transactionalId + " is stored in "
                    + current.state() + ", which is never written");
        };
    }

    /**
     * A producer naming its id and epoch is let through if the metadata is new (it recovers from
     * UNKNOWN_PRODUCER_ID), the id is the current one (the epoch is checked by the bump), or it is the previous id
     * and the epoch was exhausted (a retry of a rotation whose answer was lost).
     */
    private static boolean isValidProducerId(TransactionMetadata m, ProducerIdAndEpoch expected) {
        return m.producerEpoch() == TransactionMetadata.NO_PRODUCER_EPOCH
                || expected.producerId == m.producerId()
                || (expected.producerId == m.prevProducerId() && TransactionMetadata.isEpochExhausted(expected.epoch));
    }

    private Outcome newEpoch(TransactionMetadata current, int timeoutMs, Optional<ProducerIdAndEpoch> expected,
                             long now) {
        try {
            if (current.isProducerEpochExhausted()
                    && expected.map(e -> e.epoch == current.producerEpoch()).orElse(true)) {
                long newProducerId = producerIds.generateProducerId();
                return Outcome.initialized(current.rotateProducerId(newProducerId, timeoutMs, now,
                        expected.isPresent()));
            }
            if (current.isProducerEpochExhausted() && expected.map(e -> e.epoch != current.lastProducerEpoch())
                    .orElse(false)) {
                // Kafka reaches an IllegalStateException here; the producer's epoch is stale either way.
                return Outcome.error(Errors.PRODUCER_FENCED);
            }
            return Outcome.initialized(current.bumpEpoch(timeoutMs, expected.map(e -> e.epoch), now));
        } catch (ProducerFencedException e) {
            return Outcome.error(Errors.PRODUCER_FENCED);
        } catch (ApiException e) {
            return Outcome.error(Errors.forException(e)); // from the producer id generator
        }
    }
}
