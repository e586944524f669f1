package io.herald.metadata.controller;

import io.herald.metadata.image.ReplicaKey;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * An entry of the metadata quorum log: a request to change the cluster, decided by
 * {@link ControllerStateMachine} on every member against the image at that point of the log. Everything the
 * decision needs that is not in the image (incarnation ids, proposed cluster id) travels inside the command,
 * so applying it is deterministic. Encoded by {@link ControllerCommandSerde}. Immutable values.
 */
public sealed interface ControllerCommand {

    /** Proposes the cluster id; the first one applied wins, later ones change nothing. */
    record InitCluster(String clusterId) implements ControllerCommand {}

    /** A broker process announces itself; a new {@code incarnationId} means it restarted. */
    record RegisterBroker(int brokerId, String host, int port, Optional<String> rack, Uuid incarnationId)
            implements ControllerCommand {}

    /** The leader's liveness tracker saw no heartbeat for a session timeout; no-op for another epoch. */
    record FenceBroker(int brokerId, long brokerEpoch) implements ControllerCommand {}

    /** A fenced broker heartbeats again; no-op for another epoch. */
    record UnfenceBroker(int brokerId, long brokerEpoch) implements ControllerCommand {}

    /** A broker is about to stop: move its leaderships away, take it out of ISRs, fence it. */
    record ControlledShutdown(int brokerId) implements ControllerCommand {}

    /**
     * A broker incarnation's complete set of offline replicas (their log dir failed, or came back: KIP-858's
     * offline log dirs in the heartbeat, named by replica); replaces the previous set. No-op for another
     * incarnation.
     */
    record ReportOfflineReplicas(int brokerId, Uuid incarnationId, List<ReplicaKey> replicas)
            implements ControllerCommand {
        public ReportOfflineReplicas {
            replicas = replicas.stream().distinct().sorted().toList();
        }
    }

    /** Creates a topic; {@code assignments} (partition -> replicas) empty means automatic placement. */
    record CreateTopic(String name, int partitions, int replicationFactor,
                       SortedMap<Integer, List<Integer>> assignments, SortedMap<String, String> configs)
            implements ControllerCommand {
        public CreateTopic {
            TreeMap<Integer, List<Integer>> copy = new TreeMap<>();
            assignments.forEach((p, r) -> copy.put(p, List.copyOf(r)));
            assignments = java.util.Collections.unmodifiableSortedMap(copy);
            configs = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(configs));
        }
    }

    record DeleteTopic(Uuid topicId) implements ControllerCommand {}

    /** Grows a topic to {@code newCount} partitions; {@code assignments} empty means automatic placement. */
    record CreatePartitions(String name, int newCount, List<List<Integer>> assignments) implements ControllerCommand {
        public CreatePartitions {
            assignments = assignments.stream().map(List::copyOf).toList();
        }
    }

    /** Sets (present) or removes (empty) config overrides of one resource, atomically. */
    record AlterConfigs(ResourceKind kind, String resourceName, SortedMap<String, Optional<String>> changes)
            implements ControllerCommand {
        public AlterConfigs {
            changes = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(changes));
        }
    }

    record ReserveProducerIds(int brokerId, int blockSize) implements ControllerCommand {}

    /** A partition leader's ISR change (Kafka's AlterPartition). */
    record AlterPartition(int brokerId, Uuid topicId, int partition, int leaderEpoch, int partitionEpoch,
                          List<Integer> newIsr) implements ControllerCommand {
        public AlterPartition {
            newIsr = List.copyOf(newIsr);
        }
    }

    /** Starts (target present) or cancels (empty) reassignments, in request order. */
    record AlterReassignments(List<Reassignment> reassignments) implements ControllerCommand {
        public AlterReassignments {
            reassignments = List.copyOf(reassignments);
        }
    }

    record Reassignment(String topic, int partition, Optional<List<Integer>> target) {
        public Reassignment {
            target = target.map(List::copyOf);
        }
    }

    /** Preferred (or, with {@code unclean}, unclean) leader election; empty partitions = every partition. */
    record ElectLeaders(boolean unclean, Optional<List<PartitionRef>> partitions) implements ControllerCommand {
        public ElectLeaders {
            partitions = partitions.map(List::copyOf);
        }
    }

    /**
     * A decision of the active controller, the quorum leader of Raft term {@code term}, made from state only it
     * has (broker liveness, its rebalance timer). Applied only when its log entry is of that same term, i.e.
     * appended while its decider still led; a deposed controller's late decisions are rejected with
     * NOT_CONTROLLER instead of overruling the current leader's.
     */
    record TermFenced(long term, ControllerCommand command) implements ControllerCommand {
        public TermFenced {
            if (command instanceof TermFenced) {
                throw new IllegalArgumentException("a term-fenced command inside another: " + command);
            }
        }
    }

    /**
     * Kafka's UpdateFeatures (KIP-584): all the changes or none. {@code nodeId} is the broker that took the
     * request, named in refusals as Kafka names its local controller.
     */
    record UpdateFeatures(int nodeId, SortedMap<String, FeatureChange> changes) implements ControllerCommand {
        public UpdateFeatures {
            changes = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(changes));
        }
    }

    /**
     * One feature's requested level; {@code upgradeType} is Kafka's wire code (1 upgrade, 2 safe downgrade,
     * 3 unsafe downgrade), kept as sent so that an unknown code is refused the way Kafka refuses it.
     */
    record FeatureChange(short level, byte upgradeType) {}

    /** A partition by topic name, as admin requests name it. */
    record PartitionRef(String topic, int partition) {}
}
