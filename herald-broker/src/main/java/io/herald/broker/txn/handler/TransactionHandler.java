package io.herald.broker.txn.handler;

import io.herald.broker.security.Authorization;
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
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
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
 * <p>ACLs, as Kafka's KafkaApis checks them, before the partitions are looked at:
 * <ul>
 *   <li>AddPartitionsToTxn v0-3 needs WRITE on the transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED on
 *       every partition) and on each topic; an internal topic is never added, whatever the ACLs. A refused topic fails
 *       the transaction as an unknown one does: TOPIC_AUTHORIZATION_FAILED on its partitions. v4+ comes from brokers
 *       and needs CLUSTER_ACTION on the cluster, else the request answers CLUSTER_AUTHORIZATION_FAILED
 *       (top-level).</li>
 *   <li>AddOffsetsToTxn needs WRITE on the transactional id, then READ on the group
 *       (TRANSACTIONAL_ID_AUTHORIZATION_FAILED, GROUP_AUTHORIZATION_FAILED).</li>
 *   <li>EndTxn needs WRITE on the transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED).</li>
 * </ul>
 *
 * <p>Cheap: answered on the event loop; the coordinator completes the futures on its own thread.
 */
public final class TransactionHandler {
    private final TransactionCoordinator coordinator;
    private final Supplier<ClusterImage> images;
    private final Authorization authorization;

    /** @param authorization the ACL checks of each request's principal */
    public TransactionHandler(TransactionCoordinator coordinator, Supplier<ClusterImage> images,
                              Authorization authorization) {
        this.coordinator = coordinator;
        this.images = images;
        this.authorization = authorization;
    }

    /** AddPartitionsToTxn v0 to v5: batched transactions and verify-only from v4 (KIP-890). */
    public ServedApi addPartitionsToTxn() {
        return new ServedApi(ApiKeys.ADD_PARTITIONS_TO_TXN, VersionRange.of(0, 5), request -> {
            AddPartitionsToTxnRequestData data = ((AddPartitionsToTxnRequest) request.body()).data();
            short version = request.apiVersion();
            ClusterImage image = images.get();
            if (version >= 4 && !authorization.cluster(request, AclOperation.CLUSTER_ACTION)) {
                return CompletableFuture.completedFuture(Authorization.refusal(request,
                        Authorization.clusterDenied(request, AclOperation.CLUSTER_ACTION)));
            }
            if (version < 4) {
                List<TopicPartition> partitions = AddPartitionsToTxnRequest.getPartitions(data.v3AndBelowTopics());
                if (!authorization.transactionalId(request, AclOperation.WRITE, data.v3AndBelowTransactionalId())) {
                    Map<TopicPartition, Errors> refused = new LinkedHashMap<>();
                    partitions.forEach(tp -> refused.put(tp, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
                    return CompletableFuture.completedFuture(v3Answer(refused));
                }
                Map<TopicPartition, Errors> failed = notAddable(image, partitions,
                        writable(authorization.topicCheck(request, AclOperation.WRITE)));
                if (!failed.isEmpty()) {
                    return CompletableFuture.completedFuture(v3Answer(failed));
                }
                return coordinator.addPartitionsToTxn(data, version).thenApply(TransactionHandler::send);
            }
            AddPartitionsToTxnTransactionCollection known = new AddPartitionsToTxnTransactionCollection();
            List<AddPartitionsToTxnResult> refused = new ArrayList<>();
            for (AddPartitionsToTxnTransaction txn : data.transactions()) {
                // From brokers (CLUSTER_ACTION, checked above): no topic is checked, as in Kafka.
                Map<TopicPartition, Errors> failed = notAddable(image,
                        AddPartitionsToTxnRequest.getPartitions(txn.topics()), topic -> true);
                if (failed.isEmpty()) {
                    known.add(txn.duplicate());
                } else {
                    refused.add(AddPartitionsToTxnResponse.resultForTransaction(txn.transactionalId(), failed));
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
            if (!authorization.transactionalId(request, AclOperation.WRITE, data.transactionalId())) {
                return CompletableFuture.completedFuture(send(new AddOffsetsToTxnResponseData()
                        .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())));
            }
            if (!authorization.group(request, AclOperation.READ, data.groupId())) {
                return CompletableFuture.completedFuture(send(new AddOffsetsToTxnResponseData()
                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())));
            }
            return coordinator.addOffsetsToTxn(data, request.apiVersion()).thenApply(TransactionHandler::send);
        });
    }

    /** EndTxn v0 to v5: from v5 the answer carries the bumped epoch (transaction version 2, KIP-890). */
    public ServedApi endTxn() {
        return new ServedApi(ApiKeys.END_TXN, VersionRange.of(0, 5), request -> {
            EndTxnRequestData data = ((EndTxnRequest) request.body()).data();
            if (!authorization.transactionalId(request, AclOperation.WRITE, data.transactionalId())) {
                return CompletableFuture.completedFuture(send(new EndTxnResponseData()
                        .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())));
            }
            return coordinator.endTxn(data, request.apiVersion()).thenApply(TransactionHandler::send);
        });
    }

    /**
     * A client's topics it may add: those it may WRITE, never an internal one (Kafka leaves internal topics out of
     * the check, so they are refused even without ACLs; AddOffsetsToTxn is how {@code __consumer_offsets} joins).
     */
    private static Predicate<String> writable(Predicate<String> mayWrite) {
        return topic -> !Topic.isInternal(topic) && mayWrite.test(topic);
    }

    /**
     * The partitions of {@code partitions} that may not be added: TOPIC_AUTHORIZATION_FAILED for a topic
     * {@code mayAdd} refuses, else UNKNOWN_TOPIC_OR_PARTITION where they do not exist, with every other one
     * OPERATION_NOT_ATTEMPTED; empty when all may be added.
     */
    private static Map<TopicPartition, Errors> notAddable(ClusterImage image, List<TopicPartition> partitions,
                                                                 Predicate<String> mayAdd) {
        Map<TopicPartition, Errors> errors = new LinkedHashMap<>();
        boolean anyFailed = false;
        for (TopicPartition tp : partitions) {
            Errors error = !mayAdd.test(tp.topic()) ? Errors.TOPIC_AUTHORIZATION_FAILED
                    : image.topic(tp.topic()).map(t -> t.partitions().containsKey(tp.partition())).orElse(false)
                    ? Errors.OPERATION_NOT_ATTEMPTED : Errors.UNKNOWN_TOPIC_OR_PARTITION;
            anyFailed |= error != Errors.OPERATION_NOT_ATTEMPTED;
            errors.put(tp, error);
        }
        return anyFailed ? errors : Map.of();
    }

    /** A v0-3 answer: the client's one transaction, each partition with its error. */
    private static Response v3Answer(Map<TopicPartition, Errors> errors) {
        return send(new AddPartitionsToTxnResponseData().setResultsByTopicV3AndBelow(
                AddPartitionsToTxnResponse.resultForTransaction(AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID,
                        errors).topicResults()));
    }

    private static Response send(ApiMessage message) {
        return new Response.Send(message);
    }
}
