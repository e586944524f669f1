package io.herald.broker;

import io.herald.storage.config.TopicConfigs;
import io.herald.broker.fetch.FetchSessionCache;
import io.herald.broker.handler.ClusterHandler;
import io.herald.broker.handler.ConfigsHandler;
import io.herald.broker.handler.FetchHandler;
import io.herald.broker.handler.MetadataHandler;
import io.herald.broker.handler.OffsetsHandler;
import io.herald.broker.handler.ProduceHandler;
import io.herald.broker.handler.ReassignmentHandler;
import io.herald.broker.handler.ProducerIdHandler;
import io.herald.broker.handler.QuorumHandler;
import io.herald.broker.handler.TopicsHandler;
import io.herald.group.GroupConfig;
import io.herald.group.GroupCoordinator;
import io.herald.group.OffsetsTopic;
import io.herald.broker.group.OffsetsTopicCreator;
import io.herald.broker.coordinator.InternalTopicLeadership;
import io.herald.broker.coordinator.PartitionCoordinatorLog;
import io.herald.group.record.GroupCoordinatorRecordSerde;
import io.herald.broker.group.handler.ClassicGroupHandler;
import io.herald.broker.group.handler.ConsumerGroupHandler;
import io.herald.broker.group.handler.FindCoordinatorHandler;
import io.herald.broker.group.handler.GroupAdminHandler;
import io.herald.broker.group.handler.GroupOffsetsHandler;
import io.herald.common.config.ConfigValues;
import io.herald.common.purgatory.Purgatory;
import io.herald.common.timer.SystemTimer;
import io.herald.broker.replica.AlterPartitionChannel;
import io.herald.broker.replica.ReplicaManager;
import io.herald.common.purgatory.Purgatory;
import io.herald.common.timer.SystemTimer;
import io.herald.metadata.controller.MetadataController;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.ApiRegistry;
import io.herald.protocol.KafkaServer;
import io.herald.protocol.ServerConfig;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.LogManager;
import io.herald.storage.log.LogManagerConfig;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Herald broker: wires storage, metadata, the replica manager, the request handlers and the network server,
 * and owns their lifecycle. A single node is a cluster of one: this process is also the controller. On a
 * combined {@code broker,controller} node it is also a voter of the metadata quorum; on a broker-only node it
 * follows the quorum's log as an observer (see {@link MetadataQuorums}).
 *
 * <p>Startup order: identity ({@code meta.properties}), metadata (replay), logs (recovery), partitions, then
 * the listener, so no request is served before the data it needs is ready. Shutdown runs in reverse and ends
 * with the logs' clean-shutdown marker, which lets the next start skip recovery.
 */
public final class Broker implements HeraldNode {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    private final BrokerConfig config;
    private final MetaProperties meta;
    private final LogManager logManager;
    private final MetadataController controller;
    private final ExecutorService requestPool;
    private final SystemTimer timer;
    private final Purgatory<TopicPartition> fetchPurgatory;
    private final KafkaServer server;
    private final GroupCoordinator groupCoordinator;
    private final ReplicaManager replicas;
    private final FetchSessionCache fetchSessions;

    private Broker(BrokerConfig config, MetaProperties meta, LogManager logManager, MetadataController controller,
                   ExecutorService requestPool, SystemTimer timer, Purgatory<TopicPartition> fetchPurgatory,
                   KafkaServer server,
                   GroupCoordinator groupCoordinator, ReplicaManager replicas, FetchSessionCache fetchSessions) {
        this.config = config;
        this.meta = meta;
        this.logManager = logManager;
        this.controller = controller;
        this.requestPool = requestPool;
        this.timer = timer;
        this.fetchPurgatory = fetchPurgatory;
        this.server = server;
        this.groupCoordinator = groupCoordinator;
        this.replicas = replicas;
        this.fetchSessions = fetchSessions;
    }

    /** Starts a broker; when this returns, it serves requests on {@link #boundPort()}. */
    public static Broker start(BrokerConfig config) throws Exception {
        return start(config, null);
    }

