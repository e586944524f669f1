package io.herald.broker.handler;

import io.herald.broker.security.Authorization;
import io.herald.metadata.api.FeatureAdmin;
import io.herald.metadata.controller.ControllerCommand.FeatureChange;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.UpdateFeaturesResponseData.UpdatableFeatureResult;
import org.apache.kafka.common.message.UpdateFeaturesResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.UpdateFeaturesRequest;

/**
 * UpdateFeatures (KIP-584): changes finalized feature levels through the controller, which checks them as
 * Kafka 4.3's does (see {@code FeatureControl} in herald-metadata). Every broker takes the request: Herald's
 * controller is the metadata quorum, reachable from any broker, as Kafka's brokers forward it to theirs.
 *
 * <p>ACLs, as Kafka's controller checks them: ALTER on the cluster, else the request answers
 * CLUSTER_AUTHORIZATION_FAILED (top-level).
 *
 * <p>Thread-safe: the handler holds no state; the work runs on the request pool.
 */
public final class FeaturesHandler {
    /** Kafka's QuorumController words a refused request so; the tools print it. */
    static final String REFUSED = "The update failed for all features since the following feature had an error: ";

    private final FeatureAdmin admin;
    private final int nodeId;
    private final Executor pool;
    private final Authorization authorization;

    /** @param authorization the ACL checks of each request's principal */
    public FeaturesHandler(FeatureAdmin admin, int nodeId, Executor pool, Authorization authorization) {
        this.authorization = authorization;
        this.admin = admin;
        this.nodeId = nodeId;
        this.pool = pool;
    }

    /**
     * UpdateFeatures v0 to v2, as Kafka 4.3.1 serves them: v0 asks for a downgrade with AllowDowngrade, v1+ with
     * an upgrade type and may be validate-only; up to v1 a success lists every feature, v2 answers with the
     * top-level error only, and a refusal is always top-level only.
     */
    public ServedApi updateFeatures() {
        return new ServedApi(ApiKeys.UPDATE_FEATURES, VersionRange.of(0, 2),
                authorization.requireCluster(AclOperation.ALTER, request -> Requests.onPool(pool,
                        () -> updateFeatures((UpdateFeaturesRequest) request.body(), request.apiVersion()))));
    }

    private UpdateFeaturesResponseData updateFeatures(UpdateFeaturesRequest request, short version) {
        Map<String, FeatureChange> changes = new LinkedHashMap<>();
        for (UpdateFeaturesRequest.FeatureUpdateItem item : request.featureUpdates()) {
            changes.put(item.feature(), new FeatureChange(item.versionLevel(), item.upgradeType().code()));
        }
        UpdateFeaturesResponseData response = new UpdateFeaturesResponseData();
        try {
            admin.updateFeatures(nodeId, changes, request.data().validateOnly());
        } catch (RuntimeException e) {
            return failed(response, e);
        }
        response.setErrorCode(Errors.NONE.code()).setErrorMessage(null);
        if (version <= 1) {
            changes.keySet().forEach(name -> response.results().add(new UpdatableFeatureResult().setFeature(name)
                    .setErrorCode(Errors.NONE.code()).setErrorMessage(Errors.NONE.message())));
        }
        return response;
    }

    private static UpdateFeaturesResponseData failed(UpdateFeaturesResponseData response, RuntimeException e) {
        Errors error = Requests.error(e);
        String message = Requests.message(e);
        return response.setErrorCode(error.code())
                .setErrorMessage(error == Errors.INVALID_UPDATE_VERSION ? REFUSED + message : message);
    }
}
