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
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ShareGroupDescribeRequest;
import org.apache.kafka.common.requests.ShareGroupHeartbeatRequest;

/**
 * The KIP-932 share group protocol: ShareGroupHeartbeat (API 76) and ShareGroupDescribe (77), with the topics of
 * the current metadata image. Coordinator errors (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
 * COORDINATOR_NOT_AVAILABLE) are answered like the consumer group APIs do.
 *
 * <p>Thread-safety: thread-safe; handlers run on any request thread.
 */
public final class ShareGroupHandler {
    private final GroupCoordinator coordinator;
    private final ImageTopics topics;

    public ShareGroupHandler(GroupCoordinator coordinator, Supplier<ClusterImage> images) {
        this.coordinator = coordinator;
        this.topics = new ImageTopics(images);
    }

    /** ShareGroupHeartbeat v1, Kafka 4.3.1's only version (v0 was the KIP-932 early access, never served). */
    public ServedApi heartbeat() {
        return new ServedApi(ApiKeys.SHARE_GROUP_HEARTBEAT, VersionRange.of(1, 1), request -> {
            var data = ((ShareGroupHeartbeatRequest) request.body()).data();
            return GroupResponses.answer(
                    coordinator.shareGroupHeartbeat(GroupResponses.context(request), data, topics.current()),
                    r -> r, e -> new ShareGroupHeartbeatResponseData().setErrorCode(e.code())
                            .setErrorMessage(e.message()));
        });
    }

    /** ShareGroupDescribe v1, Kafka 4.3.1's only version. Authorized operations are not computed (no authorizer). */
    public ServedApi describe() {
        return new ServedApi(ApiKeys.SHARE_GROUP_DESCRIBE, VersionRange.of(1, 1), request -> {
            var data = ((ShareGroupDescribeRequest) request.body()).data();
            var view = topics.current();
            List<CompletableFuture<ShareGroupDescribeResponseData.DescribedGroup>> results = new ArrayList<>();
            for (String groupId : data.groupIds()) {
                results.add(coordinator.shareGroupDescribe(groupId, view).handle((g, failure) -> failure == null
                        ? g : failed(groupId, GroupResponses.error(failure))));
            }
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v ->
                    new Response.Send(new ShareGroupDescribeResponseData().setGroups(
                            new ArrayList<>(results.stream().map(CompletableFuture::join).toList()))));
        });
    }

    private static ShareGroupDescribeResponseData.DescribedGroup failed(String groupId, Errors error) {
        return new ShareGroupDescribeResponseData.DescribedGroup().setGroupId(groupId).setErrorCode(error.code())
                .setErrorMessage(error.message());
    }
}
