package io.herald.broker.share;

import java.util.Objects;
import org.apache.kafka.common.TopicIdPartition;

/**
 * Records a share-partition archived because a consumer rejected them or they ran out of deliveries: what a
 * dead-letter queue copies.
 *
 * @param deliveryCount how often they were delivered
 */
public record ArchivedRecords(String groupId, TopicIdPartition partition, long firstOffset, long lastOffset,
                              int deliveryCount, ArchiveReason reason) {
    public ArchivedRecords {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(reason, "reason");
    }
}
