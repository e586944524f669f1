package io.herald.broker;

import io.herald.storage.config.TopicConfigs;
import io.herald.group.GroupConfig;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 *
 * <p>Cluster shape (KRaft names): {@code process.roles}, {@code controller.quorum.voters} ({@code id@host:port,...})
 * and named {@code listeners} ({@code PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093}); the names in
 * {@code controller.listener.names} mark the controller listener, the first other listener serves clients.
 * Without voters the node is a single-node cluster (a quorum of one) and must run both roles, exactly as
 * {@code bin/herald start} does with no config. With voters, the checks Kafka makes apply: a controller is one
 * of the voters and has a controller listener; a broker-only node is not a voter and does not listen on a
 * controller listener. Only PLAINTEXT listeners exist in Herald.
 *
 * <p>Immutable and thread-safe.
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
    public static final String MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS = "max.incremental.fetch.session.cache.slots";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.offset.checkpoint.interval.ms";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String BROKER_RACK = "broker.rack";
    public static final String CLUSTER_ID = "cluster.id";
    public static final String CONTROLLER_QUORUM_VOTERS = "controller.quorum.voters";
    public static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";
    public static final String LISTENER_SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    public static final String METADATA_LOG_DIR = "metadata.log.dir";
    public static final String BROKER_HEARTBEAT_INTERVAL_MS = "broker.heartbeat.interval.ms";
    public static final String BROKER_SESSION_TIMEOUT_MS = "broker.session.timeout.ms";
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    public static final String REPLICA_FETCH_MIN_BYTES = "replica.fetch.min.bytes";
    public static final String REPLICA_FETCH_BACKOFF_MS = "replica.fetch.backoff.ms";
    public static final String NUM_REPLICA_FETCHERS = "num.replica.fetchers";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";
    /** Also a topic config ({@code min.insync.replicas}); the broker value is the cluster-wide default. */
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    /** Also a topic config; the broker value is the cluster-wide default. */
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";

    /** Kafka's default {@code listener.security.protocol.map}: each security protocol names itself. */
    private static final String DEFAULT_SECURITY_PROTOCOL_MAP =
            "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL";
    private static final String PLAINTEXT = "PLAINTEXT";

    /** Broker configs that Kafka lets IncrementalAlterConfigs change at runtime (cluster-wide defaults). */
    public static final Set<String> DYNAMIC;

    private static final ConfigDef DEF = new ConfigDef()
            .define(NODE_ID, Type.INT, 1, ConfigDef.Range.atLeast(0), Importance.HIGH, "This broker's id.")
            .define(PROCESS_ROLES, Type.LIST, "broker,controller", Importance.HIGH, "broker, controller, or both.")
            .define(LISTENERS, Type.STRING, "PLAINTEXT://127.0.0.1:9092", Importance.HIGH,
                    "Named listeners, NAME://host:port,...: the client one and, on a controller, the controller one.")
            .define(ADVERTISED_LISTENERS, Type.STRING, null, Importance.HIGH,
                    "Addresses given to clients and other nodes, by listener name; default: listeners.")
            .define(CONTROLLER_LISTENER_NAMES, Type.LIST, "CONTROLLER", Importance.HIGH,
                    "Names of the listeners used by the controller (Raft) traffic.")
            .define(LISTENER_SECURITY_PROTOCOL_MAP, Type.LIST, DEFAULT_SECURITY_PROTOCOL_MAP, Importance.LOW,
                    "Listener name to security protocol; Herald supports PLAINTEXT only.")
            .define(CONTROLLER_QUORUM_VOTERS, Type.LIST, "", Importance.HIGH,
                    "The controller quorum, id@host:port,...; empty: a single-node cluster.")
            .define(METADATA_LOG_DIR, Type.STRING, null, Importance.HIGH,
                    "Where the metadata log lives; default: the first of log.dirs.")
            .define(BROKER_HEARTBEAT_INTERVAL_MS, Type.INT, 2000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "How often a broker heartbeats to the controller.")
            .define(BROKER_SESSION_TIMEOUT_MS, Type.INT, 9000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "A broker without a heartbeat for this long is fenced.")
            .define(REPLICA_LAG_TIME_MAX_MS, Type.LONG, 30000L, ConfigDef.Range.atLeast(0), Importance.HIGH,
                    "A follower not caught up for this long leaves the ISR.")
            .define(REPLICA_FETCH_MAX_BYTES, Type.INT, 1048576, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Bytes a follower asks for per partition.")
            .define(REPLICA_FETCH_WAIT_MAX_MS, Type.INT, 500, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "How long a follower's fetch may wait for data.")
            .define(REPLICA_FETCH_MIN_BYTES, Type.INT, 1, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Bytes a follower's fetch waits for.")
            .define(REPLICA_FETCH_BACKOFF_MS, Type.INT, 1000, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Pause after a follower's fetch fails.")
            .define(NUM_REPLICA_FETCHERS, Type.INT, 1, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "Fetcher threads per source broker.")
            .define(OFFSETS_TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 3, ConfigDef.Range.atLeast(1),
                    Importance.HIGH, "Replication factor of __consumer_offsets (capped at the live brokers).")
            .define(AUTO_LEADER_REBALANCE_ENABLE, Type.BOOLEAN, true, Importance.HIGH,
                    "Move leadership back to the preferred replica when it is imbalanced.")
            .define(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, Type.LONG, 300L, ConfigDef.Range.atLeast(1),
                    Importance.HIGH, "How often the controller checks leader imbalance.")
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
            .define(MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS, Type.INT, 1000, ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM, "Incremental fetch sessions (KIP-227) kept at once; 0 turns them off.")
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
    private final Set<ProcessRole> roles;
    private final Map<Integer, InetSocketAddress> voters;
    private final List<String> controllerListenerNames;
    private final Map<String, Listener> listeners;
    private final Map<String, Listener> advertisedListeners;
    private final Optional<String> clientListenerName;
    private final Optional<String> controllerListenerName;

    private BrokerConfig(Map<String, String> originals) {
        this.originals = Map.copyOf(originals);
        this.values = DEF.parse(originals);
        for (String name : originals.keySet()) {
            if (!DEF.names().contains(name) && !DYNAMIC.contains(name) && !GroupConfig.CONFIG_DEF.names().contains(name)) {
                log.info("Ignoring config {}: Herald does not use it", name);
            }
        }
        for (String name : DYNAMIC) {
            if (originals.containsKey(name)) {
                validateSynonym(name, originals.get(name));
            }
        }
        this.roles = ProcessRole.parse(list(PROCESS_ROLES));
        this.voters = parseVoters(String.join(",", list(CONTROLLER_QUORUM_VOTERS)));
        this.controllerListenerNames = list(CONTROLLER_LISTENER_NAMES).stream()
                .map(name -> name.toUpperCase(Locale.ROOT)).toList();
        Map<String, String> protocols = securityProtocols(originals.containsKey(LISTENER_SECURITY_PROTOCOL_MAP));
        this.listeners = parseListeners(LISTENERS, (String) values.get(LISTENERS), protocols);
        this.clientListenerName = listeners.keySet().stream()
                .filter(name -> !controllerListenerNames.contains(name)).findFirst();
        this.controllerListenerName = controllerListenerNames.stream().filter(listeners::containsKey).findFirst();
        String advertisedValue = (String) values.get(ADVERTISED_LISTENERS);
        this.advertisedListeners = advertisedValue == null ? listeners
                : parseListeners(ADVERTISED_LISTENERS, advertisedValue, protocols);
        validateClusterShape();
        if (replicaFetchWaitMaxMs() > replicaLagTimeMaxMs()) {
            throw new ConfigException(REPLICA_FETCH_WAIT_MAX_MS, replicaFetchWaitMaxMs(),
                    "must be at most " + REPLICA_LAG_TIME_MAX_MS + " (" + replicaLagTimeMaxMs()
                            + "), or followers drop out of the ISR while waiting");
        }
    }

    /** Kafka's KRaft rules tying roles, voters and listeners together. */
    private void validateClusterShape() {
        int nodeId = nodeId();
        if (isBroker() && clientListenerName.isEmpty()) {
            throw new ConfigException(LISTENERS, values.get(LISTENERS), "the broker role needs a listener not named in "
                    + CONTROLLER_LISTENER_NAMES + " " + controllerListenerNames);
        }
        Optional<String> advertisedClient = clientListenerName.filter(advertisedListeners::containsKey);
        if (clientListenerName.isPresent() && advertisedClient.isEmpty()) {
            throw new ConfigException(ADVERTISED_LISTENERS, values.get(ADVERTISED_LISTENERS),
                    "must advertise the client listener " + clientListenerName.get());
        }
        for (String name : advertisedListeners.keySet()) {
            if (!listeners.containsKey(name)) {
                throw new ConfigException(ADVERTISED_LISTENERS, values.get(ADVERTISED_LISTENERS),
                        "listener " + name + " is not in " + LISTENERS + " " + listeners.keySet());
            }
        }
        if (voters.isEmpty()) {
            if (!isBroker() || !isController()) {
                throw new ConfigException(PROCESS_ROLES, String.join(",", list(PROCESS_ROLES)),
                        "without " + CONTROLLER_QUORUM_VOTERS + " the node is a single-node cluster and must run "
                                + "both roles (expected: broker,controller)");
            }
            return;
        }
        if (isController()) {
            if (!isBroker() && clientListenerName.isPresent()) {
                throw new ConfigException(LISTENERS, values.get(LISTENERS), "a controller-only node listens only on "
                        + CONTROLLER_LISTENER_NAMES + " " + controllerListenerNames + ", not on "
                        + clientListenerName.get());
            }
            if (!voters.containsKey(nodeId)) {
                throw new ConfigException(CONTROLLER_QUORUM_VOTERS, String.join(",", list(CONTROLLER_QUORUM_VOTERS)),
                        "process.roles contains controller, so node.id " + nodeId + " must be one of the voters "
                                + voters.keySet());
            }
            if (controllerListenerName.isEmpty()) {
                throw new ConfigException(CONTROLLER_LISTENER_NAMES, String.join(",", controllerListenerNames),
                        "a controller needs one of these names in " + LISTENERS + " (" + values.get(LISTENERS) + ")");
            }
            int listenerPort = listeners.get(controllerListenerName.get()).port();
            int voterPort = voters.get(nodeId).getPort();
            if (listenerPort != 0 && listenerPort != voterPort) {
                log.warn("{} gives node {} port {} but its {} listener is on port {}; the other controllers will "
                                + "not reach it unless something forwards that port",
                        CONTROLLER_QUORUM_VOTERS, nodeId, voterPort, controllerListenerName.get(), listenerPort);
            }
        } else {
            if (voters.containsKey(nodeId)) {
                throw new ConfigException(CONTROLLER_QUORUM_VOTERS, String.join(",", list(CONTROLLER_QUORUM_VOTERS)),
                        "process.roles is broker only, so node.id " + nodeId + " must not be one of the voters");
            }
            if (controllerListenerName.isPresent()) {
                throw new ConfigException(LISTENERS, values.get(LISTENERS), "a broker-only node must not listen on "
                        + "the controller listener " + controllerListenerName.get());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private List<String> list(String name) {
        return (List<String>) values.get(name);
    }

    /**
     * Listener name to security protocol. As Kafka does, when the map is not configured a controller listener
     * whose name is not itself a security protocol (CONTROLLER) is PLAINTEXT.
     */
    private Map<String, String> securityProtocols(boolean configured) {
        Map<String, String> protocols = new HashMap<>();
        for (String entry : list(LISTENER_SECURITY_PROTOCOL_MAP)) {
            int colon = entry.indexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, entry,
                        "expected: LISTENER_NAME:PROTOCOL,...");
            }
            protocols.put(entry.substring(0, colon).trim().toUpperCase(Locale.ROOT),
                    entry.substring(colon + 1).trim().toUpperCase(Locale.ROOT));
        }
        if (!configured) {
            for (String name : controllerListenerNames) {
                protocols.putIfAbsent(name, PLAINTEXT);
            }
        }
        return protocols;
    }

    /** Parses and validates; {@link ConfigException} names the bad config. */
    public static BrokerConfig from(Map<String, String> props) {
        return new BrokerConfig(props);
    }

    private static void validateSynonym(String name, String value) {
        TopicConfigs.validateBrokerSynonym(name, value);
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

    /**
     * The client listener: the first of {@code listeners} not named in {@code controller.listener.names}.
     *
     * @throws IllegalStateException on a controller-only node, which serves no clients
     */
    public Listener listener() {
        return listeners.get(clientListenerName.orElseThrow(() ->
                new IllegalStateException("a controller-only node has no client listener")));
    }

    /** The client listener's address as given to clients and other brokers ({@code advertised.listeners}). */
    public Listener advertisedListener() {
        return advertisedListeners.get(clientListenerName.orElseThrow(() ->
                new IllegalStateException("a controller-only node has no client listener")));
    }

    /** The name of the client listener (PLAINTEXT in the shipped configs); empty on a controller-only node. */
    public Optional<String> clientListenerName() {
        return clientListenerName;
    }

    /**
     * Where this node's controller (the Raft server) listens: the first listener named in
     * {@code controller.listener.names}. Always present on a controller when voters are configured; empty on a
     * broker-only node and usually on a single-node cluster, which needs no controller port.
     */
    public Optional<Listener> controllerListener() {
        return controllerListenerName.map(listeners::get);
    }

    /** Every configured listener by name, in {@code listeners} order (immutable). */
    public Map<String, Listener> listeners() {
        return listeners;
    }

    /** {@code controller.listener.names} in the given order (default [CONTROLLER]). */
    public List<String> controllerListenerNames() {
        return controllerListenerNames;
    }

    /** {@code process.roles} (default broker and controller; immutable). */
    public Set<ProcessRole> processRoles() {
        return roles;
    }

    public boolean isBroker() {
        return roles.contains(ProcessRole.BROKER);
    }

    public boolean isController() {
        return roles.contains(ProcessRole.CONTROLLER);
    }

    /**
     * {@code controller.quorum.voters}: voter node id to its controller address, in the configured order
     * (immutable). The addresses are unresolved (no DNS lookup at config time): use
     * {@link InetSocketAddress#getHostString()} and {@link InetSocketAddress#getPort()}. Empty: single-node
     * cluster, a quorum of this node alone.
     */
    public Map<Integer, InetSocketAddress> quorumVoters() {
        return voters;
    }

    /** True when {@code controller.quorum.voters} is empty: this node is the whole cluster. */
    public boolean isSingleNode() {
        return voters.isEmpty();
    }

    /**
     * {@code metadata.log.dir}, else the first of {@link #logDirs()} (Kafka's rule). The metadata quorum keeps
     * its storage under {@code <this>/herald-metadata/}.
     */
    public Path metadataLogDir() {
        String dir = (String) values.get(METADATA_LOG_DIR);
        return dir == null || dir.isBlank() ? logDirs().get(0) : Path.of(dir);
    }

    public int brokerHeartbeatIntervalMs() {
        return (Integer) values.get(BROKER_HEARTBEAT_INTERVAL_MS);
    }

    public int brokerSessionTimeoutMs() {
        return (Integer) values.get(BROKER_SESSION_TIMEOUT_MS);
    }

    public long replicaLagTimeMaxMs() {
        return (Long) values.get(REPLICA_LAG_TIME_MAX_MS);
    }

    public int replicaFetchMaxBytes() {
        return (Integer) values.get(REPLICA_FETCH_MAX_BYTES);
    }

    public int replicaFetchWaitMaxMs() {
        return (Integer) values.get(REPLICA_FETCH_WAIT_MAX_MS);
    }

    public int replicaFetchMinBytes() {
        return (Integer) values.get(REPLICA_FETCH_MIN_BYTES);
    }

    public int replicaFetchBackoffMs() {
        return (Integer) values.get(REPLICA_FETCH_BACKOFF_MS);
    }

    public int numReplicaFetchers() {
        return (Integer) values.get(NUM_REPLICA_FETCHERS);
    }

    /** {@code offsets.topic.replication.factor} as configured (3); the controller caps it at the live brokers. */
    public short offsetsTopicReplicationFactor() {
        return (Short) values.get(OFFSETS_TOPIC_REPLICATION_FACTOR);
    }

    public boolean autoLeaderRebalanceEnable() {
        return (Boolean) values.get(AUTO_LEADER_REBALANCE_ENABLE);
    }

    public long leaderImbalanceCheckIntervalSeconds() {
        return (Long) values.get(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS);
    }

    /**
     * The static broker default of {@code min.insync.replicas} (1). A topic's effective value may differ (topic
     * override, dynamic broker default): resolve it with {@link TopicConfigs#resolve}.
     */
    public int minInsyncReplicas() {
        return Integer.parseInt(staticTopicDefault(MIN_INSYNC_REPLICAS, "min.insync.replicas").trim());
    }

    /**
     * The static broker default of {@code unclean.leader.election.enable} (false). A topic's effective value may
     * differ: resolve it with {@link TopicConfigs#resolve}.
     */
    public boolean uncleanLeaderElectionEnable() {
        return Boolean.parseBoolean(staticTopicDefault(UNCLEAN_LEADER_ELECTION_ENABLE,
                "unclean.leader.election.enable").trim());
    }

    /** A broker synonym of a topic config, validated in the constructor: the static value or Kafka's default. */
    private String staticTopicDefault(String brokerName, String topicName) {
        String value = originals.get(brokerName);
        return value != null ? value : TopicConfigs.key(topicName).orElseThrow().defaultValue();
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

    public int maxIncrementalFetchSessionCacheSlots() {
        return (Integer) values.get(MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS);
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

    /** The roles of a node ({@code process.roles}). */
    public enum ProcessRole {
        BROKER, CONTROLLER;

        static Set<ProcessRole> parse(List<String> names) {
            if (names.isEmpty()) {
                throw new ConfigException(PROCESS_ROLES, "", "expected: broker, controller, or broker,controller");
            }
            EnumSet<ProcessRole> roles = EnumSet.noneOf(ProcessRole.class);
            for (String name : names) {
                ProcessRole role = switch (name) {
                    case "broker" -> BROKER;
                    case "controller" -> CONTROLLER;
                    default -> throw new ConfigException(PROCESS_ROLES, String.join(",", names),
                            "unknown role '" + name + "' (expected: broker, controller, or broker,controller)");
                };
                if (!roles.add(role)) {
                    throw new ConfigException(PROCESS_ROLES, String.join(",", names), "duplicate role '" + name + "'");
                }
            }
            return Collections.unmodifiableSet(roles);
        }
    }

    /**
     * Parses {@code controller.quorum.voters}: {@code id@host:port,...}, IPv6 hosts in brackets
     * ({@code 1@[::1]:9093}). Order is kept; ids are unique; ports are 1 to 65535 (the other voters connect to
     * them, so 0 cannot work).
     *
     * @throws ConfigException naming the bad entry
     */
    public static Map<Integer, InetSocketAddress> parseVoters(String value) {
        Map<Integer, InetSocketAddress> voters = new LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return Map.of();
        }
        for (String raw : value.split(",")) {
            String entry = raw.trim();
            int at = entry.indexOf('@');
            if (at <= 0) {
                throw failVoter(value, entry, "expected id@host:port");
            }
            int id;
            try {
                id = Integer.parseInt(entry.substring(0, at));
            } catch (NumberFormatException e) {
                throw failVoter(value, entry, "node id is not a number");
            }
            if (id < 0) {
                throw failVoter(value, entry, "node id must be >= 0");
            }
            HostPort address = HostPort.parse(entry.substring(at + 1))
                    .orElseThrow(() -> failVoter(value, entry, "expected id@host:port"));
            if (address.host().isEmpty()) {
                throw failVoter(value, entry, "host is missing");
            }
            if (address.port() < 1 || address.port() > 65535) {
                throw failVoter(value, entry, "port out of range (expected: 1 to 65535)");
            }
            if (voters.putIfAbsent(id, InetSocketAddress.createUnresolved(address.host(), address.port())) != null) {
                throw failVoter(value, entry, "node id " + id + " is listed twice");
            }
        }
        return Collections.unmodifiableMap(voters);
    }

    private static ConfigException failVoter(String value, String entry, String why) {
        return new ConfigException(CONTROLLER_QUORUM_VOTERS, value, "bad voter '" + entry + "': " + why);
    }

    /**
     * Parses {@code NAME://host:port,...} into listeners by name, in order. Names are unique, non-zero ports are
     * unique, and every listener must be PLAINTEXT (by name or through {@code listener.security.protocol.map}).
     */
    private static Map<String, Listener> parseListeners(String config, String value, Map<String, String> protocols) {
        Map<String, Listener> parsed = new LinkedHashMap<>();
        Set<Integer> ports = new HashSet<>();
        for (String raw : value.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int scheme = entry.indexOf("://");
            if (scheme <= 0) {
                throw new ConfigException(config, value, "bad listener '" + entry + "' (expected: NAME://host:port)");
            }
            String name = entry.substring(0, scheme).toUpperCase(Locale.ROOT);
            String protocol = protocols.get(name);
            if (protocol == null) {
                throw new ConfigException(config, value, "no security protocol for listener " + name
                        + " in " + LISTENER_SECURITY_PROTOCOL_MAP);
            }
            if (!protocol.equals(PLAINTEXT)) {
                throw new ConfigException(config, value, "listener " + name + " is " + protocol
                        + ": only PLAINTEXT listeners are supported");
            }
            Listener listener = Listener.parse(config, value, entry.substring(scheme + 3));
            if (parsed.put(name, listener) != null) {
                throw new ConfigException(config, value, "listener name " + name + " is used twice");
            }
            if (listener.port() != 0 && !ports.add(listener.port())) {
                throw new ConfigException(config, value, "port " + listener.port() + " is used by two listeners");
            }
        }
        if (parsed.isEmpty()) {
            throw new ConfigException(config, value, "expected at least one NAME://host:port listener");
        }
        return Collections.unmodifiableMap(parsed);
    }

    /** A {@code host:port} (host possibly empty, or an IPv6 address in brackets). */
    private record HostPort(String host, int port) {
        static Optional<HostPort> parse(String hostPort) {
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                return Optional.of(new HostPort(host, Integer.parseInt(hostPort.substring(colon + 1))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    /** The address part of a {@code NAME://host:port} listener; an empty host binds every interface. */
    public record Listener(String host, int port) {
        static Listener parse(String name, String value, String hostPort) {
            HostPort parsed = HostPort.parse(hostPort)
                    .orElseThrow(() -> new ConfigException(name, value, "expected NAME://host:port, port a number"));
            if (parsed.port() < 0 || parsed.port() > 65535) {
                throw new ConfigException(name, value, "port out of range (expected: 0 to 65535)");
            }
            return new Listener(parsed.host().isEmpty() ? "0.0.0.0" : parsed.host(), parsed.port());
        }
    }
}
