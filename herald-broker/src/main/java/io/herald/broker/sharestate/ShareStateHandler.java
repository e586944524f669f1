package io.herald.broker.sharestate;

import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DeleteShareGroupStateRequest;
import org.apache.kafka.common.requests.InitializeShareGroupStateRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateSummaryRequest;
import org.apache.kafka.common.requests.WriteShareGroupStateRequest;

/**
 * The share coordinator's inter-broker APIs (KIP-932), from share-partition leaders and group coordinators on
 * other brokers: InitializeShareGroupState (83), ReadShareGroupState (84), WriteShareGroupState (85, v0–1),
 * DeleteShareGroupState (86) and ReadShareGroupStateSummary (87, v0–1), Kafka 4.3.1's versions. The share
 * coordinator answers; nothing here blocks (the futures complete on its event loop).
 */
public final class ShareStateHandler {
    private final ShareStateService coordinator;

    public ShareStateHandler(ShareStateService coordinator) {
        this.coordinator = coordinator;
    }

    public ServedApi initialize() {
        return new ServedApi(ApiKeys.INITIALIZE_SHARE_GROUP_STATE, VersionRange.of(0, 0), request -> coordinator
                .initializeState(((InitializeShareGroupStateRequest) request.body()).data())
                .thenApply(Response.Send::new));
    }

    public ServedApi read() {
        return new ServedApi(ApiKeys.READ_SHARE_GROUP_STATE, VersionRange.of(0, 0), request -> coordinator
                .readState(((ReadShareGroupStateRequest) request.body()).data()).thenApply(Response.Send::new));
    }

    public ServedApi write() {
        return new ServedApi(ApiKeys.WRITE_SHARE_GROUP_STATE, VersionRange.of(0, 1), request -> coordinator
                .writeState(((WriteShareGroupStateRequest) request.body()).data(), request.apiVersion())
                .thenApply(Response.Send::new));
    }

    public ServedApi delete() {
        return new ServedApi(ApiKeys.DELETE_SHARE_GROUP_STATE, VersionRange.of(0, 0), request -> coordinator
                .deleteState(((DeleteShareGroupStateRequest) request.body()).data()).thenApply(Response.Send::new));
    }

    public ServedApi readSummary() {
        return new ServedApi(ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY, VersionRange.of(0, 1), request -> coordinator
                .readStateSummary(((ReadShareGroupStateSummaryRequest) request.body()).data(), request.apiVersion())
                .thenApply(Response.Send::new));
    }
}
