package io.herald.broker.group.handler;

import io.herald.group.GroupCoordinator;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;

/**
 * The KIP-848 consumer group protocol: ConsumerGroupHeartbeat (API 68) and ConsumerGroupDescribe (69). Requests
 * go to the {@link GroupCoordinator} with the topics of the current metadata image; loading and coordinator
 * errors (COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE) are answered like the classic APIs do.
 */
public final class ConsumerGroupHandler {
    private final GroupCoordinator coordinator;
    private final ImageTopics topics;

    public ConsumerGroupHandler(GroupCoordinator coordinator, Supplier<ClusterImage> images) {
        this.coordinator = coordinator;
        this.topics = new ImageTopics(images);
    }

    /**
     * ConsumerGroupHeartbeat v0 to v1: from v1 the client names itself and may subscribe by regex (KIP-1082,
     * KIP-848); the coordinator validates by version.
     */
    public ServedApi heartbeat() {
        return new ServedApi(ApiKeys.CONSUMER_GROUP_HEARTBEAT, VersionRange.of(0, 1), request -> {
            var data = ((ConsumerGroupHeartbeatRequest) request.body()).data();
            return GroupResponses.answer(
                    coordinator.consumerGroupHeartbeat(GroupResponses.context(request), data, topics.current()),
                    r -> r, e -> new ConsumerGroupHeartbeatResponseData().setErrorCode(e.code()));
        });
    }

    /** ConsumerGroupDescribe v0 to v1 (v1 adds the member type, KIP-1099). */
    public ServedApi describe() {
        return new ServedApi(ApiKeys.CONSUMER_GROUP_DESCRIBE, VersionRange.of(0, 1), request -> {
            var data = ((ConsumerGroupDescribeRequest) request.body()).data();
            var view = topics.current();
            List<CompletableFuture<ConsumerGroupDescribeResponseData.DescribedGroup>> results = new ArrayList<>();
            for (String groupId : data.groupIds()) {
                results.add(coordinator.consumerGroupDescribe(groupId, view).handle((g, failure) -> failure == null
                        ? g : failed(groupId, GroupResponses.error(failure))));
            }
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v ->
                    new Response.Send(new ConsumerGroupDescribeResponseData().setGroups(
                            new ArrayList<>(results.stream().map(CompletableFuture::join).toList()))));
        });
    }

    private static ConsumerGroupDescribeResponseData.DescribedGroup failed(String groupId, Errors error) {
        return new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId).setErrorCode(error.code());
    }
}
