package io.herald.broker;

import io.herald.common.config.ConfigValues;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The request handlers' share of the broker configs, with Kafka's names, defaults and ranges.
 *
 * @param numIoThreads             {@code num.io.threads} (8): threads for requests that touch the disk
 * @param numPartitions            {@code num.partitions} (1): partitions of auto-created topics and of
 *                                 CreateTopics without a count
 * @param defaultReplicationFactor {@code default.replication.factor} (1)
 * @param autoCreateTopicsEnable   {@code auto.create.topics.enable} (true): Metadata for a missing topic
 *                                 creates it
 * @param deleteTopicEnable        {@code delete.topic.enable} (true)
 * @param fetchSessionCacheSlots   {@code max.incremental.fetch.session.cache.slots} (1000): incremental fetch
 *                                 sessions (KIP-227) kept; 0 turns them off
 * @param requestTimeoutMs         {@code request.timeout.ms} (30000): how long this broker waits for another
 *                                 broker's answer (transaction markers, verification), and how long a transaction
 *                                 marker waits for the ISR
 * @param addPartitionsRetryBackoffMs    {@code add.partitions.to.txn.retry.backoff.ms} (20): when verifying a
 *                                 transactional produce finds the previous transaction still completing
 *                                 (CONCURRENT_TRANSACTIONS), ask the coordinator again after this long...
 * @param addPartitionsRetryBackoffMaxMs {@code add.partitions.to.txn.retry.backoff.max.ms} (100): ...for at most
 *                                 this long, before the producer gets the error
 * @param maxRequestPartitionSizeLimit {@code max.request.partition.size.limit} (2000): the most partitions one
 *                                 DescribeTopicPartitions answer holds
 */
public record BrokerSettings(int numIoThreads, int numPartitions, short defaultReplicationFactor,
                             boolean autoCreateTopicsEnable, boolean deleteTopicEnable, int fetchSessionCacheSlots,
                             int requestTimeoutMs, int addPartitionsRetryBackoffMs,
                             int addPartitionsRetryBackoffMaxMs, int maxRequestPartitionSizeLimit) {
    public static final String NUM_IO_THREADS = "num.io.threads";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    public static final String MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS = "max.incremental.fetch.session.cache.slots";
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    public static final String ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MS = "add.partitions.to.txn.retry.backoff.ms";
    public static final String ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MAX_MS =
            "add.partitions.to.txn.retry.backoff.max.ms";

    public static final String MAX_REQUEST_PARTITION_SIZE_LIMIT = "max.request.partition.size.limit";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(NUM_IO_THREADS, Type.INT, 8, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Threads that run requests which touch the disk.")
            .define(NUM_PARTITIONS, Type.INT, 1, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Partitions of auto-created topics.")
            .define(DEFAULT_REPLICATION_FACTOR, Type.SHORT, (short) 1, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, "Replication factor of auto-created topics.")
            .define(AUTO_CREATE_TOPICS_ENABLE, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Create a topic when a client asks for metadata of a missing one.")
            .define(DELETE_TOPIC_ENABLE, Type.BOOLEAN, true, Importance.MEDIUM, "Allow DeleteTopics.")
            .define(MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS, Type.INT, 1000, ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM, "Incremental fetch sessions (KIP-227) kept at once; 0 turns them off.")
            .define(REQUEST_TIMEOUT_MS, Type.INT, 30000, ConfigDef.Range.atLeast(0), Importance.HIGH,
                    "How long a request to another broker, or a transaction marker's replication, may take.")
            .define(ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MS, Type.INT, 20, ConfigDef.Range.atLeast(1),
                    Importance.LOW, "Pause before a partition leader asks a transaction coordinator again after "
                            + "CONCURRENT_TRANSACTIONS.")
            .define(ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MAX_MS, Type.INT, 100, ConfigDef.Range.atLeast(0),
                    Importance.LOW, "How long a partition leader keeps asking before the producer gets "
                            + "CONCURRENT_TRANSACTIONS.")
            .define(MAX_REQUEST_PARTITION_SIZE_LIMIT, Type.INT, 2000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "The most partitions one DescribeTopicPartitions answer holds.");

    /** Kafka's defaults. */
    public static BrokerSettings defaults() {
        return from(ConfigValues.parse(CONFIG_DEF, Map.of()));
    }

    /** From values parsed with a definition that includes {@link #CONFIG_DEF}. */
    public static BrokerSettings from(ConfigValues v) {
        return new BrokerSettings(v.getInt(NUM_IO_THREADS), v.getInt(NUM_PARTITIONS),
                v.getShort(DEFAULT_REPLICATION_FACTOR), v.getBoolean(AUTO_CREATE_TOPICS_ENABLE),
                v.getBoolean(DELETE_TOPIC_ENABLE), v.getInt(MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS),
                v.getInt(REQUEST_TIMEOUT_MS), v.getInt(ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MS),
                v.getInt(ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MAX_MS), v.getInt(MAX_REQUEST_PARTITION_SIZE_LIMIT));
    }
}
