package io.herald.metadata.api;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.List;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.ApiError;

/**
 * Replica movement and leader elections (AlterPartitionReassignments, ListPartitionReassignments,
 * ElectLeaders). Same threading and error rules as {@link TopicAdmin}.
 */
public interface ReassignmentAdmin {

    /**
     * Starts (target present) or cancels (empty) reassignments.
     *
     * @return per partition {@link ApiError#NONE} or the Kafka error
     */
    Map<TopicPartition, ApiError> alterPartitionReassignments(Map<TopicPartition, Optional<List<Integer>>> targets);

    /** The reassignments in progress, from this node's image. */
    Map<TopicPartition, PartitionReassignment> listPartitionReassignments();

    /** @return per partition {@link ApiError#NONE} or the election's Kafka error */
    Map<TopicPartition, ApiError> electLeaders(boolean unclean, Set<TopicPartition> partitions);
}
