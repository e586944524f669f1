package io.herald.broker.group;

import io.herald.metadata.controller.MetadataController;
import java.util.Map;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The internal topic {@code __consumer_offsets}: its name, its placement of groups, its creation. */
public final class OffsetsTopic {
    private static final Logger log = LoggerFactory.getLogger(OffsetsTopic.class);
    public static final String NAME = Topic.GROUP_METADATA_TOPIC_NAME;

    private OffsetsTopic() {
    }

    /** Kafka's placement, so a group lands on the same partition number as in Kafka. */
    public static int partitionFor(String groupId, int partitions) {
        return Utils.abs((groupId == null ? "" : groupId).hashCode()) % partitions;
    }

    /** Creates the topic (compacted, replication factor 1) unless it exists. */
    public static void ensureCreated(MetadataController controller, GroupConfig config) {
        if (controller.image().topic(NAME).isPresent()) {
            return;
        }
        try {
            controller.createTopic(NAME, config.offsetsTopicPartitions(), 1, Map.of("cleanup.policy", "compact",
                    "segment.bytes", Integer.toString(config.offsetsTopicSegmentBytes())), false);
            log.info("Created internal topic {} with {} partitions", NAME, config.offsetsTopicPartitions());
        } catch (TopicExistsException raced) {
            // created concurrently: fine
        }
    }
}
