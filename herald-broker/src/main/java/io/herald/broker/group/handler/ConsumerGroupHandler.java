package io.herald.broker.group.handler;

import io.herald.group.GroupCoordinator;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
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

    public ApiHandler heartbeat() {
        return request -> {
            var data = ((ConsumerGroupHeartbeatRequest) request.body()).data();
            return GroupResponses.answer(
                    coordinator.consumerGroupHeartbeat(GroupResponses.context(request), data, topics.current()),
                    r -> r, e -> new ConsumerGroupHeartbeatResponseData().setErrorCode(e.code()));
        };
    }

    public ApiHandler describe() {
        return request -> {
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
        };
    }

    private static ConsumerGroupDescribeResponseData.DescribedGroup failed(String groupId, Errors error) {
        return new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId).setErrorCode(error.code());
    }
}
