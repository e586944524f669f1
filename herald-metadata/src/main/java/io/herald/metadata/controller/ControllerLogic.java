package io.herald.metadata.controller;

import io.herald.metadata.controller.ControllerCommand.AlterConfigs;
import io.herald.metadata.controller.ControllerCommand.AlterPartition;
import io.herald.metadata.controller.ControllerCommand.AlterReassignments;
import io.herald.metadata.controller.ControllerCommand.AlterClientQuotas;
import io.herald.metadata.controller.ControllerCommand.AlterScramCredentials;
import io.herald.metadata.controller.ControllerCommand.ControlledShutdown;
import io.herald.metadata.controller.ControllerCommand.CreateAcls;
import io.herald.metadata.controller.ControllerCommand.CreatePartitions;
import io.herald.metadata.controller.ControllerCommand.CreateTopic;
import io.herald.metadata.controller.ControllerCommand.DeleteAcls;
import io.herald.metadata.controller.ControllerCommand.DeleteTopic;
import io.herald.metadata.controller.ControllerCommand.ElectLeaders;
import io.herald.metadata.controller.ControllerCommand.FenceBroker;
import io.herald.metadata.controller.ControllerCommand.InitCluster;
import io.herald.metadata.controller.ControllerCommand.RegisterBroker;
import io.herald.metadata.controller.ControllerCommand.RegisterEndpoints;
import io.herald.metadata.controller.ControllerCommand.ReportOfflineReplicas;
import io.herald.metadata.controller.ControllerCommand.ReserveProducerIds;
import io.herald.metadata.controller.ControllerCommand.TermFenced;
import io.herald.metadata.controller.ControllerCommand.UnfenceBroker;
import io.herald.metadata.controller.ControllerCommand.UpdateFeatures;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.record.MetadataRecord;
import java.util.List;
import org.apache.kafka.common.errors.NotControllerException;

/**
 * The controller's decision function: (image, command, entry index) → records + reply payload, or a Kafka
 * {@link org.apache.kafka.common.errors.ApiException} that rejects the command with no records. Pure and
 * deterministic: no clock, no randomness, no local config; iteration orders are fixed.
 */
public final class ControllerLogic {
    private ControllerLogic() {
    }

    /** What a command decided: records to fold into the image, and the payload of its success reply. */
    public record Decision(List<MetadataRecord> records, byte[] payload) {}

    /**
     * @param term the Raft term of the log entry holding the command (for {@link TermFenced}); validate-only
     *             calls, which are never term-fenced, pass the leader's
     */
    public static Decision decide(ClusterImage image, ControllerCommand command, long index, long term) {
        RecordBuffer buffer = new RecordBuffer(image);
        byte[] payload = payload(buffer, command, index, term);
        return new Decision(buffer.records(), payload);
    }

    private static byte[] payload(RecordBuffer buffer, ControllerCommand command, long index, long term) {
        return switch (command) {
            case InitCluster c -> ClusterControl.initCluster(buffer, c, index);
            case RegisterBroker c -> ClusterControl.registerBroker(buffer, c, index);
            case FenceBroker c -> ClusterControl.fenceBroker(buffer, c);
            case UnfenceBroker c -> ClusterControl.unfenceBroker(buffer, c);
            case ControlledShutdown c -> ClusterControl.controlledShutdown(buffer, c);
            case ReportOfflineReplicas c -> ClusterControl.reportOfflineReplicas(buffer, c);
            case RegisterEndpoints c -> ClusterControl.registerEndpoints(buffer, c);
            case CreateTopic c -> TopicControl.createTopic(buffer, c, index);
            case DeleteTopic c -> TopicControl.deleteTopic(buffer, c);
            case CreatePartitions c -> TopicControl.createPartitions(buffer, c);
            case AlterConfigs c -> TopicControl.alterConfigs(buffer, c);
            case ReserveProducerIds c -> TopicControl.reserveProducerIds(buffer, c);
            case AlterPartition c -> PartitionControl.alterPartition(buffer, c);
            case AlterReassignments c -> PartitionControl.alterReassignments(buffer, c);
            case ElectLeaders c -> PartitionControl.electLeaders(buffer, c);
            case UpdateFeatures c -> FeatureControl.updateFeatures(buffer, c, index);
            case AlterScramCredentials c -> ScramControl.alterScramCredentials(buffer, c);
            case CreateAcls c -> AclControl.createAcls(buffer, c, index);
            case DeleteAcls c -> AclControl.deleteAcls(buffer, c);
            case AlterClientQuotas c -> QuotaControl.alterClientQuotas(buffer, c);
            case TermFenced c -> {
                if (c.term() != term) {
                    throw new NotControllerException("Decided by the active controller of term " + c.term()
                            + ", appended in term " + term + ": that controller no longer leads.");
                }
                yield payload(buffer, c.command(), index, term);
            }
        };
    }
}
