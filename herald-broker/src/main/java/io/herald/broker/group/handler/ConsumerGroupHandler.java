package io.herald.broker.group.handler;

import io.herald.broker.security.Authorization;
import io.herald.group.GroupCoordinator;
import io.herald.group.consumer.TopicsView;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The KIP-848 consumer group protocol: ConsumerGroupHeartbeat (API 68) and ConsumerGroupDescribe (69). Requests
 * go to the {@link GroupCoordinator} with the topics of the current metadata image; loading and coordinator
 * errors (COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE) are answered like the classic APIs do.
 *
 * <p>ACLs as in Kafka's KafkaApis: a heartbeat needs READ on the group, and DESCRIBE on every topic it subscribes
 * to by name (else TOPIC_AUTHORIZATION_FAILED for the whole heartbeat); a regex resolves only to topics the member
 * may DESCRIBE. A described group needs DESCRIBE on the group, and DESCRIBE on every topic in its members' current
 * and target assignments, else the group answers TOPIC_AUTHORIZATION_FAILED without its members.
 *
 * <p>Thread-safe.
 */
public final class ConsumerGroupHandler {
    /** Kafka's message for a described group whose assignments name topics the client may not describe. */
    static final String UNDESCRIBABLE_TOPICS =
            "The group has described topic(s) that the client is not authorized to describe.";

    private final GroupCoordinator coordinator;
    private final ImageTopics topics;
    private final Authorization authorization;

    public ConsumerGroupHandler(GroupCoordinator coordinator, Supplier<ClusterImage> images,
                                Authorization authorization) {
        this.coordinator = coordinator;
        this.topics = new ImageTopics(images);
        this.authorization = authorization;
    }

    /**
     * ConsumerGroupHeartbeat v0 to v1: from v1 the client names itself and may subscribe by regex (KIP-1082,
     * KIP-848); the coordinator validates by version.
     */
    public ServedApi heartbeat() {
        return new ServedApi(ApiKeys.CONSUMER_GROUP_HEARTBEAT, VersionRange.of(0, 1), request -> {
            var data = ((ConsumerGroupHeartbeatRequest) request.body()).data();
            if (!authorization.group(request, AclOperation.READ, data.groupId())) {
                return GroupResponses.refuse(request, Errors.GROUP_AUTHORIZATION_FAILED);
            }
            TopicsView view = topics.current();
            if (authorization.enabled()) {
                Predicate<String> describable = authorization.topicCheck(request, AclOperation.DESCRIBE);
                List<String> names = data.subscribedTopicNames();
                if (names != null && !names.stream().allMatch(describable)) {
                    return GroupResponses.refuse(request, Errors.TOPIC_AUTHORIZATION_FAILED);
                }
                view = ImageTopics.regexVisible(view, describable);
            }
            return GroupResponses.answer(
                    coordinator.consumerGroupHeartbeat(GroupResponses.context(request), data, view),
                    r -> r, e -> new ConsumerGroupHeartbeatResponseData().setErrorCode(e.code()));
        });
    }

    /**
     * ConsumerGroupDescribe v0 to v1 (v1 adds the member type, KIP-1099). Groups the principal may not DESCRIBE come
     * first, as in KafkaApis.
     */
    public ServedApi describe() {
        return new ServedApi(ApiKeys.CONSUMER_GROUP_DESCRIBE, VersionRange.of(0, 1), request -> {
            var data = ((ConsumerGroupDescribeRequest) request.body()).data();
            var view = topics.current();
            List<ConsumerGroupDescribeResponseData.DescribedGroup> refused = new ArrayList<>();
            List<CompletableFuture<ConsumerGroupDescribeResponseData.DescribedGroup>> results = new ArrayList<>();
            for (String groupId : data.groupIds()) {
                if (!authorization.group(request, AclOperation.DESCRIBE, groupId)) {
                    refused.add(failed(groupId, Errors.GROUP_AUTHORIZATION_FAILED));
                    continue;
                }
                results.add(coordinator.consumerGroupDescribe(groupId, view).handle((g, failure) -> failure == null
                        ? g : failed(groupId, GroupResponses.error(failure))));
            }
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
                List<ConsumerGroupDescribeResponseData.DescribedGroup> groups = new ArrayList<>(refused);
                Predicate<String> describable = authorization.topicCheck(request, AclOperation.DESCRIBE);
                for (var result : results) {
                    var g = result.join();
                    if (data.includeAuthorizedOperations() && g.errorCode() == Errors.NONE.code()) {
                        g.setAuthorizedOperations(authorization.authorizedOperations(request, ResourceType.GROUP,
                                g.groupId()));
                    }
                    groups.add(authorization.enabled() && !assignedTopics(g).allMatch(describable)
                            ? failed(g.groupId(), Errors.TOPIC_AUTHORIZATION_FAILED).setErrorMessage(
                                    UNDESCRIBABLE_TOPICS)
                            : g);
                }
                return new Response.Send(new ConsumerGroupDescribeResponseData().setGroups(groups));
            });
        });
    }

    /** The topics of the group's members' current and target assignments. */
    private static Stream<String> assignedTopics(ConsumerGroupDescribeResponseData.DescribedGroup group) {
        return group.members().stream()
                .flatMap(m -> Stream.of(m.assignment(), m.targetAssignment()))
                .flatMap(a -> a.topicPartitions().stream())
                .map(ConsumerGroupDescribeResponseData.TopicPartitions::topicName);
    }

    private static ConsumerGroupDescribeResponseData.DescribedGroup failed(String groupId, Errors error) {
        return new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId).setErrorCode(error.code());
    }
}
