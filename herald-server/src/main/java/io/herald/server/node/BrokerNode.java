package io.herald.server.node;

import io.herald.broker.coordinator.InternalTopicCreator;
import io.herald.broker.coordinator.InternalTopicLeadership;
import io.herald.broker.coordinator.PartitionCoordinatorLog;
import io.herald.broker.fetch.FetchSessionCache;
import io.herald.broker.network.InterBrokerSender;
import io.herald.broker.replica.AlterPartitionChannel;
import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.txn.CoordinatorVerifier;
import io.herald.broker.txn.LocalMarkerWriter;
import io.herald.broker.txn.ProducerIdBlocks;
import io.herald.broker.txn.TransactionMarkerSender;
import io.herald.common.concurrent.ThreadFactories;
import io.herald.common.purgatory.Purgatory;
import io.herald.common.time.Time;
import io.herald.common.timer.SystemTimer;
import io.herald.group.GroupConfig;
import io.herald.group.GroupCoordinator;
import io.herald.group.OffsetsTopic;
import io.herald.group.record.GroupCoordinatorRecordSerde;
import io.herald.metadata.controller.MetadataController;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.KafkaServer;
import io.herald.server.config.HeraldConfig;
import io.herald.server.config.Listeners.Listener;
import io.herald.server.config.NodeConfig;
import io.herald.storage.config.LogConfig;
import io.herald.storage.config.TopicConfigs;
import io.herald.storage.log.LogManager;
import io.herald.transaction.TransactionConfig;
import io.herald.transaction.TransactionCoordinator;
import io.herald.transaction.TransactionMarkers;
import io.herald.transaction.TransactionTopic;
import io.herald.transaction.record.TransactionRecordSerde;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Herald broker: wires storage, metadata, the replica manager, the group and transaction coordinators, the
 * request handlers and the network server, and owns their lifecycle. A single node is a cluster of one: this process is also the
 * controller. On a combined {@code broker,controller} node it is also a voter of the metadata quorum; on a
 * broker-only node it follows the quorum's log as an observer (see {@link MetadataQuorums}).
 *
 * <p>Startup order: identity ({@code meta.properties}), metadata (replay), logs (recovery), partitions, then
 * the listener, so no request is served before the data it needs is ready. Every config was parsed and validated
 * before this runs ({@link HeraldConfig}). Shutdown runs in reverse and ends with the logs' clean-shutdown
 * marker, which lets the next start skip recovery.
 *
 * <p>Thread-safety: {@link #close} from any thread, once.
 */
public final class BrokerNode implements HeraldNode {
    private static final Logger log = LoggerFactory.getLogger(BrokerNode.class);

    private final HeraldConfig config;
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
    private final TransactionParts transactions;
    private final InterBrokerSender interBroker;

    private BrokerNode(HeraldConfig config, MetaProperties meta, LogManager logManager, MetadataController controller,
                       ExecutorService requestPool, SystemTimer timer, Purgatory<TopicPartition> fetchPurgatory,
                       KafkaServer server, GroupCoordinator groupCoordinator, ReplicaManager replicas,
                       FetchSessionCache fetchSessions, TransactionParts transactions,
                       InterBrokerSender interBroker) {
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
        this.transactions = transactions;
        this.interBroker = interBroker;
    }

    /** Starts a broker; when this returns, it serves requests on {@link #boundPort()}. */
    public static BrokerNode start(HeraldConfig config) throws Exception {
        return start(config, Optional.empty());
    }

    /**
     * Starts a broker whose partition leaders send ISR changes through {@code alterPartition} (tests), or
     * through the metadata controller when it is empty.
     */
    public static BrokerNode start(HeraldConfig config, Optional<AlterPartitionChannel> alterPartition)
            throws Exception {
        NodeConfig node = config.node();
        if (!node.isBroker()) {
            throw new IllegalArgumentException("a BrokerNode needs the broker role (process.roles="
                    + node.processRoles() + "); a controller-only node is a ControllerNode, see HeraldNode.start");
        }
        MetaProperties meta = MetaProperties.loadOrCreate(node.logDirs().get(0), node.nodeId(), node.clusterId());
        // Metadata first: recovering a log needs its topic's config (compaction, limits), which lives there.
        MetadataController controller = MetadataQuorums.startController(config, meta);
        LogManager logManager = startLogs(config, controller.image());
        // One timer for every deadline of the node (parked fetches, acks=all produces, DeleteRecords, groups).
        SystemTimer timer = new SystemTimer("broker-" + node.nodeId());
        ReplicaManager replicas = new ReplicaManager(node.nodeId(), logManager, config.replication(),
                config.originals(), alterPartition.orElse(controller::alterPartition),
                Time.SYSTEM, timer);
        // Groups are placed on the partitions the offsets topic has (created lazily with the configured count).
        GroupConfig groupConfig = controller.image().topic(OffsetsTopic.NAME)
                .map(t -> config.groups().withOffsetsTopicPartitions(t.partitionCount())).orElse(config.groups());
        GroupCoordinator groups = GroupCoordinator.start(groupConfig, new PartitionCoordinatorLog<>(OffsetsTopic.NAME,
                replicas, GroupCoordinatorRecordSerde.INSTANCE, System::currentTimeMillis), Time.SYSTEM, timer);
        // Before the partitions start, so the coordinator hears of the __consumer_offsets partitions led here.
        replicas.addLeadershipListener(new InternalTopicLeadership(OffsetsTopic.NAME, groups));

        ExecutorService pool = Executors.newFixedThreadPool(config.broker().numIoThreads(),
                ThreadFactories.daemon("herald-request"));
        int requestTimeoutMs = config.broker().requestTimeoutMs();
        InterBrokerSender interBroker = new InterBrokerSender(node.nodeId(), controller::image, requestTimeoutMs);
        TransactionParts txn = startTransactions(config, controller, replicas, groups, groupConfig, interBroker,
                timer, pool);
        replicas.addLeadershipListener(new InternalTopicLeadership(TransactionTopic.NAME, txn.coordinator()));

        // Register before the partitions so placement (round-robin over brokers) has this broker to place on.
        Listener advertised = node.advertisedListener();
        controller.registerBroker(node.nodeId(), advertised.host(), advertised.port(), node.rack());
        controller.startHeartbeats(node.nodeId());
        replicas.startup(controller.image());
        controller.addListener(replicas);

        Purgatory<TopicPartition> fetchPurgatory = new Purgatory<>("fetch", timer);
        replicas.addAppendListener(fetchPurgatory::checkAndComplete);
        InternalTopicCreator offsetsTopic = internalTopic(controller, offsetsTopicSpec(groupConfig), pool);
        InternalTopicCreator transactionTopic = internalTopic(controller, transactionTopicSpec(txn.config()), pool);
        FetchSessionCache fetchSessions = new FetchSessionCache(config.broker().fetchSessionCacheSlots(),
                Time.SYSTEM);
        BrokerApis.Transactions transactions = new BrokerApis.Transactions(txn.coordinator(), transactionTopic,
                new CoordinatorVerifier(node.nodeId(), controller::image, txn.coordinator(), interBroker,
                        new CoordinatorVerifier.Retry(timer, Time.SYSTEM,
                                config.broker().addPartitionsRetryBackoffMs(),
                                config.broker().addPartitionsRetryBackoffMaxMs())),
                txn.localMarkers(), txn.producerIds());
        KafkaServer server = new KafkaServer(config.network(), new BrokerApis(config, logManager, controller,
                replicas, pool, fetchPurgatory, fetchSessions, groups, offsetsTopic, transactions).registry());
        server.start();
        if (advertised.port() == 0) {
            controller.registerBroker(node.nodeId(), advertised.host(), server.boundPort(), node.rack());
        }
        log.info("Broker {} serving on {}:{}", node.nodeId(), node.listener().host(), server.boundPort());
        return new BrokerNode(config, meta, logManager, controller, pool, timer, fetchPurgatory, server, groups,
                replicas, fetchSessions, txn, interBroker);
    }

    /** The transaction coordinator and what it writes through: producer ids, the marker channel. */
    private record TransactionParts(TransactionConfig config, TransactionCoordinator coordinator,
                                    TransactionMarkerSender markerSender, LocalMarkerWriter localMarkers,
                                    ProducerIdBlocks producerIds) {}

    private static TransactionParts startTransactions(HeraldConfig config, MetadataController controller,
                                                      ReplicaManager replicas, GroupCoordinator groups,
                                                      GroupConfig groupConfig, InterBrokerSender interBroker,
                                                      SystemTimer timer, ExecutorService pool) {
        int nodeId = config.node().nodeId();
        // Like groups: placed on the partitions the existing topics have.
        TransactionConfig txnConfig = controller.image().topic(TransactionTopic.NAME)
                .map(t -> config.transactions().withStateLogPartitions(t.partitionCount()))
                .orElse(config.transactions()).withOffsetsTopicPartitions(groupConfig.offsetsTopicPartitions());
        ProducerIdBlocks producerIds = new ProducerIdBlocks(controller, nodeId, pool);
        LocalMarkerWriter localMarkers = new LocalMarkerWriter(replicas, controller::image, groups,
                config.broker().requestTimeoutMs());
        TransactionMarkerSender markerSender = new TransactionMarkerSender(nodeId, controller::image, localMarkers,
                interBroker, timer, pool, markers -> coordinates(controller.image(), nodeId, markers));
        TransactionCoordinator coordinator = TransactionCoordinator.start(txnConfig, new PartitionCoordinatorLog<>(
                        TransactionTopic.NAME, replicas, TransactionRecordSerde.INSTANCE, System::currentTimeMillis),
                producerIds, markerSender, Time.SYSTEM, timer);
        return new TransactionParts(txnConfig, coordinator, markerSender, localMarkers, producerIds);
    }

    /** Whether this broker leads the markers' {@code __transaction_state} partition at their coordinator epoch. */
    private static boolean coordinates(ClusterImage image, int nodeId, TransactionMarkers markers) {
        return image.topic(TransactionTopic.NAME).flatMap(t -> t.partition(TransactionTopic.partitionFor(
                        markers.transactionalId(), t.partitionCount())))
                .filter(p -> p.leader() == nodeId && p.leaderEpoch() == markers.coordinatorEpoch()).isPresent();
    }

    private static InternalTopicCreator internalTopic(MetadataController controller, InternalTopicCreator.Spec spec,
                                                      ExecutorService pool) {
        return new InternalTopicCreator(controller::image, (name, partitions, replicationFactor, configs) ->
                controller.createTopic(name, partitions, replicationFactor, configs, false), spec, pool);
    }

    /**
     * {@code __transaction_state}: compacted, uncompressed, no unclean election, {@code transaction.state.log.*}
     * (Kafka's rules).
     */
    private static InternalTopicCreator.Spec transactionTopicSpec(TransactionConfig txn) {
        return new InternalTopicCreator.Spec(TransactionTopic.NAME, txn.stateLogPartitions(),
                txn.stateLogReplicationFactor(), TransactionConfig.STATE_LOG_REPLICATION_FACTOR,
                Map.of("cleanup.policy", "compact", "compression.type", "uncompressed",
                        "unclean.leader.election.enable", "false",
                        "min.insync.replicas", Integer.toString(txn.stateLogMinIsr()),
                        "segment.bytes", Integer.toString(txn.stateLogSegmentBytes())));
    }

    /** {@code __consumer_offsets}: compacted, {@code offsets.topic.*} (Kafka's rules). */
    private static InternalTopicCreator.Spec offsetsTopicSpec(GroupConfig groups) {
        return new InternalTopicCreator.Spec(OffsetsTopic.NAME, groups.offsetsTopicPartitions(),
                groups.offsetsTopicReplicationFactor(), GroupConfig.OFFSETS_TOPIC_REPLICATION_FACTOR,
                Map.of("cleanup.policy", "compact", "segment.bytes",
                        Integer.toString(groups.offsetsTopicSegmentBytes())));
    }

    /** Opens and recovers every log, each with its topic's config from the metadata it has at start. */
    private static LogManager startLogs(HeraldConfig config, ClusterImage startImage) throws Exception {
        LogConfig defaults = config.logDefaults();
        LogManager logManager = new LogManager(config.node().logDirs(), defaults, config.logManager(), Time.SYSTEM,
                topic -> startImage.topic(topic).map(t -> TopicConfigs.logConfigOrDefaults(topic, t.configs(),
                        startImage.brokerConfigs(), config.originals())).orElse(defaults));
        logManager.startup();
        return logManager;
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
    public HeraldConfig config() {
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
        int nodeId = config.node().nodeId();
        log.info("Broker {} shutting down", nodeId);
        if (!config.node().isSingleNode()) {
            // Move leadership away first, so clients switch brokers instead of waiting for a session timeout.
            try {
                controller.controlledShutdown(nodeId);
            } catch (RuntimeException e) {
                log.warn("Controlled shutdown failed, stopping anyway: {}", e.toString());
            }
        }
        // Stop following and answer parked acks=all produces before the listener drains its connections.
        replicas.close();
        server.close();
        fetchPurgatory.close();
        transactions.coordinator().close();
        transactions.markerSender().close();
        interBroker.close();
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
        log.info("Broker {} shut down cleanly", nodeId);
    }
}
