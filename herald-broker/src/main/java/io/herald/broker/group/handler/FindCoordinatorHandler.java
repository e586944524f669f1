package io.herald.broker.group.handler;

import io.herald.group.GroupCoordinator;
import io.herald.group.OffsetsTopic;
import io.herald.broker.coordinator.InternalTopicCreator;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;

/**
 * FindCoordinator, v0-v3 (one key) and v4+ (batched keys, KIP-699). A group key is coordinated by the leader
 * of the group's {@code __consumer_offsets} partition in the metadata image (whether that broker has loaded
 * it yet is for the group APIs to say). The first group key creates the topic (Kafka's lazy creation); until
 * it exists and the partition has a leader the answer is COORDINATOR_NOT_AVAILABLE, which clients retry.
 * Transaction and share keys get COORDINATOR_NOT_AVAILABLE until those coordinators exist.
 *
 * <p>Cheap: answered on the event loop (the topic is created on another thread).
 */
public final class FindCoordinatorHandler implements ApiHandler {
    private final GroupCoordinator coordinator;
    private final InternalTopicCreator offsetsTopic;
    private final Supplier<ClusterImage> images;

    public FindCoordinatorHandler(GroupCoordinator coordinator, InternalTopicCreator offsetsTopic,
                                  Supplier<ClusterImage> images) {
        this.coordinator = coordinator;
        this.offsetsTopic = offsetsTopic;
        this.images = images;
    }

    /** One answer: the node, or an error with node -1. */
    private record Answer(Errors error, String message, int nodeId, String host, int port) {
        static Answer failed(Errors error, String message) {
            return new Answer(error, message, -1, "", -1);
        }
    }

    /**
     * FindCoordinator v0 to v6: key types from v1, batched keys from v4 (KIP-699), share keys from v6 (KIP-932;
     * answered COORDINATOR_NOT_AVAILABLE, like transaction keys, until those coordinators exist).
     */
    public ServedApi api() {
        return new ServedApi(ApiKeys.FIND_COORDINATOR, VersionRange.of(0, 6), this);
    }

    @Override
    public CompletableFuture<Response> handle(KafkaRequest request) {
        FindCoordinatorRequestData data = ((FindCoordinatorRequest) request.body()).data();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        ClusterImage image = images.get();
        if (request.apiVersion() < 4) {
            Answer a = find(image, data.key(), data.keyType());
            // v0 has no error message field
            response.setErrorCode(a.error().code()).setErrorMessage(request.apiVersion() >= 1 ? a.message() : null)
                    .setNodeId(a.nodeId()).setHost(a.host()).setPort(a.port());
        } else {
            List<String> keys = data.coordinatorKeys();
            for (String key : keys) {
                Answer a = find(image, key, data.keyType());
                response.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey(key)
                        .setErrorCode(a.error().code()).setErrorMessage(a.message()).setNodeId(a.nodeId())
                        .setHost(a.host()).setPort(a.port()));
            }
        }
        return CompletableFuture.completedFuture(new Response.Send(response));
    }

    private Answer find(ClusterImage image, String key, byte keyType) {
        if (key == null) {
            return Answer.failed(Errors.INVALID_REQUEST, "The coordinator key is null.");
        }
        switch (keyType) {
            case 0 -> { // GROUP
                return groupCoordinator(image, key);
            }
            case 1, 2 -> { // TRANSACTION, SHARE: not built yet
                return Answer.failed(Errors.COORDINATOR_NOT_AVAILABLE, null);
            }
            default -> {
                return Answer.failed(Errors.INVALID_REQUEST, "Unknown coordinator key type " + keyType + ".");
            }
        }
    }

    private Answer groupCoordinator(ClusterImage image, String groupId) {
        Optional<TopicImage> topic = offsetsTopic.topicOrCreate(image);
        if (topic.isEmpty()) {
            return Answer.failed(Errors.COORDINATOR_NOT_AVAILABLE, "The internal topic " + OffsetsTopic.NAME
                    + " is being created.");
        }
        int partition = coordinator.partitionFor(groupId);
        Optional<BrokerImage> leader = topic.get().partition(partition).map(PartitionImage::leader)
                .filter(id -> id >= 0).map(id -> image.brokers().get(id));
        return leader.map(b -> new Answer(Errors.NONE, null, b.brokerId(), b.host(), b.port()))
                .orElseGet(() -> Answer.failed(Errors.COORDINATOR_NOT_AVAILABLE, OffsetsTopic.NAME + "-"
                        + partition + " has no leader."));
    }
}
