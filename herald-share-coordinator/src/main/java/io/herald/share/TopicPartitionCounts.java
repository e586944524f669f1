package io.herald.share;

import java.util.OptionalInt;
import org.apache.kafka.common.Uuid;

/**
 * The share coordinator's view of the cluster's topics: how many partitions a topic id has, if it exists. State is
 * kept only for partitions that exist, as in Kafka (UNKNOWN_TOPIC_OR_PARTITION otherwise). The broker implements it
 * on its current metadata image.
 *
 * <p>Implementations are thread-safe and cheap: called on the coordinator's event loop.
 */
@FunctionalInterface
public interface TopicPartitionCounts {

    /** The topic's partition count, or empty if no topic has this id. */
    OptionalInt partitionCount(Uuid topicId);

    /** Whether the topic exists and has the partition. */
    default boolean exists(Uuid topicId, int partition) {
        OptionalInt count = partitionCount(topicId);
        return count.isPresent() && partition < count.getAsInt();
    }
}