    /**
     * Starts a broker whose partition leaders send ISR changes through {@code alterPartition} (tests), or
     * through the metadata controller when it is null.
     */
    public static Broker start(BrokerConfig config, AlterPartitionChannel alterPartition) throws Exception {
        if (!config.isBroker()) {
            throw new IllegalArgumentException("a Broker needs the broker role (process.roles=" + config.processRoles()
                    + "); a controller-only node is a ControllerNode, see HeraldNode.start");
        }
        MetaProperties meta = MetaProperties.loadOrCreate(config.logDirs().get(0), config.nodeId(),
                config.clusterId());
        // Metadata first: recovering a log needs its topic's config (compaction, limits), which lives there.
        MetadataController controller = MetadataQuorums.startController(config, meta);
        LogConfig defaults = TopicConfigs.logConfigOrDefaults("(broker defaults)", Map.of(), Map.of(),
                config.originals());
        ClusterImage startImage = controller.image();
        LogManager logManager = new LogManager(config.logDirs(), defaults,
                new LogManagerConfig(config.retentionCheckIntervalMs(), config.flushSchedulerIntervalMs(),
                        config.flushCheckpointIntervalMs(), config.cleanerBackoffMs()),
                io.herald.common.time.Time.SYSTEM,
                topic -> startImage.topic(topic).map(t -> TopicConfigs.logConfigOrDefaults(topic, t.configs(),
                        startImage.brokerConfigs(), config.originals())).orElse(defaults));
        logManager.startup();
        // One timer for every deadline of the node (parked fetches, acks=all produces, DeleteRecords).
        SystemTimer timer = new SystemTimer("broker-" + config.nodeId());
        ReplicaManager replicas = new ReplicaManager(config.nodeId(), logManager, config.originals(),
                alterPartition != null ? alterPartition : controller::alterPartition, Time.SYSTEM, timer);
        // Groups are placed on the partitions the offsets topic has (created lazily with the configured count).
        GroupConfig configuredGroups = GroupConfig.from(ConfigValues.parse(GroupConfig.CONFIG_DEF, config.originals()));
        GroupConfig groupConfig = startImage.topic(OffsetsTopic.NAME)
                .map(t -> configuredGroups.withOffsetsTopicPartitions(t.partitionCount())).orElse(configuredGroups);
        GroupCoordinator groups = GroupCoordinator.start(groupConfig, new PartitionCoordinatorLog<>(OffsetsTopic.NAME,
                replicas, GroupCoordinatorRecordSerde.INSTANCE, System::currentTimeMillis),
                io.herald.common.time.Time.SYSTEM, timer);
        // Before the partitions start, so the coordinator hears of the __consumer_offsets partitions led here.
        replicas.addLeadershipListener(new InternalTopicLeadership(OffsetsTopic.NAME, groups));
        // Register before the partitions so placement (round-robin over brokers) has this broker to place on.
        BrokerConfig.Listener advertised = config.advertisedListener();
        controller.registerBroker(config.nodeId(), advertised.host(), advertised.port(), config.rack());
        controller.startHeartbeats(config.nodeId());
        replicas.startup(controller.image());
        controller.addListener(replicas);

        ExecutorService pool = Executors.newFixedThreadPool(config.numIoThreads(), new NamedThreads("herald-request"));
        Purgatory<TopicPartition> fetchPurgatory = new Purgatory<>("fetch", timer);
        replicas.addAppendListener(fetchPurgatory::checkAndComplete);
        OffsetsTopicCreator offsetsTopic = new OffsetsTopicCreator(controller::image,
                (name, partitions, replicationFactor, configs) -> controller.createTopic(name, partitions,
                        replicationFactor, configs, false), groupConfig, pool);
        FetchSessionCache fetchSessions = new FetchSessionCache(config.maxIncrementalFetchSessionCacheSlots(),
                Time.SYSTEM);
        ApiRegistry registry = registry(config, logManager, controller, replicas, pool, fetchPurgatory, fetchSessions,
                groups,
                offsetsTopic);
        KafkaServer server = new KafkaServer(new ServerConfig(config.listener().host(), config.listener().port(),
                config.numNetworkThreads(), config.socketRequestMaxBytes(), (int) Math.min(Integer.MAX_VALUE,
                config.connectionsMaxIdleMs())), registry);
        server.start();
        if (advertised.port() == 0) {
            controller.registerBroker(config.nodeId(), advertised.host(), server.boundPort(), config.rack());
        }
        log.info("Broker {} serving on {}:{}", config.nodeId(), config.listener().host(), server.boundPort());
        return new Broker(config, meta, logManager, controller, pool, timer, fetchPurgatory, server, groups,
                replicas, fetchSessions);
    }

