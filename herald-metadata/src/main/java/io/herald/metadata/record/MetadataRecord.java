package io.herald.metadata.record;

import io.herald.metadata.image.Endpoint;
import io.herald.metadata.image.QuotaEntity;
import io.herald.metadata.image.ReplicaKey;
import io.herald.metadata.image.ScramCredentialImage;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;

/**
 * A change to the cluster model. The cluster image is exactly the fold of these records in log order:
 * the controller decides by producing records, and every state change happens by replaying them, so the
 * same code serves live operation, recovery and snapshots.
 */
public sealed interface MetadataRecord {

    /** The cluster's id; decided once, by the first InitCluster command in the metadata log. */
    record ClusterIdRecord(String clusterId) implements MetadataRecord {}

    /** A topic came into existence. Its partitions follow as {@link PartitionRecord}s. */
    record TopicRecord(String name, Uuid topicId) implements MetadataRecord {}

    /**
     * A partition's replica assignment and leadership; a later record for the same partition replaces it.
     * During a reassignment {@code replicas} is target ∪ original (target first), {@code addingReplicas} =
     * target − original, {@code removingReplicas} = original − target; both are empty otherwise.
     */
    record PartitionRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader,
                           int leaderEpoch, int partitionEpoch, List<Integer> addingReplicas,
                           List<Integer> removingReplicas) implements MetadataRecord {
        public PartitionRecord {
            replicas = List.copyOf(replicas);
            isr = List.copyOf(isr);
            addingReplicas = List.copyOf(addingReplicas);
            removingReplicas = List.copyOf(removingReplicas);
        }

        /** A partition without a reassignment in progress. */
        public PartitionRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader,
                               int leaderEpoch, int partitionEpoch) {
            this(topicId, partition, replicas, isr, leader, leaderEpoch, partitionEpoch, List.of(), List.of());
        }
    }

    /** The topic and all its partitions are gone. */
    record RemoveTopicRecord(Uuid topicId) implements MetadataRecord {}

    /**
     * A dynamic config of a resource: a topic (name), a broker (id as text, empty for the cluster default) or a
     * group (its id; Kafka's GROUP config resource, KIP-848/KIP-932). An empty value removes the override, which
     * restores the default.
     */
    record ConfigRecord(ResourceKind kind, String resourceName, String name, Optional<String> value)
            implements MetadataRecord {}

    /**
     * A broker's registration and liveness state. {@code incarnationId} is random per broker process start;
     * {@code brokerEpoch} is the metadata log index of the registration that introduced that incarnation;
     * a {@code fenced} broker leads nothing and is in no ISR except as its last member.
     */
    record BrokerRecord(int brokerId, String host, int port, Optional<String> rack, Uuid incarnationId,
                        long brokerEpoch, boolean fenced) implements MetadataRecord {

        /** An unfenced broker of an unknown incarnation (epoch 0). */
        public BrokerRecord(int brokerId, String host, int port, Optional<String> rack) {
            this(brokerId, host, port, rack, Uuid.ZERO_UUID, 0L, false);
        }
    }

    /**
     * A feature's finalized level (KIP-584), 0 for not finalized, set by the command at metadata log index
     * {@code epoch}, which becomes the epoch of all finalized levels (ApiVersions' FinalizedFeaturesEpoch).
     */
    record FeatureLevelRecord(String name, short level, long epoch) implements MetadataRecord {
        public FeatureLevelRecord {
            if (level < 0) {
                throw new IllegalArgumentException("feature " + name + " level " + level + " (expected: 0 or more)");
            }
        }
    }

    /**
     * The complete set of a broker incarnation's replicas that are offline because their log dir failed
     * (KIP-858's offline log dirs, named by replica since Herald's metadata does not place replicas on dirs); it
     * replaces the previous set. A registration of another incarnation clears it.
     */
    record OfflineReplicasRecord(int brokerId, Uuid incarnationId, List<ReplicaKey> replicas)
            implements MetadataRecord {
        public OfflineReplicasRecord {
            replicas = List.copyOf(replicas);
        }
    }

    /**
     * The complete set of a broker's client listener endpoints (the listeners of Kafka's BrokerRegistrationRecord),
     * replacing the previous set; ignored for a broker that is not registered. A later {@link BrokerRecord} of the
     * broker keeps them, a new incarnation's too: the broker sends its endpoints again after each registration.
     */
    record BrokerEndpointsRecord(int brokerId, List<Endpoint> endpoints) implements MetadataRecord {
        public BrokerEndpointsRecord {
            endpoints = List.copyOf(endpoints);
        }
    }

    /** Producer ids below {@code nextProducerId} are handed out; a broker reserves a block at a time. */
    record ProducerIdsRecord(int brokerId, long nextProducerId) implements MetadataRecord {}

    /**
     * A user's SCRAM credential for one mechanism (Kafka's UserScramCredentialRecord), replacing the user's
     * previous one of that mechanism. Holds the stored and server keys, never the salted password.
     */
    record UserScramCredentialRecord(ScramCredentialImage credential) implements MetadataRecord {
        public UserScramCredentialRecord {
            Objects.requireNonNull(credential, "credential");
        }
    }

    /** A user's SCRAM credential of one mechanism is gone (Kafka's RemoveUserScramCredentialRecord). */
    record RemoveUserScramCredentialRecord(String user, ScramMechanism mechanism) implements MetadataRecord {
        public RemoveUserScramCredentialRecord {
            Objects.requireNonNull(user, "user");
            if (mechanism == null || mechanism == ScramMechanism.UNKNOWN) {
                throw new IllegalArgumentException("SCRAM mechanism of user " + user + ": " + mechanism
                        + " (expected: SCRAM_SHA_256 or SCRAM_SHA_512)");
            }
        }
    }

    /**
     * An ACL binding (Kafka's AccessControlEntryRecord): {@code binding} now exists, under {@code id}. The controller
     * writes one only for a binding it validated (a resource type, operation and permission that are neither ANY nor
     * UNKNOWN, a LITERAL or PREFIXED pattern, a non-empty name, a {@code Type:name} principal) and that does not exist
     * yet, under an id no binding has; a record for an id that exists replaces its binding.
     */
    record AccessControlEntryRecord(Uuid id, AclBinding binding) implements MetadataRecord {
        public AccessControlEntryRecord {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(binding, "binding");
        }
    }

    /**
     * The ACL binding of {@code id} is gone (Kafka's RemoveAccessControlEntryRecord). Removing an id that does not
     * exist changes nothing (the controller never writes one).
     */
    record RemoveAccessControlEntryRecord(Uuid id) implements MetadataRecord {
        public RemoveAccessControlEntryRecord {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * One client quota of one entity (Kafka's ClientQuotaRecord): {@code key} of {@code entity} is now {@code value},
     * or, when the value is empty, no longer set. The controller writes one only for a validated entity and key
     * (see {@code QuotaControl}), and a removal only for a key that is set.
     */
    record ClientQuotaRecord(QuotaEntity entity, String key, OptionalDouble value) implements MetadataRecord {
        public ClientQuotaRecord {
            Objects.requireNonNull(entity, "entity");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Which kind of resource a {@link ConfigRecord} changes. The ordinal is part of the record formats
     * ({@link MetadataRecordSerde}, the controller commands): new kinds go at the end, and a member that does not
     * know a kind reports the entry as corrupt instead of misreading it.
     */
    enum ResourceKind { TOPIC, BROKER, GROUP }
}
