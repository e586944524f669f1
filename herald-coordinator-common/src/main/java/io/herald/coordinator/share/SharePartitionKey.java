package io.herald.coordinator.share;

import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * One share-partition: a share group's view of one topic partition. Its state lives on the share coordinator that
 * leads partition {@code abs(coordinatorKey().hashCode()) % partitions} of {@code __share_group_state}, Kafka's
 * placement.
 */
public record SharePartitionKey(String groupId, Uuid topicId, int partition) {
    public SharePartitionKey {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(topicId, "topicId");
        if (partition < 0) {
            throw new IllegalArgumentException("partition: " + partition + " (expected: >= 0)");
        }
    }

    /** The key FindCoordinator (key type SHARE) and the placement use: {@code groupId:topicId:partition}. */
    public String coordinatorKey() {
        return groupId + ":" + topicId + ":" + partition;
    }
}
