package io.herald.transaction;

import io.herald.transaction.state.TransactionMetadata;

import io.herald.coordinator.runtime.CoordinatorErrors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

/**
 * The responses of the transaction APIs, with the error codes each request version understands: a client that
 * predates an error code gets the one it handles the same way, as Kafka's request handlers do.
 *
 * <ul>
 *   <li>PRODUCER_FENCED (KIP-588) is INVALID_PRODUCER_EPOCH for InitProducerId v0-3 and for AddPartitionsToTxn,
 *       AddOffsetsToTxn and EndTxn v0-1.</li>
 *   <li>TRANSACTION_ABORTABLE (KIP-890) is INVALID_TXN_STATE for AddPartitionsToTxn v4, what a verification
 *       answered before v5 introduced it.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class TransactionResponses {
    private TransactionResponses() {
    }

    /** The Kafka error of a failed future: NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, ... */
    static Errors errorOf(Throwable failure) {
        return Errors.forException(CoordinatorErrors.unwrap(failure));
    }

    static InitProducerIdResponseData initProducerId(Errors error, long producerId, short epoch, short version) {
        Errors answered = version < 4 ? fencedAsInvalidEpoch(error) : error;
        boolean ok = answered == Errors.NONE;
        return new InitProducerIdResponseData().setErrorCode(answered.code())
                .setProducerId(ok ? producerId : TransactionMetadata.NO_PRODUCER_ID)
                .setProducerEpoch(ok ? epoch : TransactionMetadata.NO_PRODUCER_EPOCH);
    }

    static InitProducerIdResponseData initProducerIdError(Errors error, short version) {
        return initProducerId(error, TransactionMetadata.NO_PRODUCER_ID, TransactionMetadata.NO_PRODUCER_EPOCH, version);
    }

    /** v0-3: one transaction, results by topic. */
    static AddPartitionsToTxnResponseData addPartitionsV3(Map<TopicPartition, Errors> errors, short version) {
        var result = AddPartitionsToTxnResponse.resultForTransaction(AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID,
                converted(errors, version));
        return new AddPartitionsToTxnResponseData().setResultsByTopicV3AndBelow(result.topicResults());
    }

    /** v4+: the result of one transaction of a partition leader's batch. */
    static AddPartitionsToTxnResponseData.AddPartitionsToTxnResult addPartitionsResult(
            String transactionalId, Map<TopicPartition, Errors> errors, short version) {
        return AddPartitionsToTxnResponse.resultForTransaction(transactionalId, converted(errors, version));
    }

    static Map<TopicPartition, Errors> every(Set<TopicPartition> partitions, Errors error) {
        Map<TopicPartition, Errors> errors = new LinkedHashMap<>();
        partitions.forEach(tp -> errors.put(tp, error));
        return errors;
    }

    private static Map<TopicPartition, Errors> converted(Map<TopicPartition, Errors> errors, short version) {
        Map<TopicPartition, Errors> out = new LinkedHashMap<>();
        errors.forEach((tp, e) -> out.put(tp, addPartitionsError(e, version)));
        return out;
    }

    private static Errors addPartitionsError(Errors error, short version) {
        if (version < 2) {
            return fencedAsInvalidEpoch(error);
        }
        return version == 4 && error == Errors.TRANSACTION_ABORTABLE ? Errors.INVALID_TXN_STATE : error;
    }

    static AddOffsetsToTxnResponseData addOffsets(Errors error, short version) {
        return new AddOffsetsToTxnResponseData()
                .setErrorCode((version < 2 ? fencedAsInvalidEpoch(error) : error).code());
    }

    /** EndTxn; the producer id and epoch exist from v5 (KIP-890 part 2) and are -1 with an error. */
    static EndTxnResponseData endTxn(Errors error, long producerId, short epoch, short version) {
        Errors answered = version < 2 ? fencedAsInvalidEpoch(error) : error;
        EndTxnResponseData response = new EndTxnResponseData().setErrorCode(answered.code());
        if (version >= 5 && answered == Errors.NONE) {
            response.setProducerId(producerId).setProducerEpoch(epoch);
        }
        return response;
    }

    private static Errors fencedAsInvalidEpoch(Errors error) {
        return error == Errors.PRODUCER_FENCED ? Errors.INVALID_PRODUCER_EPOCH : error;
    }
}
