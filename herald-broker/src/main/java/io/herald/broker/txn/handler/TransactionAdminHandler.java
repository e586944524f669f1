package io.herald.broker.txn.handler;

import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.security.Authorization;
import io.herald.protocol.KafkaRequest;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import io.herald.storage.producer.ProducerStateEntry;
import io.herald.transaction.TransactionCoordinator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.requests.ListTransactionsRequest;

/**
 * The operator's view of transactions (KIP-664, {@code kafka-transactions.sh}): ListTransactions and
 * DescribeTransactions from the transaction coordinator; DescribeProducers from a partition leader's producer
 * state, which is how hanging transactions are found (a producer whose transaction started long ago on a
 * partition, and that no coordinator lists).
 *
 * <p>ACLs, as Kafka's KafkaApis checks them: ListTransactions lists only the transactional ids the principal may
 * DESCRIBE; DescribeTransactions answers TRANSACTIONAL_ID_AUTHORIZATION_FAILED for an id it may not DESCRIBE, and
 * leaves out of a transaction the topics it may not DESCRIBE; DescribeProducers needs READ on each topic (after the
 * name's validity), else its partitions answer TOPIC_AUTHORIZATION_FAILED.
 *
 * <p>Cheap: answered on the event loop (producer state is in memory).
 */
public final class TransactionAdminHandler {
    private final TransactionCoordinator coordinator;
    private final ReplicaManager replicas;
    private final Supplier<ClusterImage> images;
    private final Authorization authorization;

    /** @param authorization the ACL checks of each request's principal */
    public TransactionAdminHandler(TransactionCoordinator coordinator, ReplicaManager replicas,
                                   Supplier<ClusterImage> images, Authorization authorization) {
        this.coordinator = coordinator;
        this.replicas = replicas;
        this.images = images;
        this.authorization = authorization;
    }

    /** ListTransactions v0 to v2: the duration filter from v1, the transactional id pattern from v2 (KIP-1152). */
    public ServedApi listTransactions() {
        return new ServedApi(ApiKeys.LIST_TRANSACTIONS, VersionRange.of(0, 2), request -> {
            ListTransactionsRequestData data = ((ListTransactionsRequest) request.body()).data();
            return coordinator.listTransactions(data, request.apiVersion()).thenApply(response -> {
                if (authorization.enabled()) {
                    response.transactionStates().removeIf(state ->
                            !authorization.transactionalId(request, AclOperation.DESCRIBE, state.transactionalId()));
                }
                return new Response.Send(response);
            });
        });
    }

    /** DescribeTransactions v0: each id's state, from its coordinator (NOT_COORDINATOR for the ones not here). */
    public ServedApi describeTransactions() {
        return new ServedApi(ApiKeys.DESCRIBE_TRANSACTIONS, VersionRange.of(0, 0), request -> {
            DescribeTransactionsRequestData data = ((DescribeTransactionsRequest) request.body()).data();
            List<CompletableFuture<DescribeTransactionsResponseData.TransactionState>> states = new ArrayList<>();
            data.transactionalIds().forEach(id -> states.add(
                    authorization.transactionalId(request, AclOperation.DESCRIBE, id)
                            ? coordinator.describeTransaction(id)
                            : CompletableFuture.completedFuture(new DescribeTransactionsResponseData.TransactionState()
                                    .setTransactionalId(id)
                                    .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()))));
            return CompletableFuture.allOf(states.toArray(CompletableFuture[]::new)).thenApply(done -> {
                Predicate<String> mayDescribe = authorization.topicCheck(request, AclOperation.DESCRIBE);
                DescribeTransactionsResponseData response = new DescribeTransactionsResponseData();
                states.forEach(s -> {
                    DescribeTransactionsResponseData.TransactionState state = s.join();
                    // Only the partitions of topics the principal may see (Kafka's rule).
                    state.topics().removeIf(topic -> !mayDescribe.test(topic.topic()));
                    response.transactionStates().add(state);
                });
                return new Response.Send(response);
            });
        });
    }

    /**
     * DescribeProducers v0: per partition, the producers the leader's log remembers, with their epoch, last
     * sequence and timestamp, the coordinator epoch of their last marker and the first offset of their ongoing
     * transaction (-1 if none). UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist,
     * NOT_LEADER_OR_FOLLOWER for one not led here.
     */
    public ServedApi describeProducers() {
        return new ServedApi(ApiKeys.DESCRIBE_PRODUCERS, VersionRange.of(0, 0), request -> {
            DescribeProducersRequestData data = ((DescribeProducersRequest) request.body()).data();
            ClusterImage image = images.get();
            DescribeProducersResponseData response = new DescribeProducersResponseData();
            for (DescribeProducersRequestData.TopicRequest topic : data.topics()) {
                TopicResponse topicResponse = new TopicResponse().setName(topic.name());
                Optional<ApiError> refused = refusal(request, topic.name());
                for (int index : topic.partitionIndexes()) {
                    topicResponse.partitions().add(refused.map(e -> new PartitionResponse().setPartitionIndex(index)
                                    .setErrorCode(e.error().code()).setErrorMessage(e.message()))
                            .orElseGet(() -> describe(image, new TopicPartition(topic.name(), index))));
                }
                response.topics().add(topicResponse);
            }
            return CompletableFuture.completedFuture(new Response.Send(response));
        });
    }

    /** Kafka's checks of a DescribeProducers topic before its partitions: a valid name, then READ. */
    private Optional<ApiError> refusal(KafkaRequest request, String topic) {
        try {
            Topic.validate(topic);
        } catch (ApiException e) {
            return Optional.of(ApiError.fromThrowable(e));
        }
        return authorization.topic(request, AclOperation.READ, topic) ? Optional.empty()
                : Optional.of(new ApiError(Errors.TOPIC_AUTHORIZATION_FAILED));
    }

    private PartitionResponse describe(ClusterImage image, TopicPartition tp) {
        PartitionResponse response = new PartitionResponse().setPartitionIndex(tp.partition());
        boolean exists = image.topic(tp.topic()).map(t -> t.partitions().containsKey(tp.partition())).orElse(false);
        Optional<Partition> partition = replicas.partition(tp);
        if (!exists) {
            return response.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        if (partition.isEmpty() || !partition.get().isLeader()) {
            return response.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        }
        for (ProducerStateEntry producer : partition.get().log().activeProducers()) {
            response.activeProducers().add(new ProducerState().setProducerId(producer.producerId())
                    .setProducerEpoch(producer.producerEpoch()).setLastSequence(producer.lastSequence())
                    .setLastTimestamp(producer.lastTimestamp()).setCoordinatorEpoch(producer.coordinatorEpoch())
                    .setCurrentTxnStartOffset(producer.currentTxnFirstOffset().orElse(-1L)));
        }
        return response.setErrorCode(Errors.NONE.code());
    }
}
