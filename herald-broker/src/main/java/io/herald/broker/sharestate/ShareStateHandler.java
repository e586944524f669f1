package io.herald.broker.sharestate;

import io.herald.broker.security.Authorization;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteShareGroupStateRequest;
import org.apache.kafka.common.requests.DeleteShareGroupStateResponse;
import org.apache.kafka.common.requests.InitializeShareGroupStateRequest;
import org.apache.kafka.common.requests.InitializeShareGroupStateResponse;
import org.apache.kafka.common.requests.ReadShareGroupStateRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateResponse;
import org.apache.kafka.common.requests.ReadShareGroupStateSummaryRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateSummaryResponse;
import org.apache.kafka.common.requests.WriteShareGroupStateRequest;
import org.apache.kafka.common.requests.WriteShareGroupStateResponse;

/**
 * The share coordinator's inter-broker APIs (KIP-932), from share-partition leaders and group coordinators on
 * other brokers: InitializeShareGroupState (83), ReadShareGroupState (84), WriteShareGroupState (85, v0–1),
 * DeleteShareGroupState (86) and ReadShareGroupStateSummary (87, v0–1), Kafka 4.3.1's versions. The share
 * coordinator answers; nothing here blocks (the futures complete on its event loop).
 *
 * <p>As in Kafka's KafkaApis, only a principal with CLUSTER_ACTION on the cluster (brokers) may call them; anyone
 * else gets CLUSTER_AUTHORIZATION_FAILED on every partition of the request ({@code toGlobalErrorResponse}).
 *
 * <p>Thread-safe.
 */
public final class ShareStateHandler {
    private final ShareStateService coordinator;
    private final Authorization authorization;

    public ShareStateHandler(ShareStateService coordinator, Authorization authorization) {
        this.coordinator = coordinator;
        this.authorization = Objects.requireNonNull(authorization, "authorization");
    }

    public ServedApi initialize() {
        return new ServedApi(ApiKeys.INITIALIZE_SHARE_GROUP_STATE, VersionRange.of(0, 0), request -> {
            var data = ((InitializeShareGroupStateRequest) request.body()).data();
            return brokersOnly(request, () -> InitializeShareGroupStateResponse.toGlobalErrorResponse(data,
                    Errors.CLUSTER_AUTHORIZATION_FAILED), () -> coordinator.initializeState(data));
        });
    }

    public ServedApi read() {
        return new ServedApi(ApiKeys.READ_SHARE_GROUP_STATE, VersionRange.of(0, 0), request -> {
            var data = ((ReadShareGroupStateRequest) request.body()).data();
            return brokersOnly(request, () -> ReadShareGroupStateResponse.toGlobalErrorResponse(data,
                    Errors.CLUSTER_AUTHORIZATION_FAILED), () -> coordinator.readState(data));
        });
    }

    public ServedApi write() {
        return new ServedApi(ApiKeys.WRITE_SHARE_GROUP_STATE, VersionRange.of(0, 1), request -> {
            var data = ((WriteShareGroupStateRequest) request.body()).data();
            return brokersOnly(request, () -> WriteShareGroupStateResponse.toGlobalErrorResponse(data,
                    Errors.CLUSTER_AUTHORIZATION_FAILED), () -> coordinator.writeState(data, request.apiVersion()));
        });
    }

    public ServedApi delete() {
        return new ServedApi(ApiKeys.DELETE_SHARE_GROUP_STATE, VersionRange.of(0, 0), request -> {
            var data = ((DeleteShareGroupStateRequest) request.body()).data();
            return brokersOnly(request, () -> DeleteShareGroupStateResponse.toGlobalErrorResponse(data,
                    Errors.CLUSTER_AUTHORIZATION_FAILED), () -> coordinator.deleteState(data));
        });
    }

    public ServedApi readSummary() {
        return new ServedApi(ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY, VersionRange.of(0, 1), request -> {
            var data = ((ReadShareGroupStateSummaryRequest) request.body()).data();
            return brokersOnly(request, () -> ReadShareGroupStateSummaryResponse.toGlobalErrorResponse(data,
                    Errors.CLUSTER_AUTHORIZATION_FAILED), () -> coordinator.readStateSummary(data,
                    request.apiVersion()));
        });
    }

    /** {@code served}'s answer for a principal with CLUSTER_ACTION, {@code refused} otherwise. */
    private CompletableFuture<Response> brokersOnly(
            KafkaRequest request, Supplier<ApiMessage> refused,
            Supplier<? extends CompletableFuture<? extends ApiMessage>> served) {
        if (!authorization.cluster(request, AclOperation.CLUSTER_ACTION)) {
            return CompletableFuture.completedFuture(new Response.Send(refused.get()));
        }
        return served.get().thenApply(message -> new Response.Send(message));
    }
}
