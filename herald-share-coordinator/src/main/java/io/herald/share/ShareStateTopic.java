package io.herald.share;

import java.util.Map;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Utils;

/**
 * {@code __share_group_state}: where a share-partition's state lives, and the configs the topic is created with.
 *
 * <p>The topic is not compacted: a share-partition's updates are deltas under a key of their own, and compaction
 * would keep only the newest. Kafka creates it with {@code cleanup.policy=delete} and {@code retention.ms=-1} and
 * deletes the records every share-partition has moved past (its latest snapshot is after them) every
 * {@code share.coordinator.state.topic.prune.interval.ms}. Herald does not prune yet: that needs the runtime to hand
 * replay the offset of each record and the log to delete records below an offset; until then the topic grows with
 * the writes, and a load replays all of it.
 */
public final class ShareStateTopic {
    public static final String NAME = Topic.SHARE_GROUP_STATE_TOPIC_NAME;

    private ShareStateTopic() {
    }

    /**
     * Kafka's placement: {@code Utils.abs(coordinatorKey.hashCode()) % partitions}, where the key is
     * {@code groupId:topicId:partition} ({@link io.herald.coordinator.share.SharePartitionKey#coordinatorKey}).
     */
    public static int partitionFor(String coordinatorKey, int partitions) {
        return Utils.abs(coordinatorKey.hashCode()) % partitions;
    }

    /** The topic configs {@code __share_group_state} is created with, Kafka's. */
    public static Map<String, String> topicConfigs(ShareCoordinatorConfig config) {
        return Map.of(
                "cleanup.policy", "delete",
                "retention.ms", "-1",
                "compression.type", "producer",
                "segment.bytes", Integer.toString(config.stateTopicSegmentBytes()),
                "min.insync.replicas", Short.toString(config.stateTopicMinIsr()));
    }
}
