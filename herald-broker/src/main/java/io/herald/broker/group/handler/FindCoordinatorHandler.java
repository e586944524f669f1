package io.herald.broker.group.handler;

import io.herald.broker.group.GroupCoordinator;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;

/**
 * FindCoordinator, v0-v3 (one key) and v4+ (batched keys, KIP-699). Group keys are coordinated by this
 * broker once the group's {@code __consumer_offsets} partition is loaded (COORDINATOR_LOAD_IN_PROGRESS
 * before); transaction and share keys get COORDINATOR_NOT_AVAILABLE until those coordinators exist.
 *
 * <p>Cheap: answered on the event loop.
 */
public final class FindCoordinatorHandler implements ApiHandler {
    private final GroupCoordinator coordinator;
    private final Supplier<ClusterImage> images;
    private final int nodeId;

    public FindCoordinatorHandler(GroupCoordinator coordinator, Supplier<ClusterImage> images, int nodeId) {
        this.coordinator = coordinator;
        this.images = images;
        this.nodeId = nodeId;
    }

    /** One answer: the node, or an error with node -1. */
    private record Answer(Errors error, String message, int nodeId, String host, int port) {
        static Answer failed(Errors error, String message) {
            return new Answer(error, message, -1, "", -1);
        }
    }

    @Override
    public CompletableFuture<Response> handle(KafkaRequest request) {
        FindCoordinatorRequestData data = ((FindCoordinatorRequest) request.body()).data();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (request.apiVersion() < 4) {
            Answer a = find(data.key(), data.keyType());
            response.setErrorCode(a.error().code()).setErrorMessage(a.message()).setNodeId(a.nodeId())
                    .setHost(a.host()).setPort(a.port());
        } else {
            List<String> keys = data.coordinatorKeys();
            for (String key : keys) {
                Answer a = find(key, data.keyType());
                response.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey(key)
                        .setErrorCode(a.error().code()).setErrorMessage(a.message()).setNodeId(a.nodeId())
                        .setHost(a.host()).setPort(a.port()));
            }
        }
        return CompletableFuture.completedFuture(new Response.Send(response));
    }

    private Answer find(String key, byte keyType) {
        if (key == null) {
            return Answer.failed(Errors.INVALID_REQUEST, "The coordinator key is null.");
        }
        switch (keyType) {
            case 0 -> { // GROUP
                Errors availability = coordinator.availability(key);
                if (availability != Errors.NONE) {
                    return Answer.failed(availability, null);
                }
                Optional<BrokerImage> self = Optional.ofNullable(images.get().brokers().get(nodeId));
                return self.map(b -> new Answer(Errors.NONE, null, b.brokerId(), b.host(), b.port()))
                        .orElseGet(() -> Answer.failed(Errors.COORDINATOR_NOT_AVAILABLE, null));
            }
            case 1, 2 -> { // TRANSACTION, SHARE: not built yet
                return Answer.failed(Errors.COORDINATOR_NOT_AVAILABLE, null);
            }
            default -> {
                return Answer.failed(Errors.INVALID_REQUEST, "Unknown coordinator key type " + keyType + ".");
            }
        }
    }
}