    private static ApiRegistry registry(BrokerConfig config, LogManager logManager, MetadataController controller,
                                        ReplicaManager replicas, ExecutorService pool,
                                        Purgatory<TopicPartition> fetchPurgatory, FetchSessionCache fetchSessions,
                                        GroupCoordinator groups,
                                        OffsetsTopicCreator offsetsTopic) {
        TopicsHandler topics = new TopicsHandler(controller, new TopicsHandler.Settings(config.numPartitions(),
                config.defaultReplicationFactor(), config.deleteTopicEnable(), config.originals()), pool);
        ConfigsHandler configs = new ConfigsHandler(controller, config, pool);
        OffsetsHandler offsets = new OffsetsHandler(replicas, pool);
        ClusterHandler cluster = new ClusterHandler(controller, logManager, config.nodeId(), pool);
        ClassicGroupHandler classic = new ClassicGroupHandler(groups);
        GroupOffsetsHandler groupOffsets = new GroupOffsetsHandler(groups, controller::image);
        GroupAdminHandler groupAdmin = new GroupAdminHandler(groups);
        ConsumerGroupHandler consumerGroups = new ConsumerGroupHandler(groups, controller::image);
        ReassignmentHandler reassignments = new ReassignmentHandler(controller, controller, pool);
        return new ApiRegistry()
                .register(new ProduceHandler(replicas, controller::image, pool).api())
                .register(new FetchHandler(replicas, controller::image, fetchPurgatory, pool, fetchSessions).api())
                .register(new MetadataHandler(controller, controller, new MetadataHandler.Settings(
                        config.nodeId(), config.autoCreateTopicsEnable(), config.numPartitions(),
                        config.defaultReplicationFactor()), pool).api())
                .register(topics.createTopics())
                .register(topics.deleteTopics())
                .register(topics.createPartitions())
                .register(configs.describeConfigs())
                .register(configs.incrementalAlterConfigs())
                .register(configs.alterConfigs())
                .register(offsets.listOffsets())
                .register(offsets.deleteRecords())
                .register(offsets.offsetForLeaderEpoch())
                .register(cluster.describeCluster())
                .register(cluster.describeLogDirs())
                .register(new ProducerIdHandler(controller, config.nodeId(), pool).api())
                .register(new FindCoordinatorHandler(groups, offsetsTopic, controller::image).api())
                .register(classic.joinGroup())
                .register(classic.syncGroup())
                .register(classic.heartbeat())
                .register(classic.leaveGroup())
                .register(groupOffsets.offsetCommit())
                .register(groupOffsets.offsetFetch())
                .register(groupOffsets.offsetDelete())
                .register(groupAdmin.listGroups())
                .register(groupAdmin.describeGroups())
                .register(groupAdmin.deleteGroups())
                .register(consumerGroups.heartbeat())
                .register(consumerGroups.describe())
                .register(reassignments.alterPartitionReassignments())
                .register(reassignments.listPartitionReassignments())
                .register(reassignments.electLeaders())
                .register(new QuorumHandler(controller, config.quorumVoters(),
                        config.controllerListenerNames().getFirst()).describeQuorum());
    }

    @Override
    public int boundPort() {
        return server.boundPort();
    }

    /** The cluster id in the metadata log (the one served), else the one in {@code meta.properties}. */
    @Override
    public String clusterId() {
        return MetadataQuorums.clusterId(controller, meta);
    }

    @Override
    public BrokerConfig config() {
        return config;
    }

    /** The metadata controller (tests register brokers and read images through it). */
    public MetadataController controller() {
        return controller;
    }

    /** The incremental fetch sessions this broker holds (tests). */
    public FetchSessionCache fetchSessions() {
        return fetchSessions;
    }

    public ReplicaManager replicaManager() {
        return replicas;
    }

    /** Clean shutdown: stop accepting, answer in-flight requests, flush and checkpoint logs, mark clean. */
    @Override
    public void close() {
        log.info("Broker {} shutting down", config.nodeId());
        if (!config.isSingleNode()) {
            // Move leadership away first, so clients switch brokers instead of waiting for a session timeout.
            try {
                controller.controlledShutdown(config.nodeId());
            } catch (RuntimeException e) {
                log.warn("Controlled shutdown failed, stopping anyway: {}", e.toString());
            }
        }
        // Stop following and answer parked acks=all produces before the listener drains its connections.
        replicas.close();
        server.close();
        fetchPurgatory.close();
        groupCoordinator.close();
        timer.close();
        requestPool.shutdown();
        try {
            if (!requestPool.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("Request threads did not finish within 10 s");
                requestPool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        logManager.close();
        try {
            controller.close();
        } catch (Exception e) {
            log.warn("Closing the metadata log failed: {}", e.toString());
        }
        log.info("Broker {} shut down cleanly", config.nodeId());
    }

    /** Names pool threads so thread dumps and log lines say what they are. */
    private record NamedThreads(String prefix, AtomicInteger counter) implements java.util.concurrent.ThreadFactory {
        NamedThreads(String prefix) {
            this(prefix, new AtomicInteger());
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, prefix + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
