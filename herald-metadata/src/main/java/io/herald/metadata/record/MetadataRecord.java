package io.herald.metadata.record;

import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * A change to the cluster model. The cluster image is exactly the fold of these records in log order:
 * the controller decides by producing records, and every state change happens by replaying them, so the
 * same code serves live operation and recovery (and, later, followers of the Raft metadata log).
 */
public sealed interface MetadataRecord {

    /** A topic came into existence. Its partitions follow as {@link PartitionRecord}s. */
    record TopicRecord(String name, Uuid topicId) implements MetadataRecord {}

    /** A partition's replica assignment and leadership; a later record for the same partition replaces it. */
    record PartitionRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader,
                           int leaderEpoch, int partitionEpoch) implements MetadataRecord {
        public PartitionRecord {
            replicas = List.copyOf(replicas);
            isr = List.copyOf(isr);
        }
    }

    /** The topic and all its partitions are gone. */
    record RemoveTopicRecord(Uuid topicId) implements MetadataRecord {}

    /**
     * A dynamic config of a resource: a topic (name) or a broker (id as text, empty for the cluster default).
     * An empty value removes the override, which restores the default.
     */
    record ConfigRecord(ResourceKind kind, String resourceName, String name, Optional<String> value)
            implements MetadataRecord {}

    /** A broker announced itself with its client listener. */
    record BrokerRecord(int brokerId, String host, int port, Optional<String> rack) implements MetadataRecord {}

    /** Producer ids below {@code nextProducerId} are handed out; a broker reserves a block at a time. */
    record ProducerIdsRecord(int brokerId, long nextProducerId) implements MetadataRecord {}

    /** Which kind of resource a {@link ConfigRecord} changes. */
    enum ResourceKind { TOPIC, BROKER }
}
