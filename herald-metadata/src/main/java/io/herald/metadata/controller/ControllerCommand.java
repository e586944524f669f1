package io.herald.metadata.controller;

import io.herald.metadata.api.QuotaAdmin;
import io.herald.metadata.image.Endpoint;
import io.herald.metadata.image.ReplicaKey;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

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

    /**
     * A broker incarnation's client listener endpoints, complete, in its {@code listeners} order; replaces the
     * ones it registered before. Sent once its listeners are bound (a port configured as 0 is known only then),
     * after each registration. Refused for another incarnation (a late one of a process that restarted).
     */
    record RegisterEndpoints(int brokerId, Uuid incarnationId, List<Endpoint> endpoints) implements ControllerCommand {
        public RegisterEndpoints {
            endpoints = List.copyOf(endpoints);
        }
    }

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

    /**
     * Kafka's AlterUserScramCredentials: deletions, then upsertions, each decided per user as Kafka's
     * ScramControlManager does; the accepted ones take effect together (see {@code ScramControl}).
     */
    record AlterScramCredentials(List<ScramDeletion> deletions, List<ScramUpsertion> upsertions)
            implements ControllerCommand {
        public AlterScramCredentials {
            deletions = List.copyOf(deletions);
            upsertions = List.copyOf(upsertions);
        }
    }

    /** Removes {@code user}'s credential of {@code mechanism}, Kafka's wire type kept as sent (0 is UNKNOWN). */
    record ScramDeletion(String user, byte mechanism) {}

    /**
     * Sets {@code user}'s credential of {@code mechanism} (Kafka's wire type, kept as sent so that the controller
     * refuses an unknown one as Kafka does).
     *
     * <p>Carries the StoredKey and ServerKey derived from the client's salted password (by
     * {@code ScramControl.upsertion}, before the command is appended), not the salted password itself: this
     * command is a metadata log entry, kept on every quorum member's disk until a snapshot replaces it, and the
     * salted password would let anyone who reads the log authenticate as the user. Both keys are empty when they
     * could not be derived (an unknown mechanism, or an empty salted password, which is not an HMAC key); the
     * decision then refuses the upsertion as Kafka does.
     *
     * <p>Arrays are copied in and out; equality compares their contents; {@link #toString} hides the keys.
     */
    record ScramUpsertion(String user, byte mechanism, int iterations, byte[] salt, byte[] storedKey,
                          byte[] serverKey) {
        public ScramUpsertion {
            salt = salt.clone();
            storedKey = storedKey.clone();
            serverKey = serverKey.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public byte[] storedKey() {
            return storedKey.clone();
        }

        @Override
        public byte[] serverKey() {
            return serverKey.clone();
        }

        /** Whether the keys could be derived from the salted password. */
        public boolean hasKeys() {
            return storedKey.length > 0 && serverKey.length > 0;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ScramUpsertion other && user.equals(other.user) && mechanism == other.mechanism
                    && iterations == other.iterations && java.util.Arrays.equals(salt, other.salt)
                    && java.util.Arrays.equals(storedKey, other.storedKey)
                    && java.util.Arrays.equals(serverKey, other.serverKey);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(user, mechanism, iterations, java.util.Arrays.hashCode(salt),
                    java.util.Arrays.hashCode(storedKey), java.util.Arrays.hashCode(serverKey));
        }

        @Override
        public String toString() {
            return "ScramUpsertion[user=" + user + ", mechanism=" + mechanism + ", iterations=" + iterations
                    + ", keys hidden]";
        }
    }

    /**
     * Kafka's CreateAcls, the bindings in request order, each decided as Kafka's AclControlManager decides it (see
     * {@code AclControl}): an invalid one is refused alone, one that exists (or came earlier in the request)
     * succeeds without a record, every other one becomes a record under a new id; all in the one log entry. A
     * binding may hold UNKNOWN values, as a request with codes Kafka does not know does, for the decision to refuse.
     */
    record CreateAcls(List<AclBinding> bindings) implements ControllerCommand {
        public CreateAcls {
            bindings = List.copyOf(bindings);
        }
    }

    /**
     * Kafka's DeleteAcls: every binding one of the filters matches ({@link AclBindingFilter#matches}) is removed,
     * in the one log entry; see {@code AclControl}.
     */
    record DeleteAcls(List<AclBindingFilter> filters) implements ControllerCommand {
        public DeleteAcls {
            filters = List.copyOf(filters);
        }
    }

    /**
     * Kafka's AlterClientQuotas: each entity's changes decided as Kafka's ClientQuotaControlManager decides them (see
     * {@code QuotaControl}); the accepted ones take effect together.
     */
    record AlterClientQuotas(List<QuotaAdmin.Alteration> alterations) implements ControllerCommand {
        public AlterClientQuotas {
            alterations = List.copyOf(alterations);
        }
    }

    /** A partition by topic name, as admin requests name it. */
    record PartitionRef(String topic, int partition) {}
}
