package io.herald.metadata.api;

import io.herald.metadata.image.TopicImage;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * Topic and config changes as the admin APIs ask for them (CreateTopics, DeleteTopics, CreatePartitions,
 * IncrementalAlterConfigs). Each call returns once this node has applied the change, and throws the Kafka
 * {@link org.apache.kafka.common.errors.ApiException} the controller decided (TOPIC_ALREADY_EXISTS,
 * INVALID_REPLICATION_FACTOR, POLICY_VIOLATION, ...).
 *
 * <p>Thread-safety: any thread except the metadata apply thread (a listener), which the call would wait for.
 */
public interface TopicAdmin {

    /**
     * Creates a topic of {@code partitions} partitions with {@code replicationFactor} replicas each, placed
     * round-robin (rack-aware) over the unfenced brokers.
     *
     * @param validateOnly check everything, change nothing
     * @return the new topic (or the topic it would be)
     */
    TopicImage createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs,
                           boolean validateOnly);

    /** Creates a topic with explicit replica assignments (partition → replicas, partitions 0..n-1). */
    TopicImage createTopic(String name, Map<Integer, List<Integer>> assignments, Map<String, String> configs,
                           boolean validateOnly);

    void deleteTopic(Uuid topicId);

    /** Grows a topic; {@code assignments} (one replica list per new partition) empty = automatic placement. */
    void createPartitions(String name, int newCount, List<List<Integer>> assignments, boolean validateOnly);

    /** Sets (value present) or removes (empty) config overrides of one resource, atomically. */
    void alterConfigs(ResourceKind kind, String resourceName, Map<String, Optional<String>> changes);
}
