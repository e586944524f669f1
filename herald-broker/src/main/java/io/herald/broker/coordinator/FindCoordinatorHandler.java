package io.herald.broker.coordinator;

import io.herald.broker.security.Authorization;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorRequest;

/**
 * FindCoordinator, v0-v3 (one key) and v4+ (batched keys, KIP-699). A key is coordinated by the leader of its
 * partition of the coordinator's internal topic in the metadata image: a group's {@code __consumer_offsets}
 * partition, a transactional id's {@code __transaction_state} partition (whether that broker has loaded it yet is
 * for the coordinator's APIs to say). The first key of a kind creates its topic (Kafka's lazy creation); until it
 * exists and the partition has a leader the answer is COORDINATOR_NOT_AVAILABLE, which clients retry. Share keys
 * get COORDINATOR_NOT_AVAILABLE until the share coordinator exists (INVALID_REQUEST before v6, as Kafka). The
 * coordinator is given at its endpoint for the request's listener; a leader without one is COORDINATOR_NOT_AVAILABLE,
 * as in Kafka ({@link BrokerImage#node}).
 *
 * <p>ACLs, as Kafka's KafkaApis checks them, per key: a group key needs DESCRIBE on the group (else
 * GROUP_AUTHORIZATION_FAILED), a transactional id DESCRIBE on it (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED), with no
 * node. Share keys are asked for by brokers, for the share coordinator: they need CLUSTER_ACTION on the cluster, else
 * the whole request is refused with CLUSTER_AUTHORIZATION_FAILED (every key, in v6).
 *
 * <p>Cheap: answered on the event loop (a topic is created on another thread).
 */
public final class FindCoordinatorHandler implements ApiHandler {
    private static final short SHARE_KEYS_VERSION = 6;

    /**
     * Where one kind of coordinator keeps its keys.
     *
     * @param partitionFor the key's partition of the topic (the coordinator's placement)
     */
    public record Placement(InternalTopicCreator topic, ToIntFunction<String> partitionFor) {}

    private final Map<CoordinatorType, Placement> placements;
    private final Supplier<ClusterImage> images;
    private final Authorization authorization;

    /** @param authorization the ACL checks of each request's principal */
    public FindCoordinatorHandler(Map<CoordinatorType, Placement> placements, Supplier<ClusterImage> images,
                                  Authorization authorization) {
        this.placements = new EnumMap<>(placements);
        this.images = images;
        this.authorization = authorization;
    }

    /** One answer: the node, or an error with node -1. */
    private record Answer(Errors error, String message, int nodeId, String host, int port) {
        static Answer failed(Errors error, String message) {
            return new Answer(error, message, -1, "", -1);
        }
    }

    /** FindCoordinator v0 to v6: key types from v1, batched keys from v4 (KIP-699), share keys from v6 (KIP-932). */
    public ServedApi api() {
        return new ServedApi(ApiKeys.FIND_COORDINATOR, VersionRange.of(0, 6), this);
    }

    @Override
    public CompletableFuture<Response> handle(KafkaRequest request) {
        FindCoordinatorRequestData data = ((FindCoordinatorRequest) request.body()).data();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        ClusterImage image = images.get();
        short version = request.apiVersion();
        String listener = request.connection().listenerName();
        if (data.keyType() == CoordinatorType.SHARE.id() && version >= SHARE_KEYS_VERSION
                && !authorization.cluster(request, AclOperation.CLUSTER_ACTION)) {
            return CompletableFuture.completedFuture(Authorization.refusal(request,
                    Authorization.clusterDenied(request, AclOperation.CLUSTER_ACTION)));
        }
        if (version < 4) {
            Answer a = find(request, image, data.key(), data.keyType(), listener);
            // v0 has no error message field
            response.setErrorCode(a.error().code()).setErrorMessage(version >= 1 ? a.message() : null)
                    .setNodeId(a.nodeId()).setHost(a.host()).setPort(a.port());
        } else {
            for (String key : data.coordinatorKeys()) {
                Answer a = find(request, image, key, data.keyType(), listener);
                response.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey(key)
                        .setErrorCode(a.error().code()).setErrorMessage(a.message()).setNodeId(a.nodeId())
                        .setHost(a.host()).setPort(a.port()));
            }
        }
        return CompletableFuture.completedFuture(new Response.Send(response));
    }

    private Answer find(KafkaRequest request, ClusterImage image, String key, byte keyType, String listener) {
        short version = request.apiVersion();
        if (key == null) {
            return Answer.failed(Errors.INVALID_REQUEST, "The coordinator key is null.");
        }
        CoordinatorType type;
        try {
            type = CoordinatorType.forId(keyType);
        } catch (InvalidRequestException e) {
            return Answer.failed(Errors.INVALID_REQUEST, "Unknown coordinator key type " + keyType + ".");
        }
        if (type == CoordinatorType.GROUP && !authorization.group(request, AclOperation.DESCRIBE, key)) {
            return refused(Errors.GROUP_AUTHORIZATION_FAILED, version);
        }
        if (type == CoordinatorType.TRANSACTION
                && !authorization.transactionalId(request, AclOperation.DESCRIBE, key)) {
            return refused(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, version);
        }
        if (type == CoordinatorType.SHARE && version < SHARE_KEYS_VERSION) {
            return Answer.failed(Errors.INVALID_REQUEST, "Share coordinator keys need FindCoordinator v6.");
        }
        Placement placement = placements.get(type);
        return placement == null ? Answer.failed(Errors.COORDINATOR_NOT_AVAILABLE, null)
                : coordinator(image, placement, key, listener);
    }

    /** A key refused by the ACLs: the error's own message in v0-3 (Kafka's single-key answer), none in the batch. */
    private static Answer refused(Errors error, short version) {
        return Answer.failed(error, version < 4 ? error.message() : null);
    }

    private static Answer coordinator(ClusterImage image, Placement placement, String key, String listener) {
        String topicName = placement.topic().topicName();
        Optional<TopicImage> topic = placement.topic().topicOrCreate(image);
        if (topic.isEmpty()) {
            return Answer.failed(Errors.COORDINATOR_NOT_AVAILABLE, "The internal topic " + topicName
                    + " is being created.");
        }
        int partition = placement.partitionFor().applyAsInt(key);
        Optional<BrokerImage> leader = topic.get().partition(partition).map(PartitionImage::leader)
                .filter(id -> id >= 0).map(id -> image.brokers().get(id));
        if (leader.isEmpty()) {
            return Answer.failed(Errors.COORDINATOR_NOT_AVAILABLE, topicName + "-" + partition + " has no leader.");
        }
        return leader.get().node(listener).map(n -> new Answer(Errors.NONE, null, n.id(), n.host(), n.port()))
                .orElseGet(() -> Answer.failed(Errors.COORDINATOR_NOT_AVAILABLE, "The coordinator, broker "
                        + leader.get().brokerId() + ", has no endpoint on listener " + listener + "."));
    }
}
