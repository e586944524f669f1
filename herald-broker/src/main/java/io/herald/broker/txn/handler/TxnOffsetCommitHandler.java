package io.herald.broker.txn.handler;

import io.herald.broker.group.handler.GroupResponses;
import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.security.Authorization;
import io.herald.broker.txn.TransactionVerifier.Operation;
import io.herald.broker.txn.TransactionVerifier.Verification;
import io.herald.broker.txn.TransactionVerifier;
import io.herald.common.txn.VerificationGuard;
import io.herald.group.GroupCoordinator;
import io.herald.group.OffsetsTopic;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TxnOffsetCommit: a transactional producer's offsets, written to the group's {@code __consumer_offsets} partition
 * inside its transaction and visible once the COMMIT marker lands there. Before writing, the group's partition is
 * checked to be in the producer's transaction (KIP-890), unless the partition's log already has that producer's
 * transaction ongoing: with transaction version 2 (v5) the check adds it, since such producers send no
 * AddOffsetsToTxn; before, it only verifies what AddOffsetsToTxn added. The partition's verification guard goes
 * with the write, so offsets of a transaction that ended meanwhile are refused (INVALID_TXN_STATE).
 *
 * <p>Failures answer every partition with the error, mapped as Kafka's group coordinator does: NOT_ENOUGH_REPLICAS,
 * REQUEST_TIMED_OUT and UNKNOWN_TOPIC_OR_PARTITION become COORDINATOR_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER and
 * KAFKA_STORAGE_ERROR become NOT_COORDINATOR, so the producer looks up the coordinator again.
 *
 * <p>ACLs, as Kafka's KafkaApis checks them: WRITE on the transactional id, then READ on the group, else every
 * partition answers TRANSACTIONAL_ID_AUTHORIZATION_FAILED or GROUP_AUTHORIZATION_FAILED; then READ on each topic, else
 * its partitions answer TOPIC_AUTHORIZATION_FAILED and only the other topics' offsets are committed (none of them:
 * the coordinator is not asked at all).
 */
public final class TxnOffsetCommitHandler {
    private static final Logger log = LoggerFactory.getLogger(TxnOffsetCommitHandler.class);

    private final GroupCoordinator groups;
    private final TransactionVerifier verifier;
    private final ReplicaManager replicas;
    private final Supplier<ClusterImage> images;
    private final Authorization authorization;

    /** @param authorization the ACL checks of each request's principal */
    public TxnOffsetCommitHandler(GroupCoordinator groups, TransactionVerifier verifier, ReplicaManager replicas,
                                  Supplier<ClusterImage> images, Authorization authorization) {
        this.authorization = authorization;
        this.groups = groups;
        this.verifier = verifier;
        this.replicas = replicas;
        this.images = images;
    }

    /** TxnOffsetCommit v0 to v5: the group's generation and member from v3 (KIP-447), implicit add from v5. */
    public ServedApi api() {
        return new ServedApi(ApiKeys.TXN_OFFSET_COMMIT, VersionRange.of(0, 5), this::handle);
    }

