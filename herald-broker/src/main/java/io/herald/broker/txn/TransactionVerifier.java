package io.herald.broker.txn;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Asks a transactional id's coordinator whether partitions are in the producer's ongoing transaction before a
 * partition leader appends its transactional records or offsets (KIP-890 part 1), or, with transaction version 2,
 * adds them on the producer's behalf (part 2: such producers never send AddPartitionsToTxn for data). This is what
 * closes the hanging-transaction hole: a late retry of a produce from a transaction already ended would otherwise
 * open a transaction that no coordinator knows and that holds back the last stable offset for ever.
 *
 * <p>The answer maps the partitions that failed to their error, already translated for the caller, as Kafka does:
 * PRODUCER_FENCED becomes INVALID_PRODUCER_EPOCH (what producers expect here); TRANSACTION_ABORTABLE becomes
 * INVALID_TXN_STATE except for clients that handle it ({@link Operation#GENERIC_ERROR}); errors a client should
 * retry (CONCURRENT_TRANSACTIONS, NETWORK_EXCEPTION, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE,
 * NOT_COORDINATOR) are left as they are: {@link #forProduce} says how a produce answers them.
 *
 * <p>Thread-safety: implementations are thread-safe.
 */
@FunctionalInterface
public interface TransactionVerifier {

    /** What the client understands, from its request version (Kafka's {@code TransactionSupportedOperation}). */
    public enum Operation {
        /** Produce below v11, TxnOffsetCommit below v4: verify; a client that predates TRANSACTION_ABORTABLE. */
        DEFAULT_ERROR,
        /** Produce v11, TxnOffsetCommit v4: verify; the client handles TRANSACTION_ABORTABLE. */
        GENERIC_ERROR,
        /** Produce v12+, TxnOffsetCommit v5+ (transaction version 2): add the partitions to the transaction. */
        ADD_PARTITION;

        public static Operation ofProduce(short version) {
            return version >= 12 ? ADD_PARTITION : version == 11 ? GENERIC_ERROR : DEFAULT_ERROR;
        }

        public static Operation ofTxnOffsetCommit(short version) {
            return version >= 5 ? ADD_PARTITION : version == 4 ? GENERIC_ERROR : DEFAULT_ERROR;
        }
    }

    /** One producer's partitions to verify or add. */
    public record Verification(String transactionalId, long producerId, short producerEpoch,
                               Set<TopicPartition> partitions, Operation operation) {
        public Verification {
            Objects.requireNonNull(transactionalId, "transactionalId");
            partitions = Set.copyOf(partitions);
        }
    }

    /** The partitions that could not be verified (or added), with their error; empty when all were. */
    CompletableFuture<Map<TopicPartition, Errors>> verify(Verification verification);

    /** A verifier for a broker without a transaction coordinator: nothing verifies (tests of other layers). */
    static TransactionVerifier unavailable() {
        return v -> {
            Map<TopicPartition, Errors> errors = new java.util.HashMap<>();
            v.partitions().forEach(tp -> errors.put(tp, Errors.COORDINATOR_NOT_AVAILABLE));
            return CompletableFuture.completedFuture(errors);
        };
    }

    /**
     * How a produce answers a partition that failed verification: INVALID_TXN_STATE with Kafka's message, and
     * NOT_ENOUGH_REPLICAS for the errors older producers would not retry correctly (it makes every producer retry
     * without refreshing its metadata); other errors as they are.
     */
    static Errors forProduce(Errors error) {
        return switch (error) {
            case CONCURRENT_TRANSACTIONS, NETWORK_EXCEPTION, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE,
                 NOT_COORDINATOR -> Errors.NOT_ENOUGH_REPLICAS;
            default -> error;
        };
    }
}
