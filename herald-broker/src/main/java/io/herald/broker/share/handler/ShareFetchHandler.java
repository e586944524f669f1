package io.herald.broker.share.handler;

import io.herald.broker.security.Authorization;
import io.herald.broker.share.AcknowledgementBatch;
import io.herald.broker.share.AcquireMode;
import io.herald.broker.share.AcquiredRange;
import io.herald.broker.share.SharePartitionManager;
import io.herald.broker.share.ShareSessionCache;
import io.herald.broker.share.ShareSessionCache.FetchContext;
import io.herald.common.timer.Timer;
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
import org.apache.kafka.common.errors.ShareSessionLimitReachedException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ShareFetchRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ShareFetch (API 78), v1 (KIP-932) and v2 (KIP-1206's ShareAcquireMode, KIP-1222's RENEW and IsRenewAck), as Kafka
 * 4.3.1's KafkaApis.handleShareFetchRequest answers it: checks the request (a group id; a member id of 1 to 36
 * characters; with IsRenewAck, MaxBytes, MinBytes, MaxRecords and MaxWaitMs all 0), resolves the share session by
 * its epoch (see {@link ShareSessionCache}), applies the piggybacked acknowledgements and fetches the session's
 * partitions in parallel, and answers both in one response. A full session cache answers
 * SHARE_SESSION_LIMIT_REACHED only after MaxWaitMs, so a client does not spin on it. Epoch -1 ends the session
 * after its acknowledgements, releasing the member's acquired records.
 *
 * <p>Responses carry the acquired records as file regions (zero-copy), their AcquiredRecords with delivery counts,
 * the group's lock duration, and for NOT_LEADER_OR_FOLLOWER the current leader and its endpoint.
 *
 * <p>ACLs as in KafkaApis: READ on the group, checked right after the group id (else GROUP_AUTHORIZATION_FAILED for
 * the whole request), and READ on each topic: a partition of a topic the principal may not READ is neither fetched
 * nor acknowledged, and answers TOPIC_AUTHORIZATION_FAILED in its error (fetch) or acknowledge error.
 *
 * <p>Thread-safety: thread-safe; {@link #handle} runs on the event loop and only parses and hands off.
 */
public final class ShareFetchHandler {
    private static final Logger log = LoggerFactory.getLogger(ShareFetchHandler.class);

    private final ShareSessionCache sessions;
    private final SharePartitionManager manager;
    private final ShareFetcher fetcher;
    private final Acknowledgements acknowledgements;
    private final Supplier<ClusterImage> images;
    private final GroupConfigView configs;
    private final Timer timer;
    private final int fetchMaxBytes;

    ShareFetchHandler(ShareSessionCache sessions, SharePartitionManager manager, ShareFetcher fetcher,
                      Acknowledgements acknowledgements, Supplier<ClusterImage> images, GroupConfigView configs,
                      Timer timer, int fetchMaxBytes) {
        this.sessions = sessions;
        this.manager = manager;
        this.fetcher = fetcher;
        this.acknowledgements = acknowledgements;
        this.images = images;
        this.configs = configs;
        this.timer = timer;
        this.fetchMaxBytes = fetchMaxBytes;
    }

    /** The API, with the checks of {@code authorization}. */
    public ServedApi api(Authorization authorization) {
        return new ServedApi(ApiKeys.SHARE_FETCH, VersionRange.of(1, 2), request -> handle(request, authorization));
    }

    CompletableFuture<Response> handle(KafkaRequest request, Authorization authorization) {
        ShareFetchRequestData data = ((ShareFetchRequest) request.body()).data();
        short version = request.apiVersion();
        String groupId = data.groupId();
        if (groupId == null) {
            return fail(Errors.INVALID_REQUEST, "Invalid group id in the request.");
        }
        if (!authorization.group(request, AclOperation.READ, groupId)) {
            return CompletableFuture.completedFuture(new Response.Send(request.body().getErrorResponse(
                    Errors.GROUP_AUTHORIZATION_FAILED.exception()).data()));
        }
        if (!ShareApis.isMemberIdValid(data.memberId())) {
            return fail(Errors.INVALID_REQUEST, "Invalid member id in the request.");
        }
        boolean renewOnly = version >= 2 && data.isRenewAck();
        if (renewOnly) {
            String problems = renewProblems(data);
            if (!problems.isEmpty()) {
                return fail(Errors.INVALID_REQUEST, problems + "if isRenewAck is true.");
            }
        }
        Optional<AcquireMode> mode = version >= 2 ? AcquireMode.forId(data.shareAcquireMode())
                : Optional.of(AcquireMode.BATCH_OPTIMIZED);
        if (mode.isEmpty()) {
            return fail(Errors.INVALID_REQUEST, "Unknown ShareAcquireMode " + data.shareAcquireMode());
        }
        ClusterImage image = images.get();
        List<TopicIdPartition> named = new ArrayList<>();
        List<Acknowledgements.Requested> acks = new ArrayList<>();
        boolean hasAcks = false;
        for (ShareFetchRequestData.FetchTopic topic : data.topics()) {
            String name = image.topic(topic.topicId()).map(TopicImage::name).orElse(null);
            for (ShareFetchRequestData.FetchPartition p : topic.partitions()) {
                TopicIdPartition tp = new TopicIdPartition(topic.topicId(), p.partitionIndex(), name);
                named.add(tp);
                if (p.acknowledgementBatches() != null && !p.acknowledgementBatches().isEmpty()) {
                    hasAcks = true;
                    List<AcknowledgementBatch> batches = new ArrayList<>();
                    for (ShareFetchRequestData.AcknowledgementBatch b : p.acknowledgementBatches()) {
                        batches.add(new AcknowledgementBatch(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes()));
                    }
                    acks.add(new Acknowledgements.Requested(tp, batches));
                }
            }
        }
        List<TopicIdPartition> forgotten = new ArrayList<>();
        for (ShareFetchRequestData.ForgottenTopic topic : data.forgottenTopicsData()) {
            String name = image.topic(topic.topicId()).map(TopicImage::name).orElse(null);
            for (int p : topic.partitions()) {
                forgotten.add(new TopicIdPartition(topic.topicId(), p, name));
            }
        }
        String memberId = data.memberId();
        int epoch = data.shareSessionEpoch();
        FetchContext context;
        try {
            context = sessions.newContext(groupId, memberId, epoch, named, forgotten, hasAcks,
                    request.clientAddress().toString());
        } catch (ShareSessionLimitReachedException e) {
            // Kafka's idle share fetch: the answer waits out MaxWaitMs, so a client does not spin on a full cache.
            CompletableFuture<Response> later = new CompletableFuture<>();
            timer.schedule(data.maxWaitMs(), () -> later.complete(new Response.Send(error(Errors.forException(e),
                    e.getMessage()))));
            return later;
        } catch (ApiException e) {
            return fail(Errors.forException(e), e.getMessage());
        }

        Predicate<String> readable = authorization.topicCheck(request, AclOperation.READ);
        CompletableFuture<Map<TopicIdPartition, Optional<ApiException>>> acked = hasAcks
                ? acknowledgements.acknowledge(groupId, memberId, acks, image, version >= 2, data.isRenewAck(),
                        readable)
                : CompletableFuture.completedFuture(Map.of());
        Map<TopicIdPartition, ShareFetcher.Outcome> invalid = new LinkedHashMap<>();
        CompletableFuture<Map<TopicIdPartition, ShareFetcher.Outcome>> fetched;
        if (skipsFetch(renewOnly, context)) {
            fetched = CompletableFuture.completedFuture(Map.of());
        } else {
            List<TopicIdPartition> valid = new ArrayList<>();
            for (TopicIdPartition tp : partitionsOf(context)) {
                TopicIdPartition current = resolve(image, tp);
                if (current.topic() == null) {
                    invalid.put(current, ShareFetcher.Outcome.failed(new UnknownTopicIdException(
                            "Unknown topic id " + tp.topicId())));
                } else if (!readable.test(current.topic())) {
                    invalid.put(current, ShareFetcher.Outcome.failed(new TopicAuthorizationException(
                            Errors.TOPIC_AUTHORIZATION_FAILED.message())));
                } else if (image.topic(tp.topicId()).flatMap(t -> t.partition(tp.partition())).isEmpty()) {
                    invalid.put(current, ShareFetcher.Outcome.failed(new UnknownTopicOrPartitionException(
                            "Unknown partition " + tp.partition() + " of " + current.topic())));
                } else {
                    valid.add(current);
                }
            }
            int maxBytes = Math.min(data.maxBytes(), fetchMaxBytes);
            int minBytes = Math.min(data.minBytes(), maxBytes);
            fetched = valid.isEmpty() ? CompletableFuture.completedFuture(Map.of())
                    : fetcher.fetch(new ShareFetcher.Request(groupId, memberId, epoch, data.maxWaitMs(), minBytes,
                            maxBytes, data.maxRecords(), data.batchSize(), mode.get(), valid));
        }
        return fetched.thenCombine(acked, (fetch, ack) -> {
            Map<TopicIdPartition, ShareFetcher.Outcome> all = new LinkedHashMap<>(fetch);
            all.putAll(invalid);
            ShareFetchResponseData response = response(groupId, context, all, ack, images.get(),
                    request.connection().listenerName());
            if (epoch == ShareSessionCache.FINAL_EPOCH) {
                endSession(groupId, memberId);
            }
            return (Response) new Response.Send(response);
        }).exceptionally(failure -> {
            log.warn("ShareFetch of group {} failed", groupId, failure);
            return new Response.Send(error(Errors.UNKNOWN_SERVER_ERROR, null));
        });
    }

    private static boolean skipsFetch(boolean renewOnly, FetchContext context) {
        return renewOnly || context instanceof FetchContext.Final;
    }

    private static List<TopicIdPartition> partitionsOf(FetchContext context) {
        return switch (context) {
            case FetchContext.NewSession s -> s.partitions();
            case FetchContext.Subsequent s -> s.partitions();
            case FetchContext.Final f -> List.of();
        };
    }

    private static TopicIdPartition resolve(ClusterImage image, TopicIdPartition tp) {
        String name = image.topic(tp.topicId()).map(TopicImage::name).orElse(null);
        return java.util.Objects.equals(name, tp.topic()) ? tp : new TopicIdPartition(tp.topicId(), tp.partition(), name);
    }

    private void endSession(String groupId, String memberId) {
        List<TopicIdPartition> partitions;
        try {
            partitions = sessions.remove(groupId, memberId);
        } catch (ApiException e) {
            return; // ended meanwhile (its connection closed)
        }
        manager.release(groupId, memberId, partitions).whenComplete((released, failure) -> {
            if (failure != null) {
                log.warn("Releasing the records of share session {}/{} failed", groupId, memberId, failure);
            }
        });
    }

    private ShareFetchResponseData response(String groupId, FetchContext context,
                                            Map<TopicIdPartition, ShareFetcher.Outcome> fetched,
                                            Map<TopicIdPartition, Optional<ApiException>> acked, ClusterImage image,
                                            String listener) {
        Map<Uuid, ShareFetchResponseData.ShareFetchableTopicResponse> topics = new LinkedHashMap<>();
        ShareFetchResponseData.NodeEndpointCollection endpoints = new ShareFetchResponseData.NodeEndpointCollection();
        Map<TopicIdPartition, PartitionData> byPartition = new LinkedHashMap<>();
        for (Map.Entry<TopicIdPartition, ShareFetcher.Outcome> e : fetched.entrySet()) {
            TopicIdPartition tp = e.getKey();
            ShareFetcher.Outcome outcome = e.getValue();
            PartitionData pd = new PartitionData().setPartitionIndex(tp.partition())
                    .setRecords(MemoryRecords.EMPTY).setAcquiredRecords(new ArrayList<>());
            boolean hasRecords = false;
            if (outcome.error() != null) {
                pd.setErrorCode(Errors.forException(outcome.error()).code()).setErrorMessage(outcome.error().getMessage());
            } else if (!outcome.fetch().acquired().isEmpty()) {
                pd.setRecords(outcome.fetch().records());
                for (AcquiredRange r : outcome.fetch().acquired()) {
                    pd.acquiredRecords().add(new ShareFetchResponseData.AcquiredRecords()
                            .setFirstOffset(r.firstOffset()).setLastOffset(r.lastOffset())
                            .setDeliveryCount((short) r.deliveryCount()));
                }
                hasRecords = outcome.fetch().records().sizeInBytes() > 0;
            }
            if (context instanceof FetchContext.Subsequent s
                    && !sessions.mustRespond(s.key(), tp, hasRecords, pd.errorCode() != Errors.NONE.code())) {
                continue;
            }
            byPartition.put(tp, pd);
        }
        for (Map.Entry<TopicIdPartition, Optional<ApiException>> e : acked.entrySet()) {
            PartitionData pd = byPartition.computeIfAbsent(e.getKey(), tp -> new PartitionData()
                    .setPartitionIndex(tp.partition()).setRecords(MemoryRecords.EMPTY)
                    .setAcquiredRecords(new ArrayList<>()));
            e.getValue().ifPresent(error -> pd.setAcknowledgeErrorCode(Errors.forException(error).code())
                    .setAcknowledgeErrorMessage(error.getMessage()));
        }
        for (Map.Entry<TopicIdPartition, PartitionData> e : byPartition.entrySet()) {
            PartitionData pd = e.getValue();
            if (LeaderHints.wanted(pd.errorCode())) {
                LeaderHints.of(image, e.getKey(), listener).ifPresent(leader -> {
                    pd.currentLeader().setLeaderId(leader.leaderId()).setLeaderEpoch(leader.leaderEpoch());
                    leader.node().ifPresent(node -> addEndpoint(endpoints, node));
                });
            }
            topics.computeIfAbsent(e.getKey().topicId(),
                    id -> new ShareFetchResponseData.ShareFetchableTopicResponse().setTopicId(id))
                    .partitions().add(pd);
        }
        ShareFetchResponseData.ShareFetchableTopicResponseCollection responses =
                new ShareFetchResponseData.ShareFetchableTopicResponseCollection();
        topics.values().forEach(responses::add);
        return new ShareFetchResponseData().setErrorCode(Errors.NONE.code())
                .setAcquisitionLockTimeoutMs(configs.share(groupId).recordLockDurationMs())
                .setResponses(responses).setNodeEndpoints(endpoints);
    }

    private static void addEndpoint(ShareFetchResponseData.NodeEndpointCollection endpoints, Node node) {
        if (endpoints.find(node.id()) == null) {
            endpoints.add(new ShareFetchResponseData.NodeEndpoint().setNodeId(node.id()).setHost(node.host())
                    .setPort(node.port()).setRack(node.rack()));
        }
    }

    /** Kafka's check of a renew-only request: every fetch limit must be 0; the message names those that are not. */
    private static String renewProblems(ShareFetchRequestData data) {
        StringBuilder sb = new StringBuilder();
        if (data.maxBytes() != 0) {
            sb.append("maxBytes must be set to 0, ");
        }
        if (data.minBytes() != 0) {
            sb.append("minBytes must be set to 0, ");
        }
        if (data.maxRecords() != 0) {
            sb.append("maxRecords must be set to 0, ");
        }
        if (data.maxWaitMs() != 0) {
            sb.append("maxWaitMs must be set to 0, ");
        }
        return sb.toString();
    }

    private static ShareFetchResponseData error(Errors error, String message) {
        return new ShareFetchResponseData().setErrorCode(error.code()).setErrorMessage(message);
    }

    private static CompletableFuture<Response> fail(Errors error, String message) {
        return CompletableFuture.completedFuture(new Response.Send(error(error, message)));
    }
}