    private CompletableFuture<Response> handle(KafkaRequest request) {
        TxnOffsetCommitRequestData data = ((TxnOffsetCommitRequest) request.body()).data();
        if (data.transactionalId() == null || data.transactionalId().isEmpty()) {
            return answer(data, Errors.INVALID_REQUEST);
        }
        if (data.groupId() == null || data.groupId().isEmpty()) {
            return answer(data, Errors.INVALID_GROUP_ID);
        }
        if (!authorization.transactionalId(request, AclOperation.WRITE, data.transactionalId())) {
            return answer(data, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        }
        if (!authorization.group(request, AclOperation.READ, data.groupId())) {
            return answer(data, Errors.GROUP_AUTHORIZATION_FAILED);
        }
        if (!authorization.enabled()) {
            return commit(request, data).thenApply(Response.Send::new);
        }
        Predicate<String> mayRead = authorization.topicCheck(request, AclOperation.READ);
        List<TxnOffsetCommitRequestTopic> permitted = new ArrayList<>();
        List<TxnOffsetCommitRequestTopic> refused = new ArrayList<>();
        data.topics().forEach(topic -> (mayRead.test(topic.name()) ? permitted : refused).add(topic));
        if (refused.isEmpty()) {
            return commit(request, data).thenApply(Response.Send::new);
        }
        List<TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic> refusals = TxnOffsetCommitRequest
                .getErrorResponse(new TxnOffsetCommitRequestData().setTopics(refused),
                        Errors.TOPIC_AUTHORIZATION_FAILED).topics();
        if (permitted.isEmpty()) {
            return CompletableFuture.completedFuture(new Response.Send(new TxnOffsetCommitResponseData()
                    .setTopics(new ArrayList<>(refusals))));
        }
        TxnOffsetCommitRequestData authorized = new TxnOffsetCommitRequestData()
                .setTransactionalId(data.transactionalId()).setGroupId(data.groupId())
                .setProducerId(data.producerId()).setProducerEpoch(data.producerEpoch())
                .setGenerationId(data.generationId()).setMemberId(data.memberId())
                .setGroupInstanceId(data.groupInstanceId()).setTopics(permitted);
        return commit(request, authorized).thenApply(response -> {
            List<TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic> topics = new ArrayList<>(response.topics());
            topics.addAll(refusals);
            return new Response.Send(response.setTopics(topics));
        });
    }

    /** Commits {@code data}'s offsets, every topic of which the principal may commit. */
    private CompletableFuture<TxnOffsetCommitResponseData> commit(KafkaRequest request,
                                                                  TxnOffsetCommitRequestData data) {
        short version = request.apiVersion();
        TopicPartition offsets = new TopicPartition(OffsetsTopic.NAME, groups.partitionFor(data.groupId()));
        // The guard first, then the coordinator: an end marker that lands between its answer and the write
        // invalidates the guard (KIP-890). Not hosted here: the coordinator answers NOT_COORDINATOR.
        VerificationGuard guard = replicas.partition(offsets).filter(Partition::isLeader)
                .map(p -> p.maybeStartTransactionVerification(data.producerId(), data.producerEpoch()))
                .orElse(VerificationGuard.SENTINEL);
        boolean ongoing = guard == VerificationGuard.SENTINEL;
        CompletableFuture<Map<TopicPartition, Errors>> verified = ongoing
                ? CompletableFuture.completedFuture(Map.of())
                : verifier.verify(new Verification(data.transactionalId(), data.producerId(), data.producerEpoch(),
                        Set.of(offsets), Operation.ofTxnOffsetCommit(version)));
        ClusterImage image = images.get();
        return verified.thenCompose(unverified -> {
            if (!unverified.isEmpty()) {
                return CompletableFuture.completedFuture(TxnOffsetCommitRequest.getErrorResponse(data,
                        coordinatorError(unverified.get(offsets))));
            }
            return groups.txnCommitOffsets(GroupResponses.context(request), data, tp -> image.topic(tp.topic())
                            .map(t -> t.partitions().containsKey(tp.partition())).orElse(false), guard)
                    .handle((response, failure) -> failure == null ? response
                            : TxnOffsetCommitRequest.getErrorResponse(data, coordinatorError(errorOf(failure))));
        });
    }

    private static Errors coordinatorError(Errors error) {
        return switch (error) {
            case NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, UNKNOWN_TOPIC_OR_PARTITION -> Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            default -> error;
        };
    }

    private static Errors errorOf(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        Errors error = Errors.forException(cause);
        if (error == Errors.UNKNOWN_SERVER_ERROR) {
            log.warn("Unexpected error committing transactional offsets", cause);
        }
        return error;
    }

    private static CompletableFuture<Response> answer(TxnOffsetCommitRequestData data, Errors error) {
        return CompletableFuture.completedFuture(new Response.Send(TxnOffsetCommitRequest.getErrorResponse(data,
                error)));
    }
}
