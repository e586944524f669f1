package io.herald.broker;

import io.herald.broker.config.TopicConfigs;
import io.herald.broker.group.GroupConfig;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's static configuration, by Kafka's config names and defaults. Parsed once at startup; a bad
 * value fails startup with a {@link ConfigException} naming the config. Unknown names are logged and
 * ignored, as Kafka does, so a Kafka {@code server.properties} works unchanged.
 *
 * <p>Topic-level defaults ({@code log.retention.ms}, {@code log.segment.bytes}, …) are kept as given in
 * {@link #originals()} and resolved per topic by {@link TopicConfigs}.
 */
public final class BrokerConfig {
    private static final Logger log = LoggerFactory.getLogger(BrokerConfig.class);

    public static final String NODE_ID = "node.id";
    public static final String PROCESS_ROLES = "process.roles";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String NUM_IO_THREADS = "num.io.threads";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.offset.checkpoint.interval.ms";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String BROKER_RACK = "broker.rack";
    public static final String CLUSTER_ID = "cluster.id";

    /** Broker configs that Kafka lets IncrementalAlterConfigs change at runtime (cluster-wide defaults). */
    public static final Set<String> DYNAMIC;

    private static final ConfigDef DEF = new ConfigDef()
            .define(NODE_ID, Type.INT, 1, ConfigDef.Range.atLeast(0), Importance.HIGH, "This broker's id.")
            .define(PROCESS_ROLES, Type.LIST, "broker,controller", Importance.HIGH, "broker, controller, or both.")
            .define(LISTENERS, Type.STRING, "PLAINTEXT://127.0.0.1:9092", Importance.HIGH, "Client listener.")
            .define(ADVERTISED_LISTENERS, Type.STRING, null, Importance.HIGH, "Address given to clients.")
            .define(LOG_DIRS, Type.LIST, null, Importance.HIGH, "Data directories.")
            .define(LOG_DIR, Type.STRING, "./data", Importance.HIGH, "Data directory when log.dirs is unset.")
            .define(NUM_PARTITIONS, Type.INT, 1, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Partitions of auto-created topics.")
            .define(DEFAULT_REPLICATION_FACTOR, Type.SHORT, (short) 1, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, "Replication factor of auto-created topics.")
            .define(AUTO_CREATE_TOPICS_ENABLE, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Create a topic when a client asks for metadata of a missing one.")
            .define(DELETE_TOPIC_ENABLE, Type.BOOLEAN, true, Importance.MEDIUM, "Allow DeleteTopics.")
            .define(SOCKET_REQUEST_MAX_BYTES, Type.INT, 104857600, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Largest request frame accepted; larger ones close the connection.")
            .define(NUM_NETWORK_THREADS, Type.INT, 0, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Netty worker loops; 0 means one per core.")
            .define(NUM_IO_THREADS, Type.INT, 8, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Threads that run requests which touch the disk.")
            .define(CONNECTIONS_MAX_IDLE_MS, Type.LONG, 600000L, Importance.LOW, "Idle connections are closed.")
            .define(LOG_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 300000L, ConfigDef.Range.atLeast(1),
                    Importance.LOW, "How often retention runs.")
            .define(LOG_FLUSH_SCHEDULER_INTERVAL_MS, Type.LONG, Long.MAX_VALUE, ConfigDef.Range.atLeast(1),
                    Importance.LOW, "How often the flusher checks flush.ms.")
            .define(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, Type.INT, 60000, ConfigDef.Range.atLeast(0),
                    Importance.LOW, "How often recovery points are checkpointed.")
            .define(LOG_CLEANER_BACKOFF_MS, Type.LONG, 15000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Compaction pause when there is nothing to clean.")
            .define(BROKER_RACK, Type.STRING, null, Importance.LOW, "Rack of this broker.")
            .define(CLUSTER_ID, Type.STRING, null, Importance.LOW,
                    "Cluster id; generated and stored in meta.properties on first start when unset.");

    static {
        Set<String> dynamic = new HashSet<>();
        for (TopicConfigs.Key key : TopicConfigs.keys().values()) {
            dynamic.addAll(key.brokerSynonyms());
        }
        DYNAMIC = Set.copyOf(dynamic);
    }

    private final Map<String, String> originals;
    private final Map<String, Object> values;
    private final Listener listener;
    private final Listener advertised;

    private BrokerConfig(Map<String, String> originals) {
        this.originals = Map.copyOf(originals);
        this.values = DEF.parse(originals);
        for (String name : originals.keySet()) {
            if (!DEF.names().contains(name) && !DYNAMIC.contains(name) && !GroupConfig.NAMES.contains(name)) {
                log.info("Ignoring config {}: Herald does not use it", name);
            }
        }
        for (String name : DYNAMIC) {
            if (originals.containsKey(name)) {
                String topicName = TopicConfigs.keys().values().stream()
                        .filter(k -> k.brokerSynonyms().contains(name)).findFirst().orElseThrow().name();
                validateSynonym(name, topicName, originals.get(name));
            }
        }
        this.listener = Listener.parse(LISTENERS, (String) values.get(LISTENERS));
        String advertisedValue = (String) values.get(ADVERTISED_LISTENERS);
        this.advertised = advertisedValue == null ? listener : Listener.parse(ADVERTISED_LISTENERS, advertisedValue);
    }

    /** Parses and validates; {@link ConfigException} names the bad config. */
    public static BrokerConfig from(Map<String, String> props) {
        return new BrokerConfig(props);
    }

    private static void validateSynonym(String name, String topicName, String value) {
        String asTopicValue = value;
        if (name.endsWith(".minutes") || name.endsWith(".hours")) {
            ConfigDef.parseType(name, value, Type.LONG);
            return;
        }
        try {
            TopicConfigs.validate(topicName, asTopicValue);
        } catch (ConfigException e) {
            throw new ConfigException(name, value, e.getMessage());
        }
    }

    public Map<String, String> originals() {
        return originals;
    }

    /** All static configs with their effective values, for DescribeConfigs on a broker. */
    public Map<String, String> effectiveValues() {
        Map<String, String> all = new TreeMap<>();
        for (String name : DEF.names()) {
            Object v = values.get(name);
            all.put(name, v == null ? null : v instanceof List<?> l ? String.join(",", l.stream().map(Object::toString).toList()) : v.toString());
        }
        return all;
    }

    public boolean isDefault(String name) {
        return !originals.containsKey(name);
    }

    public int nodeId() {
        return (Integer) values.get(NODE_ID);
    }

    public Listener listener() {
        return listener;
    }

    public Listener advertisedListener() {
        return advertised;
    }

    @SuppressWarnings("unchecked")
    public List<Path> logDirs() {
        List<String> dirs = (List<String>) values.get(LOG_DIRS);
        if (dirs == null || dirs.isEmpty()) {
            return List.of(Path.of((String) values.get(LOG_DIR)));
        }
        return dirs.stream().map(Path::of).toList();
    }

    public int numPartitions() {
        return (Integer) values.get(NUM_PARTITIONS);
    }

    public short defaultReplicationFactor() {
        return (Short) values.get(DEFAULT_REPLICATION_FACTOR);
    }

    public boolean autoCreateTopicsEnable() {
        return (Boolean) values.get(AUTO_CREATE_TOPICS_ENABLE);
    }

    public boolean deleteTopicEnable() {
        return (Boolean) values.get(DELETE_TOPIC_ENABLE);
    }

    public int socketRequestMaxBytes() {
        return (Integer) values.get(SOCKET_REQUEST_MAX_BYTES);
    }

    public int numNetworkThreads() {
        return (Integer) values.get(NUM_NETWORK_THREADS);
    }

    public int numIoThreads() {
        return (Integer) values.get(NUM_IO_THREADS);
    }

    public long connectionsMaxIdleMs() {
        return (Long) values.get(CONNECTIONS_MAX_IDLE_MS);
    }

    public long retentionCheckIntervalMs() {
        return (Long) values.get(LOG_RETENTION_CHECK_INTERVAL_MS);
    }

    public long flushSchedulerIntervalMs() {
        return (Long) values.get(LOG_FLUSH_SCHEDULER_INTERVAL_MS);
    }

    public long flushCheckpointIntervalMs() {
        return (Integer) values.get(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS);
    }

    public long cleanerBackoffMs() {
        return (Long) values.get(LOG_CLEANER_BACKOFF_MS);
    }

    public java.util.Optional<String> rack() {
        return java.util.Optional.ofNullable((String) values.get(BROKER_RACK));
    }

    public java.util.Optional<String> clusterId() {
        return java.util.Optional.ofNullable((String) values.get(CLUSTER_ID));
    }

    /** A {@code PLAINTEXT://host:port} listener. */
    public record Listener(String host, int port) {
        static Listener parse(String name, String value) {
            String v = value.trim();
            int comma = v.indexOf(',');
            if (comma >= 0) {
                v = v.substring(0, comma).trim();
            }
            String prefix = "PLAINTEXT://";
            if (!v.startsWith(prefix)) {
                throw new ConfigException(name, value, "only a PLAINTEXT://host:port listener is supported");
            }
            String hostPort = v.substring(prefix.length());
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw new ConfigException(name, value, "expected PLAINTEXT://host:port");
            }
            String host = hostPort.substring(0, colon);
            try {
                int port = Integer.parseInt(hostPort.substring(colon + 1));
                if (port < 0 || port > 65535) {
                    throw new ConfigException(name, value, "port out of range (expected: 0 to 65535)");
                }
                return new Listener(host.isEmpty() ? "0.0.0.0" : host, port);
            } catch (NumberFormatException e) {
                throw new ConfigException(name, value, "port is not a number");
            }
        }
    }
}
