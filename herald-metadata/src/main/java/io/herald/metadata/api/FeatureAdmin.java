package io.herald.metadata.api;

import io.herald.metadata.controller.ControllerCommand.FeatureChange;
import java.util.Map;

/**
 * Feature level changes as Kafka's UpdateFeatures asks for them (KIP-584). The call returns once this node has
 * applied the change, and throws the Kafka {@link org.apache.kafka.common.errors.ApiException} the controller
 * decided (INVALID_UPDATE_VERSION, with Kafka's message).
 *
 * <p>Thread-safety: any thread except the metadata apply thread (a listener), which the call would wait for.
 */
public interface FeatureAdmin {

    /**
     * Finalizes every change, or none.
     *
     * @param nodeId       the broker taking the request, named in refusals
     * @param validateOnly check everything, change nothing
     */
    void updateFeatures(int nodeId, Map<String, FeatureChange> changes, boolean validateOnly);
}
