package io.herald.broker.share.handler;

import io.herald.broker.security.Authorization;
import io.herald.broker.share.AcknowledgementBatch;
import io.herald.broker.share.SharePartitionManager;
import io.herald.broker.share.ShareSessionCache;
import io.herald.group.config.GroupConfigView;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ShareAcknowledgeRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ShareAcknowledge (API 79), v1 (KIP-932) and v2 (RENEW and IsRenewAck, KIP-1222; the lock duration in the
 * response), as Kafka 4.3.1's KafkaApis.handleShareAcknowledgeRequest answers it: a group id and a valid member id,
 * then the session epoch (never 0 here; -1 acknowledges and then ends the session, releasing what the member still
 * holds), then the acknowledgements, each partition answered once its change is written.
 *
 * <p>ACLs as in KafkaApis: READ on the group, checked right after the group id (else GROUP_AUTHORIZATION_FAILED for
 * the whole request), and READ on each topic (else the partition's TOPIC_AUTHORIZATION_FAILED, unacknowledged).
 *
 * <p>Thread-safety: thread-safe.
 */
public final class ShareAcknowledgeHandler {
    private static final Logger log = LoggerFactory.getLogger(ShareAcknowledgeHandler.class);

    private final ShareSessionCache sessions;
    private final SharePartitionManager manager;
    private final Acknowledgements acknowledgements;
    private final Supplier<ClusterImage> images;
    private final GroupConfigView configs;

    ShareAcknowledgeHandler(ShareSessionCache sessions, SharePartitionManager manager,
                            Acknowledgements acknowledgements, Supplier<ClusterImage> images, GroupConfigView configs) {
        this.sessions = sessions;
        this.manager = manager;
        this.acknowledgements = acknowledgements;
        this.images = images;
        this.configs = configs;
    }

    /** The API, with the checks of {@code authorization}. */
    public ServedApi api(Authorization authorization) {
        return new ServedApi(ApiKeys.SHARE_ACKNOWLEDGE, VersionRange.of(1, 2),
                request -> handle(request, authorization));
    }

    CompletableFuture<Response> handle(KafkaRequest request, Authorization authorization) {
        ShareAcknowledgeRequestData data = ((ShareAcknowledgeRequest) request.body()).data();
        short version = request.apiVersion();
        String groupId = data.groupId();
        if (groupId == null) {
            return fail(Errors.INVALID_REQUEST, "Invalid group id in the request.");
        }
        if (!authorization.group(request, AclOperation.READ, groupId)) {
            return CompletableFuture.completedFuture(new Response.Send(request.body().getErrorResponse(
                    Errors.GROUP_AUTHORIZATION_FAILED.exception()).data()));
        }
        String memberId = data.memberId();
        if (!ShareApis.isMemberIdValid(memberId)) {
            return fail(Errors.INVALID_REQUEST, "Invalid member id in the request.");
        }
        int epoch = data.shareSessionEpoch();
        try {
            sessions.acknowledgeSessionUpdate(groupId, memberId, epoch);
        } catch (ApiException e) {
            return fail(Errors.forException(e), e.getMessage());
        }
        ClusterImage image = images.get();
        List<Acknowledgements.Requested> requested = new ArrayList<>();
        for (ShareAcknowledgeRequestData.AcknowledgeTopic topic : data.topics()) {
            String name = image.topic(topic.topicId()).map(TopicImage::name).orElse(null);
            for (ShareAcknowledgeRequestData.AcknowledgePartition p : topic.partitions()) {
                List<AcknowledgementBatch> batches = new ArrayList<>();
                for (ShareAcknowledgeRequestData.AcknowledgementBatch b : p.acknowledgementBatches()) {
                    batches.add(new AcknowledgementBatch(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes()));
                }
                requested.add(new Acknowledgements.Requested(
                        new TopicIdPartition(topic.topicId(), p.partitionIndex(), name), batches));
            }
        }
        Predicate<String> readable = authorization.topicCheck(request, AclOperation.READ);
        return acknowledgements.acknowledge(groupId, memberId, requested, image, version >= 2, data.isRenewAck(),
                        readable)
                .thenApply(outcomes -> {
                    if (epoch == ShareSessionCache.FINAL_EPOCH) {
                        endSession(groupId, memberId);
                    }
                    return (Response) new Response.Send(response(groupId, version, outcomes, images.get(),
                            request.connection().listenerName()));
                }).exceptionally(failure -> {
                    log.warn("ShareAcknowledge of group {} failed", groupId, failure);
                    return new Response.Send(new ShareAcknowledgeResponseData()
                            .setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code()));
                });
    }

    private void endSession(String groupId, String memberId) {
        List<TopicIdPartition> partitions;
        try {
            partitions = sessions.remove(groupId, memberId);
        } catch (ApiException e) {
            return;
        }
        manager.release(groupId, memberId, partitions).whenComplete((released, failure) -> {
            if (failure != null) {
                log.warn("Releasing the records of share session {}/{} failed", groupId, memberId, failure);
            }
        });
    }

    private ShareAcknowledgeResponseData response(String groupId, short version,
                                                  Map<TopicIdPartition, Optional<ApiException>> outcomes,
                                                  ClusterImage image, String listener) {
        Map<Uuid, ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse> topics = new LinkedHashMap<>();
        ShareAcknowledgeResponseData.NodeEndpointCollection endpoints =
                new ShareAcknowledgeResponseData.NodeEndpointCollection();
        for (Map.Entry<TopicIdPartition, Optional<ApiException>> e : outcomes.entrySet()) {
            TopicIdPartition tp = e.getKey();
            ShareAcknowledgeResponseData.PartitionData pd = new ShareAcknowledgeResponseData.PartitionData()
                    .setPartitionIndex(tp.partition());
            e.getValue().ifPresent(error -> pd.setErrorCode(Errors.forException(error).code())
                    .setErrorMessage(error.getMessage()));
            if (LeaderHints.wanted(pd.errorCode())) {
                LeaderHints.of(image, tp, listener).ifPresent(leader -> {
                    pd.currentLeader().setLeaderId(leader.leaderId()).setLeaderEpoch(leader.leaderEpoch());
                    leader.node().ifPresent(node -> addEndpoint(endpoints, node));
                });
            }
            topics.computeIfAbsent(tp.topicId(),
                    id -> new ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse().setTopicId(id))
                    .partitions().add(pd);
        }
        ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponseCollection responses =
                new ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponseCollection();
        topics.values().forEach(responses::add);
        ShareAcknowledgeResponseData response = new ShareAcknowledgeResponseData().setErrorCode(Errors.NONE.code())
                .setResponses(responses).setNodeEndpoints(endpoints);
        if (version >= 2) {
            response.setAcquisitionLockTimeoutMs(configs.share(groupId).recordLockDurationMs());
        }
        return response;
    }

    private static void addEndpoint(ShareAcknowledgeResponseData.NodeEndpointCollection endpoints, Node node) {
        if (endpoints.find(node.id()) == null) {
            endpoints.add(new ShareAcknowledgeResponseData.NodeEndpoint().setNodeId(node.id()).setHost(node.host())
                    .setPort(node.port()).setRack(node.rack()));
        }
    }

    private static CompletableFuture<Response> fail(Errors error, String message) {
        return CompletableFuture.completedFuture(new Response.Send(new ShareAcknowledgeResponseData()
                .setErrorCode(error.code()).setErrorMessage(message)));
    }
}
