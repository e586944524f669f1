package io.herald.group;

import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Utils;

/** The internal topic {@code __consumer_offsets}: its name and its placement of groups. */
public final class OffsetsTopic {
    public static final String NAME = Topic.GROUP_METADATA_TOPIC_NAME;

    private OffsetsTopic() {
    }

    /** Kafka's placement, so a group lands on the same partition number as in Kafka. */
    public static int partitionFor(String groupId, int partitions) {
        return Utils.abs((groupId == null ? "" : groupId).hashCode()) % partitions;
    }
}
