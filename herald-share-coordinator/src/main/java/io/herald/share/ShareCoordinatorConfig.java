package io.herald.share;

import io.herald.common.config.ConfigValues;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The share coordinator's broker configs, by Kafka's names and with Kafka 4.3's defaults and ranges. Only the
 * configs that change what Herald does are defined; Kafka's {@code share.coordinator.threads},
 * {@code .load.buffer.size}, {@code .state.topic.compression.codec}, {@code .append.linger.ms},
 * {@code .cached.buffer.max.bytes}, {@code .state.topic.prune.interval.ms} and
 * {@code .cold.partition.snapshot.interval.ms} tune parts Herald does not have (one loop thread, whole-partition
 * loads, no record pruning yet: see {@link ShareStateTopic}).
 *
 * @param stateTopicPartitions             {@code share.coordinator.state.topic.num.partitions} (50): partitions of
 *                                         {@code __share_group_state} when it is created (an existing topic's
 *                                         count wins, {@link #withStateTopicPartitions})
 * @param stateTopicReplicationFactor      {@code share.coordinator.state.topic.replication.factor} (3), capped at
 *                                         the live brokers when the topic is created
 * @param stateTopicMinIsr                 {@code share.coordinator.state.topic.min.isr} (2): the topic's
 *                                         {@code min.insync.replicas}
 * @param stateTopicSegmentBytes           {@code share.coordinator.state.topic.segment.bytes} (100 MiB)
 * @param snapshotUpdateRecordsPerSnapshot {@code share.coordinator.snapshot.update.records.per.snapshot} (500, at
 *                                         most 500): how many ShareUpdate records a share-partition gets between
 *                                         two ShareSnapshot records; 0 writes a snapshot every time
 * @param writeTimeoutMs                   {@code share.coordinator.write.timeout.ms} (5000): how long an answer
 *                                         waits for every in-sync replica to have its records before it fails
 *                                         with COORDINATOR_NOT_AVAILABLE (the runtime's commit timeout)
 */
public record ShareCoordinatorConfig(int stateTopicPartitions, short stateTopicReplicationFactor,
                                     short stateTopicMinIsr, int stateTopicSegmentBytes,
                                     int snapshotUpdateRecordsPerSnapshot, int writeTimeoutMs) {

    public static final String STATE_TOPIC_NUM_PARTITIONS = "share.coordinator.state.topic.num.partitions";
    public static final String STATE_TOPIC_REPLICATION_FACTOR = "share.coordinator.state.topic.replication.factor";
    public static final String STATE_TOPIC_MIN_ISR = "share.coordinator.state.topic.min.isr";
    public static final String STATE_TOPIC_SEGMENT_BYTES = "share.coordinator.state.topic.segment.bytes";
    public static final String SNAPSHOT_UPDATE_RECORDS_PER_SNAPSHOT =
            "share.coordinator.snapshot.update.records.per.snapshot";
    public static final String WRITE_TIMEOUT_MS = "share.coordinator.write.timeout.ms";
    /** Kafka's upper bound of {@value #SNAPSHOT_UPDATE_RECORDS_PER_SNAPSHOT}. */
    static final int MAX_UPDATES_PER_SNAPSHOT = 500;

    public ShareCoordinatorConfig {
        atLeast(STATE_TOPIC_NUM_PARTITIONS, stateTopicPartitions, 1);
        atLeast(STATE_TOPIC_REPLICATION_FACTOR, stateTopicReplicationFactor, 1);
        atLeast(STATE_TOPIC_MIN_ISR, stateTopicMinIsr, 1);
        atLeast(STATE_TOPIC_SEGMENT_BYTES, stateTopicSegmentBytes, 1);
        if (snapshotUpdateRecordsPerSnapshot < 0 || snapshotUpdateRecordsPerSnapshot > MAX_UPDATES_PER_SNAPSHOT) {
            throw new ConfigException(SNAPSHOT_UPDATE_RECORDS_PER_SNAPSHOT, snapshotUpdateRecordsPerSnapshot,
                    "expected: 0.." + MAX_UPDATES_PER_SNAPSHOT);
        }
        atLeast(WRITE_TIMEOUT_MS, writeTimeoutMs, 1);
    }

    private static void atLeast(String name, int value, int min) {
        if (value < min) {
            throw new ConfigException(name, value, "expected: >= " + min);
        }
    }

    /** The share coordinator's share of the broker configs, with Kafka's names, defaults and ranges. */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(STATE_TOPIC_NUM_PARTITIONS, Type.INT, 50, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "Partitions of __share_group_state when it is created (should not change after deployment).")
            .define(STATE_TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 3, ConfigDef.Range.atLeast(1),
                    Importance.HIGH, "Replication factor of __share_group_state (capped at the live brokers).")
            .define(STATE_TOPIC_MIN_ISR, Type.SHORT, (short) 2, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "min.insync.replicas of __share_group_state.")
            .define(STATE_TOPIC_SEGMENT_BYTES, Type.INT, 104857600, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "segment.bytes of __share_group_state.")
            .define(SNAPSHOT_UPDATE_RECORDS_PER_SNAPSHOT, Type.INT, 500,
                    ConfigDef.Range.between(0, MAX_UPDATES_PER_SNAPSHOT), Importance.MEDIUM,
                    "The number of update records the share coordinator writes between snapshot records.")
            .define(WRITE_TIMEOUT_MS, Type.INT, 5000, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "How long the share coordinator waits for every in-sync replica of __share_group_state to have "
                            + "a write before it answers COORDINATOR_NOT_AVAILABLE.");

    /** Kafka's defaults. */
    public static ShareCoordinatorConfig defaults() {
        return from(ConfigValues.parse(CONFIG_DEF, Map.of()));
    }

    /** The settings from values parsed with a definition that includes {@link #CONFIG_DEF}. */
    public static ShareCoordinatorConfig from(ConfigValues v) {
        return new ShareCoordinatorConfig(
                v.getInt(STATE_TOPIC_NUM_PARTITIONS),
                v.getShort(STATE_TOPIC_REPLICATION_FACTOR),
                v.getShort(STATE_TOPIC_MIN_ISR),
                v.getInt(STATE_TOPIC_SEGMENT_BYTES),
                v.getInt(SNAPSHOT_UPDATE_RECORDS_PER_SNAPSHOT),
                v.getInt(WRITE_TIMEOUT_MS));
    }

    /** This config with another {@code __share_group_state} partition count (an existing topic's wins). */
    public ShareCoordinatorConfig withStateTopicPartitions(int partitions) {
        return new ShareCoordinatorConfig(partitions, stateTopicReplicationFactor, stateTopicMinIsr,
                stateTopicSegmentBytes, snapshotUpdateRecordsPerSnapshot, writeTimeoutMs);
    }

    /** This config with another number of updates between snapshots (tests). */
    public ShareCoordinatorConfig withSnapshotUpdateRecordsPerSnapshot(int updates) {
        return new ShareCoordinatorConfig(stateTopicPartitions, stateTopicReplicationFactor, stateTopicMinIsr,
                stateTopicSegmentBytes, updates, writeTimeoutMs);
    }

    /** This config with another write (commit) timeout (tests). */
    public ShareCoordinatorConfig withWriteTimeoutMs(int timeoutMs) {
        return new ShareCoordinatorConfig(stateTopicPartitions, stateTopicReplicationFactor, stateTopicMinIsr,
                stateTopicSegmentBytes, snapshotUpdateRecordsPerSnapshot, timeoutMs);
    }
}
