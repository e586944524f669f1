package io.herald.broker.delay;

import io.herald.common.config.ConfigValues;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The broker configs of delayed delivery. Whether a topic delays records is its topic config
 * {@code herald.delivery.delay.enable}, whose broker default has the same name (a topic config, see
 * {@code TopicConfigs}); these configs shape the timer log.
 *
 * @param topicPartitions        {@code herald.delayed.topic.num.partitions} (8): partitions of
 *                               {@code __herald_delayed} when it is created; each is released by its leader
 * @param topicReplicationFactor {@code herald.delayed.topic.replication.factor} (3), capped at the live brokers
 *                               when the topic is created
 * @param topicMinIsr            {@code herald.delayed.topic.min.isr} (2): the topic's {@code min.insync.replicas}
 * @param topicSegmentBytes      {@code herald.delayed.topic.segment.bytes} (100 MiB)
 * @param writeTimeoutMs         {@code herald.delayed.write.timeout.ms} (30000): how long a schedule or release
 *                               write waits for the in-sync replicas
 */
public record DelayedDeliveryConfig(int topicPartitions, short topicReplicationFactor, short topicMinIsr,
                                    int topicSegmentBytes, int writeTimeoutMs) {
    public static final String TOPIC_NUM_PARTITIONS = "herald.delayed.topic.num.partitions";
    public static final String TOPIC_REPLICATION_FACTOR = "herald.delayed.topic.replication.factor";
    public static final String TOPIC_MIN_ISR = "herald.delayed.topic.min.isr";
    public static final String TOPIC_SEGMENT_BYTES = "herald.delayed.topic.segment.bytes";
    public static final String WRITE_TIMEOUT_MS = "herald.delayed.write.timeout.ms";
    /** The largest batch of schedules the timer log takes: larger than any topic's default batch limit. */
    public static final int TOPIC_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(TOPIC_NUM_PARTITIONS, Type.INT, 8, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Partitions of the timer log __herald_delayed when it is created.")
            .define(TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 3, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Replication factor of __herald_delayed (capped at the live brokers when it is created).")
            .define(TOPIC_MIN_ISR, Type.SHORT, (short) 2, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "min.insync.replicas of __herald_delayed.")
            .define(TOPIC_SEGMENT_BYTES, Type.INT, 104857600, ConfigDef.Range.atLeast(1024 * 1024),
                    Importance.LOW, "segment.bytes of __herald_delayed.")
            .define(WRITE_TIMEOUT_MS, Type.INT, 30000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "How long a write to __herald_delayed waits for its in-sync replicas.");

    /** The defaults. */
    public static DelayedDeliveryConfig defaults() {
        return from(ConfigValues.parse(CONFIG_DEF, Map.of()));
    }

    /** The settings from values parsed with a definition that includes {@link #CONFIG_DEF}. */
    public static DelayedDeliveryConfig from(ConfigValues v) {
        return new DelayedDeliveryConfig(v.getInt(TOPIC_NUM_PARTITIONS), v.getShort(TOPIC_REPLICATION_FACTOR),
                v.getShort(TOPIC_MIN_ISR), v.getInt(TOPIC_SEGMENT_BYTES), v.getInt(WRITE_TIMEOUT_MS));
    }

    /** The topic configs of {@code __herald_delayed}: kept until released, never deleted by retention. */
    public Map<String, String> topicConfigs() {
        return Map.of("cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1",
                "min.insync.replicas", String.valueOf(topicMinIsr), "segment.bytes", String.valueOf(topicSegmentBytes),
                "max.message.bytes", String.valueOf(TOPIC_MAX_MESSAGE_BYTES), "compression.type", "producer");
    }
}
