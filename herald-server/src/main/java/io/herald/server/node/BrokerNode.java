package io.herald.server.node;

import io.herald.broker.coordinator.InternalTopicCreator;
import io.herald.broker.delay.DelayedDelivery;
import io.herald.broker.delay.DelayedDeliveryConfig;
import io.herald.broker.fetch.FetchSessionCache;
import io.herald.broker.group.LeaderEndOffsets;
import io.herald.broker.metrics.BrokerMetrics;
import io.herald.broker.network.InterBrokerSender;
import io.herald.broker.replica.AlterPartitionChannel;
import io.herald.broker.replica.OfflineReplicaReporter;
import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.share.ArchiveListener;
import io.herald.broker.share.dlq.DeadLetterTopics;
import io.herald.broker.share.dlq.DeadLetterWriter;
import io.herald.broker.partition.LocalLeaderLog;
import io.herald.broker.partition.RemoteLeaderLog;
import io.herald.broker.share.handler.ShareApis;
import io.herald.common.concurrent.ThreadFactories;
import io.herald.common.purgatory.Purgatory;
import io.herald.common.time.Time;
import io.herald.common.timer.SystemTimer;
import io.herald.http.rest.LocalClients;
import io.herald.metadata.controller.MetadataController;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.Endpoint;
import io.herald.metadata.image.ScramCredentialImage;
import io.herald.protocol.KafkaServer;
import io.herald.protocol.security.ScramCredentialStore;
import io.herald.server.config.HeraldConfig;
import io.herald.server.config.Listeners.Listener;
import io.herald.server.config.NodeConfig;
import io.herald.storage.config.LogConfig;
import io.herald.storage.config.TopicConfigs;
import io.herald.storage.log.DiskSpace;
import io.herald.storage.log.LogManager;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Herald broker: wires storage, metadata, the replica manager, the coordinators ({@link NodeCoordinators}), the
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
    /**
     * How far back a check for dead-letter copies in doubt looks in a dead-letter partition: copies other
     * share-partitions appended after the one in doubt must fit in it.
     */
    private static final int DEAD_LETTER_SCAN_OFFSETS = 100_000;

    private final HeraldConfig config;
    private final MetaProperties meta;
    private final LogManager logManager;
    private final MetadataController controller;
    private final ExecutorService requestPool;
    private final SystemTimer timer;
    private final Purgatory<TopicPartition> fetchPurgatory;
    private final KafkaServer server;
    private final NodeCoordinators coordinators;
    private final ReplicaManager replicas;
    private final FetchSessionCache fetchSessions;
    private final InterBrokerSender interBroker;
    private final ShareApis shares;
    private final DelayedDelivery delays;
    private final NodeObservability observability;

    private BrokerNode(HeraldConfig config, MetaProperties meta, LogManager logManager, MetadataController controller,
                       ExecutorService requestPool, SystemTimer timer, Purgatory<TopicPartition> fetchPurgatory,
                       KafkaServer server, NodeCoordinators coordinators, ReplicaManager replicas,
                       FetchSessionCache fetchSessions, InterBrokerSender interBroker, ShareApis shares,
                       DelayedDelivery delays, NodeObservability observability) {
        this.config = config;
        this.meta = meta;
        this.logManager = logManager;
        this.controller = controller;
        this.requestPool = requestPool;
        this.timer = timer;
        this.fetchPurgatory = fetchPurgatory;
        this.server = server;
        this.coordinators = coordinators;
        this.replicas = replicas;
        this.fetchSessions = fetchSessions;
        this.interBroker = interBroker;
        this.shares = shares;
        this.delays = delays;
        this.observability = observability;
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
                Time.SYSTEM, timer, config.interBrokerSecurity());
        ExecutorService pool = Executors.newFixedThreadPool(config.broker().numIoThreads(),
                ThreadFactories.daemon("herald-request"));
        InterBrokerSender interBroker = new InterBrokerSender(node.nodeId(), controller::image,
                config.broker().requestTimeoutMs(), config.interBrokerSecurity());
        // Before the partitions start, so the coordinators hear of their internal topics' partitions led here.
        NodeCoordinators coordinators = NodeCoordinators.start(config, controller, replicas, interBroker, timer, pool);
        DelayedDelivery delays = delayedDelivery(config, controller, replicas, interBroker, coordinators, pool);
        replicas.addLeadershipListener(delays);
        replicas.addAppendListener(delays::onAppend);

        // Register before the partitions so placement (round-robin over brokers) has this broker to place on.
        // Other brokers, and clients until per-listener endpoints are registered, reach it on this listener.
        String interBrokerListener = node.interBrokerListenerName().orElseThrow();
        Listener advertised = node.advertisedListener(interBrokerListener);
        controller.registerBroker(node.nodeId(), advertised.host(), advertised.port(), node.rack());
        controller.startHeartbeats(node.nodeId());
        // A failed log dir is a cluster event (KIP-858): its replicas go offline here and the controller hears of
        // it at once, without waiting for a heartbeat.
        OfflineReplicaReporter offlineReporter = new OfflineReplicaReporter(node.nodeId(),
                controller::reportOfflineReplicas);
        replicas.addOfflineReplicasListener(offlineReporter::report);
        logManager.addDirListener(replicas);
        replicas.startup(controller.image());
        controller.addListener(replicas);

        Purgatory<TopicPartition> fetchPurgatory = new Purgatory<>("fetch", timer);
        replicas.addAppendListener(fetchPurgatory::checkAndComplete);
        FetchSessionCache fetchSessions = new FetchSessionCache(config.broker().fetchSessionCacheSlots(),
                Time.SYSTEM);
        ShareApis shares = new ShareApis(replicas, controller::image, coordinators.sharePersister,
                coordinators.groupConfigs, timer, Time.SYSTEM, pool, new ShareApis.Options(
                        config.groups().share().maxShareSessions(), ShareApis.DEFAULT_FETCH_MAX_BYTES,
                        ArchiveListener.NONE, deadLetters(config, controller, replicas, interBroker, coordinators, pool)));
        LeaderEndOffsets endOffsets = new LeaderEndOffsets(node.nodeId(), replicas, controller::image, interBroker,
                config.broker().requestTimeoutMs());
        NodeObservability observability = new NodeObservability();
        BrokerMetrics metrics = new BrokerMetrics(observability.registry(), replicas, controller, controller::image,
                List.of(fetchPurgatory, replicas.producePurgatory(), replicas.deleteRecordsPurgatory()),
                coordinators.groups, endOffsets, controller::describeQuorum, logManager.flushStats());
        KafkaServer server = new KafkaServer(config.network(scramCredentials(controller)), new BrokerApis(config, logManager, controller,
                replicas, pool, fetchPurgatory, fetchSessions, coordinators, shares, endOffsets, delays,
                metrics.topics()).registry(), metrics.requests());
        server.start();
        config.httpClients().ifPresent(local -> {
            String host = node.listeners().get(local.listener()).host();
            observability.startHttp(config.http(), config.httpTls(), metrics::refresh, new LocalClients(
                    (host.isEmpty() || host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":"
                            + server.boundPort(local.listener()), local.security()));
        });
        if (advertised.port() == 0) {
            controller.registerBroker(node.nodeId(), advertised.host(), server.boundPort(interBrokerListener),
                    node.rack());
        }
        // Clients are given the endpoint of the listener they came in on, as by Kafka; only now, with every
        // listener bound, are the ports of those configured with port 0 known. Until this is applied, clients are
        // given the inter-broker address (a first start) or this broker's previous endpoints (a restart).
        controller.registerEndpoints(node.nodeId(), clientEndpoints(node, server));
        log.info("Broker {} serving on {}", node.nodeId(), node.clientListenerNames().stream()
                .map(name -> name + " " + node.listeners().get(name).host() + ":" + server.boundPort(name)).toList());
        return new BrokerNode(config, meta, logManager, controller, pool, timer, fetchPurgatory, server, coordinators,
                replicas, fetchSessions, interBroker, shares, delays, observability);
    }

    /**
     * Every client listener's endpoint, in {@code listeners} order: its advertised host and port (the bound port
     * where the advertised one is 0) and its security protocol.
     */
    private static List<Endpoint> clientEndpoints(NodeConfig node, KafkaServer server) {
        return node.clientListenerNames().stream().map(name -> {
            Listener advertised = node.advertisedListener(name);
            int port = advertised.port() == 0 ? server.boundPort(name) : advertised.port();
            return new Endpoint(name, advertised.host(), port, node.securityProtocols().get(name));
        }).toList();
    }

    /** SCRAM credentials as the metadata image holds them (AlterUserScramCredentials writes them). */
    private static ScramCredentialStore scramCredentials(MetadataController controller) {
        return (user, algorithm) -> controller.image()
                .scramCredential(user, ScramMechanism.fromType(algorithm.type()))
                .map(ScramCredentialImage::credential);
    }

    /**
     * Delayed delivery: the timer log {@code __herald_delayed} (created on first use, replication capped at the live
     * brokers), written and released through this broker's replicas or Produce requests to the leaders.
     */
    private static DelayedDelivery delayedDelivery(HeraldConfig config, MetadataController controller,
                                                   ReplicaManager replicas, InterBrokerSender interBroker,
                                                   NodeCoordinators coordinators, ExecutorService pool) {
        int nodeId = config.node().nodeId();
        DelayedDeliveryConfig delayed = config.delayedDelivery();
        int timeoutMs = delayed.writeTimeoutMs();
        InternalTopicCreator creator = new InternalTopicCreator(controller::image,
                (name, partitions, replicationFactor, configs) ->
                        controller.createTopic(name, partitions, replicationFactor, configs, false),
                new InternalTopicCreator.Spec(DelayedDelivery.TOPIC, delayed.topicPartitions(),
                        delayed.topicReplicationFactor(), DelayedDeliveryConfig.TOPIC_REPLICATION_FACTOR,
                        delayed.topicConfigs()), pool);
        LocalLeaderLog local = new LocalLeaderLog(replicas, controller::image, timeoutMs);
        return new DelayedDelivery(nodeId, controller::image, leader -> leader == nodeId ? local
                : new RemoteLeaderLog(request -> interBroker.send(leader, request), leader, nodeId, timeoutMs),
                creator, coordinators.producerIds, config.originals(), Time.SYSTEM,
                config.node().logDirs().get(0).resolve(DelayedDelivery.INDEX_DIR));
    }

    /**
     * The dead-letter topics of share groups (KIP-1191): the group's topic from its configs, the cluster's rules from
     * {@code errors.deadletterqueue.*}, appends through this broker's replica or a Produce to the leader.
     */
    private static DeadLetterWriter deadLetters(HeraldConfig config, MetadataController controller,
                                                ReplicaManager replicas, InterBrokerSender interBroker,
                                                NodeCoordinators coordinators, ExecutorService pool) {
        int nodeId = config.node().nodeId();
        int timeoutMs = config.broker().requestTimeoutMs();
        DeadLetterTopics topics = new DeadLetterTopics(controller::image, coordinators.groupConfigs,
                new DeadLetterTopics.Settings(config.groups().share().deadLetterTopicNamePrefix(),
                        config.groups().share().deadLetterAutoCreateTopics(), config.broker().numPartitions(),
                        config.broker().defaultReplicationFactor()),
                (name, partitions, replicationFactor, configs) ->
                        controller.createTopic(name, partitions, replicationFactor, configs, false),
                config.originals());
        LocalLeaderLog local = new LocalLeaderLog(replicas, controller::image, timeoutMs);
        return new DeadLetterWriter(topics, leader -> leader == nodeId ? local
                : new RemoteLeaderLog(request -> interBroker.send(leader, request), leader, nodeId, timeoutMs),
                pool, Time.SYSTEM,
                DEAD_LETTER_SCAN_OFFSETS);
    }

    /** Opens and recovers every log, each with its topic's config from the metadata it has at start. */
    private static LogManager startLogs(HeraldConfig config, ClusterImage startImage) throws Exception {
        LogConfig defaults = config.logDefaults();
        LogManager logManager = new LogManager(config.node().logDirs(), defaults, config.logManager(), Time.SYSTEM,
                topic -> startImage.topic(topic).map(t -> TopicConfigs.logConfigOrDefaults(topic, t.configs(),
                        startImage.brokerConfigs(), config.originals())).orElse(defaults),
                config.logDirHealth(), DiskSpace.FILE_STORE);
        logManager.startup();
        return logManager;
    }

    @Override
    public int boundPort() {
        return server.boundPort();
    }

    /** The port client listener {@code listener} is bound to (the ephemeral one if its configured port is 0). */
    public int boundPort(String listener) {
        return server.boundPort(listener);
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

    /** Delayed delivery: pending records and the timer partitions led here (tests, operators). */
    public DelayedDelivery delayedDelivery() {
        return delays;
    }

    /** The HTTP listener's port, empty when {@code herald.http.enable=false} or it could not bind. */
    public OptionalInt httpPort() {
        return observability.httpPort();
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
        observability.close();
        // Stop following and answer parked acks=all produces before the listener drains its connections.
        replicas.close();
        server.close();
        delays.close();
        fetchPurgatory.close();
        shares.close();
        coordinators.close();
        interBroker.close();
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
