package io.herald.transaction;

import io.herald.common.config.ConfigValues;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The transaction coordinator's broker configs, by Kafka's names and with Kafka's defaults.
 *
 * @param stateLogPartitions        {@code transaction.state.log.num.partitions} (50): partitions of
 *                                  {@code __transaction_state} when it is created (an existing topic's count wins)
 * @param stateLogReplicationFactor {@code transaction.state.log.replication.factor} (3), capped at the live
 *                                  brokers when the topic is created
 * @param stateLogMinIsr            {@code transaction.state.log.min.isr} (2): the topic's {@code min.insync.replicas}
 * @param stateLogSegmentBytes      {@code transaction.state.log.segment.bytes} (100 MiB)
 * @param maxTimeoutMs              {@code transaction.max.timeout.ms} (900000): the largest
 *                                  {@code transaction.timeout.ms} a producer may ask for
 * @param transactionalIdExpirationMs {@code transactional.id.expiration.ms} (7 days): an id with no transaction in
 *                                  flight and no change for this long is forgotten
 * @param abortTimedOutIntervalMs   {@code transaction.abort.timed.out.transaction.cleanup.interval.ms} (10000)
 * @param removeExpiredIntervalMs   {@code transaction.remove.expired.transaction.cleanup.interval.ms} (3600000)
 * @param commitTimeoutMs           how long an answer waits for the ISR to commit its record before it fails with
 *                                  COORDINATOR_NOT_AVAILABLE. Kafka's transaction state manager appends with the
 *                                  broker's {@code request.timeout.ms} (30000): read from there when the node's
 *                                  definition has it, else Kafka's default
 * @param offsetsTopicPartitions    partitions of {@code __consumer_offsets}, where AddOffsetsToTxn finds a group's
 *                                  partition: {@code offsets.topic.num.partitions} when the node's definition has it
 *                                  (the group coordinator owns that config), else 50; an existing topic's count wins
 *                                  ({@link #withOffsetsTopicPartitions})
 */
public record TransactionConfig(int stateLogPartitions, short stateLogReplicationFactor, int stateLogMinIsr,
                                int stateLogSegmentBytes, int maxTimeoutMs, int transactionalIdExpirationMs,
                                int abortTimedOutIntervalMs, int removeExpiredIntervalMs, int commitTimeoutMs,
                                int offsetsTopicPartitions) {

    public static final String STATE_LOG_NUM_PARTITIONS = "transaction.state.log.num.partitions";
    public static final String STATE_LOG_REPLICATION_FACTOR = "transaction.state.log.replication.factor";
    public static final String STATE_LOG_MIN_ISR = "transaction.state.log.min.isr";
    public static final String STATE_LOG_SEGMENT_BYTES = "transaction.state.log.segment.bytes";
    public static final String MAX_TIMEOUT_MS = "transaction.max.timeout.ms";
    public static final String TRANSACTIONAL_ID_EXPIRATION_MS = "transactional.id.expiration.ms";
    public static final String ABORT_TIMED_OUT_INTERVAL_MS =
            "transaction.abort.timed.out.transaction.cleanup.interval.ms";
    public static final String REMOVE_EXPIRED_INTERVAL_MS =
            "transaction.remove.expired.transaction.cleanup.interval.ms";
    /** Read, not defined here: another subsystem owns each of these broker configs. */
    static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    static final int DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
    static final int DEFAULT_OFFSETS_TOPIC_PARTITIONS = 50;

    public TransactionConfig {
        atLeast(STATE_LOG_NUM_PARTITIONS, stateLogPartitions, 1);
        atLeast(STATE_LOG_REPLICATION_FACTOR, stateLogReplicationFactor, 1);
        atLeast(STATE_LOG_MIN_ISR, stateLogMinIsr, 1);
        atLeast(STATE_LOG_SEGMENT_BYTES, stateLogSegmentBytes, 1);
        atLeast(MAX_TIMEOUT_MS, maxTimeoutMs, 1);
        atLeast(TRANSACTIONAL_ID_EXPIRATION_MS, transactionalIdExpirationMs, 1);
        atLeast(ABORT_TIMED_OUT_INTERVAL_MS, abortTimedOutIntervalMs, 1);
        atLeast(REMOVE_EXPIRED_INTERVAL_MS, removeExpiredIntervalMs, 1);
        atLeast(REQUEST_TIMEOUT_MS, commitTimeoutMs, 1);
        atLeast(OFFSETS_TOPIC_NUM_PARTITIONS, offsetsTopicPartitions, 1);
    }

    private static void atLeast(String name, int value, int min) {
        if (value < min) {
            throw new ConfigException(name, value, "expected: >= " + min);
        }
    }

    /** The transaction coordinator's share of the broker configs, with Kafka's names, defaults and ranges. */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(STATE_LOG_NUM_PARTITIONS, Type.INT, 50, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "Partitions of __transaction_state when it is created (an existing topic's count wins).")
            .define(STATE_LOG_REPLICATION_FACTOR, Type.SHORT, (short) 3, ConfigDef.Range.atLeast(1),
                    Importance.HIGH, "Replication factor of __transaction_state (capped at the live brokers).")
            .define(STATE_LOG_MIN_ISR, Type.INT, 2, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "min.insync.replicas of __transaction_state.")
            .define(STATE_LOG_SEGMENT_BYTES, Type.INT, 104857600, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "segment.bytes of __transaction_state.")
            .define(MAX_TIMEOUT_MS, Type.INT, 900000, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "The largest transaction.timeout.ms a producer may ask for.")
            .define(TRANSACTIONAL_ID_EXPIRATION_MS, Type.INT, 604800000, ConfigDef.Range.atLeast(1),
                    Importance.HIGH, "A transactional id without updates for this long is expired.")
            .define(ABORT_TIMED_OUT_INTERVAL_MS, Type.INT, 10000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "How often transactions past their timeout are looked for and aborted.")
            .define(REMOVE_EXPIRED_INTERVAL_MS, Type.INT, 3600000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "How often expired transactional ids are looked for and removed.");

    /** Kafka's defaults. */
    public static TransactionConfig defaults() {
        return from(ConfigValues.parse(CONFIG_DEF, Map.of()));
    }

    /** The settings from values parsed with a definition that includes {@link #CONFIG_DEF}. */
    public static TransactionConfig from(ConfigValues v) {
        return new TransactionConfig(
                v.getInt(STATE_LOG_NUM_PARTITIONS),
                v.getShort(STATE_LOG_REPLICATION_FACTOR),
                v.getInt(STATE_LOG_MIN_ISR),
                v.getInt(STATE_LOG_SEGMENT_BYTES),
                v.getInt(MAX_TIMEOUT_MS),
                v.getInt(TRANSACTIONAL_ID_EXPIRATION_MS),
                v.getInt(ABORT_TIMED_OUT_INTERVAL_MS),
                v.getInt(REMOVE_EXPIRED_INTERVAL_MS),
                intIfDefined(v, REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS),
                intIfDefined(v, OFFSETS_TOPIC_NUM_PARTITIONS, DEFAULT_OFFSETS_TOPIC_PARTITIONS));
    }

    private static int intIfDefined(ConfigValues v, String name, int otherwise) {
        return v.parsed().get(name) instanceof Integer value ? value : otherwise;
    }

    /** This config with another {@code __transaction_state} partition count (an existing topic's wins). */
    public TransactionConfig withStateLogPartitions(int partitions) {
        return new TransactionConfig(partitions, stateLogReplicationFactor, stateLogMinIsr, stateLogSegmentBytes,
                maxTimeoutMs, transactionalIdExpirationMs, abortTimedOutIntervalMs, removeExpiredIntervalMs,
                commitTimeoutMs, offsetsTopicPartitions);
    }

    /** This config with the {@code __consumer_offsets} partition count of the existing topic. */
    public TransactionConfig withOffsetsTopicPartitions(int partitions) {
        return new TransactionConfig(stateLogPartitions, stateLogReplicationFactor, stateLogMinIsr,
                stateLogSegmentBytes, maxTimeoutMs, transactionalIdExpirationMs, abortTimedOutIntervalMs,
                removeExpiredIntervalMs, commitTimeoutMs, partitions);
    }

    /** This config with another commit timeout (tests). */
    public TransactionConfig withCommitTimeoutMs(int timeoutMs) {
        return new TransactionConfig(stateLogPartitions, stateLogReplicationFactor, stateLogMinIsr,
                stateLogSegmentBytes, maxTimeoutMs, transactionalIdExpirationMs, abortTimedOutIntervalMs,
                removeExpiredIntervalMs, timeoutMs, offsetsTopicPartitions);
    }
}
