package io.herald.broker.txn.handler;

import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import io.herald.transaction.TransactionCoordinator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.EndTxnRequest;

/**
 * A transactional producer's calls to its coordinator: AddPartitionsToTxn, AddOffsetsToTxn and EndTxn. The
 * transaction coordinator decides; this handler checks, as Kafka's request layer does, that every partition to add
 * exists: if one does not, nothing of that transaction is added, its unknown partitions answer
 * UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED.
 *
 * <p>AddPartitionsToTxn v4+ is the inter-broker form (a partition leader verifying, or with transaction version 2
 * adding, a batch of transactions' partitions); v0-3 is the client's, one transaction.
 *
 * <p>Cheap: answered on the event loop; the coordinator completes the futures on its own thread.
 */
public final class TransactionHandler {
    private final TransactionCoordinator coordinator;
    private final Supplier<ClusterImage> images;

    public TransactionHandler(TransactionCoordinator coordinator, Supplier<ClusterImage> images) {
        this.coordinator = coordinator;
        this.images = images;
    }

    /** AddPartitionsToTxn v0 to v5: batched transactions and verify-only from v4 (KIP-890). */
    public ServedApi addPartitionsToTxn() {
        return new ServedApi(ApiKeys.ADD_PARTITIONS_TO_TXN, VersionRange.of(0, 5), request -> {
            AddPartitionsToTxnRequestData data = ((AddPartitionsToTxnRequest) request.body()).data();
            short version = request.apiVersion();
            ClusterImage image = images.get();
            if (version < 4) {
                List<TopicPartition> partitions = AddPartitionsToTxnRequest.getPartitions(data.v3AndBelowTopics());
                Map<TopicPartition, Errors> unknown = unknownPartitions(image, partitions);
                if (!unknown.isEmpty()) {
                    return CompletableFuture.completedFuture(send(new AddPartitionsToTxnResponseData()
                            .setResultsByTopicV3AndBelow(AddPartitionsToTxnResponse.resultForTransaction(
                                    AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID, unknown).topicResults())));
                }
                return coordinator.addPartitionsToTxn(data, version).thenApply(TransactionHandler::send);
            }
            AddPartitionsToTxnTransactionCollection known = new AddPartitionsToTxnTransactionCollection();
            List<AddPartitionsToTxnResult> refused = new ArrayList<>();
            for (AddPartitionsToTxnTransaction txn : data.transactions()) {
                Map<TopicPartition, Errors> unknown = unknownPartitions(image,
                        AddPartitionsToTxnRequest.getPartitions(txn.topics()));
                if (unknown.isEmpty()) {
                    known.add(txn.duplicate());
                } else {
                    refused.add(AddPartitionsToTxnResponse.resultForTransaction(txn.transactionalId(), unknown));
                }
            }
            CompletableFuture<AddPartitionsToTxnResponseData> answered = known.isEmpty()
                    ? CompletableFuture.completedFuture(new AddPartitionsToTxnResponseData())
                    : coordinator.addPartitionsToTxn(new AddPartitionsToTxnRequestData().setTransactions(known),
                    version);
            return answered.thenApply(response -> {
                refused.forEach(r -> response.resultsByTransaction().add(r));
                return send(response);
            });
        });
    }

    /** AddOffsetsToTxn v0 to v4: the group's {@code __consumer_offsets} partition joins the transaction. */
    public ServedApi addOffsetsToTxn() {
        return new ServedApi(ApiKeys.ADD_OFFSETS_TO_TXN, VersionRange.of(0, 4), request -> {
            AddOffsetsToTxnRequestData data = ((AddOffsetsToTxnRequest) request.body()).data();
            return coordinator.addOffsetsToTxn(data, request.apiVersion()).thenApply(TransactionHandler::send);
        });
    }

    /** EndTxn v0 to v5: from v5 the answer carries the bumped epoch (transaction version 2, KIP-890). */
    public ServedApi endTxn() {
        return new ServedApi(ApiKeys.END_TXN, VersionRange.of(0, 5), request -> {
            EndTxnRequestData data = ((EndTxnRequest) request.body()).data();
            return coordinator.endTxn(data, request.apiVersion()).thenApply(TransactionHandler::send);
        });
    }

    /**
     * The partitions of {@code partitions} that do not exist, UNKNOWN_TOPIC_OR_PARTITION, with every other one
     * OPERATION_NOT_ATTEMPTED; empty when all exist.
     */
    private static Map<TopicPartition, Errors> unknownPartitions(ClusterImage image, List<TopicPartition> partitions) {
        Map<TopicPartition, Errors> errors = new LinkedHashMap<>();
        boolean anyUnknown = false;
        for (TopicPartition tp : partitions) {
            boolean exists = image.topic(tp.topic()).map(t -> t.partitions().containsKey(tp.partition()))
                    .orElse(false);
            anyUnknown |= !exists;
            errors.put(tp, exists ? Errors.OPERATION_NOT_ATTEMPTED : Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        return anyUnknown ? errors : Map.of();
    }

    private static Response send(ApiMessage message) {
        return new Response.Send(message);
    }
}
