package io.herald.broker.security;

import io.herald.metadata.authz.Authorizer;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Utils;

/**
 * The handlers' view of the authorizer: checks for the principal and host of a request, as Kafka's KafkaApis makes
 * them ({@code authHelper.authorize(request.context, operation, resourceType, name)}).
 *
 * <p>Thread-safe (the authorizer is).
 */
public final class Authorization {
    /** The cluster resource's name in ACLs ({@code kafka-cluster}). */
    public static final String CLUSTER_NAME = "kafka-cluster";

    /** Everything is allowed: no {@code authorizer.class.name} (and tests of handlers that do not check). */
    public static final Authorization ALLOW_ALL = new Authorization(Authorizer.ALLOW_ALL);

    private final Authorizer authorizer;

    public Authorization(Authorizer authorizer) {
        this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
    }

    /** Whether ACLs are checked at all. */
    public boolean enabled() {
        return authorizer.enabled();
    }

    /** Whether the request's principal may perform {@code operation} on resource {@code type}/{@code name}. */
    public boolean allowed(KafkaRequest request, AclOperation operation, ResourceType type, String name) {
        return authorizer.authorize(request.connection().principal(), host(request), operation, type, name);
    }

    public boolean topic(KafkaRequest request, AclOperation operation, String topic) {
        return allowed(request, operation, ResourceType.TOPIC, topic);
    }

    public boolean group(KafkaRequest request, AclOperation operation, String group) {
        return allowed(request, operation, ResourceType.GROUP, group);
    }

    public boolean transactionalId(KafkaRequest request, AclOperation operation, String transactionalId) {
        return allowed(request, operation, ResourceType.TRANSACTIONAL_ID, transactionalId);
    }

    /** An operation on the cluster resource. */
    public boolean cluster(KafkaRequest request, AclOperation operation) {
        return allowed(request, operation, ResourceType.CLUSTER, CLUSTER_NAME);
    }

    /**
     * Kafka's refusal of an operation on the cluster ({@code AuthHelper.authorizeClusterOperation}): "Request ...
     * needs OPERATION permission.", the request described by its API, version, principal and listener (Kafka's
     * describes its network-layer request object, which Herald does not have).
     */
    public static ClusterAuthorizationException clusterDenied(KafkaRequest request, AclOperation operation) {
        return new ClusterAuthorizationException("Request Request(apiKey=" + request.apiKey() + ", version="
                + request.apiVersion() + ", principal=" + request.connection().principal() + ", listenerName="
                + request.connection().listenerName() + ", securityProtocol="
                + request.connection().securityProtocol() + ") needs " + operation + " permission.");
    }

    /**
     * A request refused as a whole, answered as Kafka's KafkaApis answers it ({@code sendErrorResponseMaybeThrottle}):
     * with the request's own {@code getErrorResponse}, which puts the error where that API's clients read it (the
     * top-level error, or every partition's or resource's). An acks=0 produce has no response: its connection is
     * closed instead, as Kafka closes it, so the producer notices.
     */
    public static Response refusal(KafkaRequest request, ApiException error) {
        AbstractResponse response = request.body().getErrorResponse(error);
        return response == null ? new Response.Close(request.apiKey() + " refused: " + error.getMessage())
                : new Response.Send(response.data());
    }

    /**
     * {@code handler} behind Kafka's {@code authorizeClusterOperation}: a principal that may not perform
     * {@code operation} on the cluster is refused as a whole ({@link #refusal} with {@link #clusterDenied}), and
     * {@code handler} never sees its request.
     */
    public ApiHandler requireCluster(AclOperation operation, ApiHandler handler) {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(handler, "handler");
        return request -> cluster(request, operation) ? handler.handle(request)
                : CompletableFuture.completedFuture(refusal(request, clusterDenied(request, operation)));
    }

    /** Whether the principal may perform {@code operation} on some resource of {@code type} (KIP-679). */
    public boolean anyOf(KafkaRequest request, AclOperation operation, ResourceType type) {
        return authorizer.authorizeAny(request.connection().principal(), host(request), operation, type);
    }

    /**
     * A check of {@code operation} on topics for the principal of one request, each topic asked of the authorizer
     * once however many partitions name it (Kafka's {@code filterByAuthorized}, which groups by name); every topic
     * passes, without asking, when ACLs are off. Thread-safe; topic names must not be null.
     */
    public Predicate<String> topicCheck(KafkaRequest request, AclOperation operation) {
        if (!enabled()) {
            return topic -> true;
        }
        Map<String, Boolean> decided = new ConcurrentHashMap<>();
        return topic -> decided.computeIfAbsent(topic, t -> topic(request, operation, t));
    }

    /**
     * Kafka's {@code authorizedOperations} (KIP-430), for the {@code include_authorized_operations} of describe
     * requests: the bit field ({@code Utils.to32BitField} of the operation codes) of the operations the principal may
     * perform on {@code type}/{@code name}, among those ACLs can grant on that type; all of them when ACLs are off.
     */
    public int authorizedOperations(KafkaRequest request, ResourceType type, String name) {
        Set<Byte> codes = new HashSet<>();
        for (AclOperation operation : supportedOperations(type)) {
            if (!enabled() || allowed(request, operation, type, name)) {
                codes.add(operation.code());
            }
        }
        return Utils.to32BitField(codes);
    }

    /** Kafka's {@code AclEntry.supportedOperations}: what an ACL on a resource of {@code type} can grant. */
    private static Set<AclOperation> supportedOperations(ResourceType type) {
        return switch (type) {
            case TOPIC -> EnumSet.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE,
                    AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
            case GROUP -> EnumSet.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE,
                    AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
            case CLUSTER -> EnumSet.of(AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS,
                    AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER,
                    AclOperation.DESCRIBE);
            case TRANSACTIONAL_ID -> EnumSet.of(AclOperation.DESCRIBE, AclOperation.WRITE,
                    AclOperation.TWO_PHASE_COMMIT);
            case DELEGATION_TOKEN -> EnumSet.of(AclOperation.DESCRIBE);
            case USER -> EnumSet.of(AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS);
            default -> throw new IllegalArgumentException("resource type: " + type
                    + " (expected: TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID, DELEGATION_TOKEN or USER)");
        };
    }

    private static String host(KafkaRequest request) {
        InetAddress address = request.clientAddress().getAddress();
        return address == null ? request.clientAddress().getHostString() : address.getHostAddress();
    }
}
