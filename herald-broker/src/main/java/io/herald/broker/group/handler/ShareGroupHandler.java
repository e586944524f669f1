package io.herald.broker.group.handler;

import io.herald.broker.security.Authorization;
import io.herald.group.GroupCoordinator;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ShareGroupDescribeRequest;
import org.apache.kafka.common.requests.ShareGroupHeartbeatRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The KIP-932 share group protocol: ShareGroupHeartbeat (API 76) and ShareGroupDescribe (77), with the topics of
 * the current metadata image. Coordinator errors (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
 * COORDINATOR_NOT_AVAILABLE) are answered like the consumer group APIs do.
 *
 * <p>ACLs as in Kafka's KafkaApis: a heartbeat needs READ on the group and DESCRIBE on every topic it subscribes
 * to (else TOPIC_AUTHORIZATION_FAILED for the whole heartbeat); a described group needs DESCRIBE on the group, and
 * DESCRIBE on every topic of its members' assignments, else it answers TOPIC_AUTHORIZATION_FAILED without members.
 *
 * <p>Thread-safety: thread-safe; handlers run on any request thread.
 */
public final class ShareGroupHandler {
    private final GroupCoordinator coordinator;
    private final ImageTopics topics;
    private final Authorization authorization;

    public ShareGroupHandler(GroupCoordinator coordinator, Supplier<ClusterImage> images,
                             Authorization authorization) {
        this.coordinator = coordinator;
        this.topics = new ImageTopics(images);
        this.authorization = authorization;
    }

    /**
     * ShareGroupHeartbeat v1, Kafka 4.3.1's only version (v0 was the KIP-932 early access, never served). KafkaApis'
     * order: the group ACL, then the member id (the coordinator's INVALID_REQUEST), then the topics' ACLs.
     */
    public ServedApi heartbeat() {
        return new ServedApi(ApiKeys.SHARE_GROUP_HEARTBEAT, VersionRange.of(1, 1), request -> {
            var data = ((ShareGroupHeartbeatRequest) request.body()).data();
            if (!authorization.group(request, AclOperation.READ, data.groupId())) {
                return GroupResponses.refuse(request, Errors.GROUP_AUTHORIZATION_FAILED);
            }
            if (authorization.enabled() && isMemberIdValid(data.memberId()) && data.subscribedTopicNames() != null
                    && !data.subscribedTopicNames().stream().allMatch(
                            authorization.topicCheck(request, AclOperation.DESCRIBE))) {
                return GroupResponses.refuse(request, Errors.TOPIC_AUTHORIZATION_FAILED);
            }
            return GroupResponses.answer(
                    coordinator.shareGroupHeartbeat(GroupResponses.context(request), data, topics.current()),
                    r -> r, e -> new ShareGroupHeartbeatResponseData().setErrorCode(e.code())
                            .setErrorMessage(e.message()));
        });
    }

    /**
     * ShareGroupDescribe v1, Kafka 4.3.1's only version. Groups the principal may not DESCRIBE come first, as in
     * KafkaApis, with only their error code.
     */
    public ServedApi describe() {
        return new ServedApi(ApiKeys.SHARE_GROUP_DESCRIBE, VersionRange.of(1, 1), request -> {
            var data = ((ShareGroupDescribeRequest) request.body()).data();
            var view = topics.current();
            List<ShareGroupDescribeResponseData.DescribedGroup> refused = new ArrayList<>();
            List<CompletableFuture<ShareGroupDescribeResponseData.DescribedGroup>> results = new ArrayList<>();
            for (String groupId : data.groupIds()) {
                if (!authorization.group(request, AclOperation.DESCRIBE, groupId)) {
                    refused.add(new ShareGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                            .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
                    continue;
                }
                results.add(coordinator.shareGroupDescribe(groupId, view).handle((g, failure) -> failure == null
                        ? g : failed(groupId, GroupResponses.error(failure))));
            }
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
                List<ShareGroupDescribeResponseData.DescribedGroup> groups = new ArrayList<>(refused);
                Predicate<String> describable = authorization.topicCheck(request, AclOperation.DESCRIBE);
                for (var result : results) {
                    var g = result.join();
                    if (data.includeAuthorizedOperations() && g.errorCode() == Errors.NONE.code()) {
                        g.setAuthorizedOperations(authorization.authorizedOperations(request, ResourceType.GROUP,
                                g.groupId()));
                    }
                    boolean undescribable = authorization.enabled() && !g.members().stream()
                            .flatMap(m -> m.assignment().topicPartitions().stream())
                            .allMatch(tp -> describable.test(tp.topicName()));
                    groups.add(undescribable ? new ShareGroupDescribeResponseData.DescribedGroup()
                            .setGroupId(g.groupId()).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                            .setErrorMessage(ConsumerGroupHandler.UNDESCRIBABLE_TOPICS) : g);
                }
                return new Response.Send(new ShareGroupDescribeResponseData().setGroups(groups));
            });
        });
    }

    /** KafkaApis.isMemberIdValid: 1 to 36 characters (a UUID string). */
    private static boolean isMemberIdValid(String memberId) {
        return memberId != null && !memberId.isEmpty() && memberId.length() <= 36;
    }

    private static ShareGroupDescribeResponseData.DescribedGroup failed(String groupId, Errors error) {
        return new ShareGroupDescribeResponseData.DescribedGroup().setGroupId(groupId).setErrorCode(error.code())
                .setErrorMessage(error.message());
    }
}
