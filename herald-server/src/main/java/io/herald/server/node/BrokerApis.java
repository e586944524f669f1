package io.herald.server.node;

import io.herald.broker.metrics.TopicTraffic;
import io.herald.broker.delay.DelayedDelivery;
import io.herald.broker.BrokerSettings;
import io.herald.broker.coordinator.FindCoordinatorHandler;
import io.herald.broker.fetch.FetchSessionCache;
import io.herald.broker.group.handler.ClassicGroupHandler;
import io.herald.broker.group.handler.ConsumerGroupHandler;
import io.herald.broker.group.handler.GroupAdminHandler;
import io.herald.broker.group.handler.GroupOffsetsHandler;
import io.herald.broker.group.handler.ShareGroupHandler;
import io.herald.broker.group.handler.ShareGroupOffsetsHandler;
import io.herald.broker.handler.ClusterHandler;
import io.herald.broker.handler.ConfigsHandler;
import io.herald.broker.handler.FeatureGate;
import io.herald.broker.handler.DescribeTopicPartitionsHandler;
import io.herald.broker.handler.FeaturesHandler;
import io.herald.broker.handler.FetchHandler;
import io.herald.broker.handler.MetadataHandler;
import io.herald.broker.handler.OffsetsHandler;
import io.herald.broker.handler.ProduceHandler;
import io.herald.broker.handler.QuorumHandler;
import io.herald.broker.handler.ReassignmentHandler;
import io.herald.broker.handler.TopicsHandler;
import io.herald.broker.quota.ClientQuotaEnforcer;
import io.herald.broker.quota.IpQuotas;
import io.herald.broker.quota.ClientQuotasHandler;
import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.security.AclsHandler;
import io.herald.broker.security.Authorization;
import io.herald.broker.security.ScramCredentialsHandler;
import io.herald.broker.share.handler.ShareApis;
import io.herald.broker.sharestate.ShareStateHandler;
import io.herald.broker.txn.handler.InitProducerIdHandler;
import io.herald.broker.txn.handler.TransactionAdminHandler;
import io.herald.broker.txn.handler.TransactionHandler;
import io.herald.broker.txn.handler.TxnOffsetCommitHandler;
import io.herald.broker.txn.handler.WriteTxnMarkersHandler;
import io.herald.common.purgatory.Purgatory;
import io.herald.common.time.Time;
import io.herald.group.GroupCoordinator;
import io.herald.group.share.PartitionEndOffsets;
import io.herald.metadata.controller.MetadataController;
import io.herald.metadata.feature.FeatureCatalog;
import io.herald.protocol.ApiRegistry;
import io.herald.server.config.HeraldConfig;
import io.herald.server.config.NodeConfig;
import io.herald.storage.log.LogManager;
import io.herald.transaction.TransactionCoordinator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

/**
 * Every API a broker serves, each handler given only the ports and settings it uses. The handlers declare their
 * versions; the registry builds ApiVersions from them.
 *
 * @param fetchPurgatory where parked fetches wait for appends
 * @param shares         the share-group data plane (ShareFetch, ShareAcknowledge); its sessions end with their
 *                       connections
 * @param endOffsets     partitions' latest offsets, for share-group lag
 * @param traffic        told of the bytes produced and fetched per topic (metrics)
 */
record BrokerApis(HeraldConfig config, LogManager logManager, MetadataController controller,
                  ReplicaManager replicas, ExecutorService pool, Purgatory<TopicPartition> fetchPurgatory,
                  FetchSessionCache fetchSessions, NodeCoordinators coordinators, ShareApis shares,
                  PartitionEndOffsets endOffsets, DelayedDelivery delays, TopicTraffic traffic) {

    private static final short ONE = 1;

    ApiRegistry registry() {
        NodeConfig node = config.node();
        BrokerSettings broker = config.broker();
        // Every handler checks its request's principal here (Kafka's KafkaApis checks), against the ACLs of the
        // current image (its index is rebuilt only when the ACLs change); allow-all without authorizer.class.name.
        Authorization authorization = new Authorization(config.authorizerConfig()
                .authorizer(() -> controller.image().aclIndex()));
        // Client quotas of the current image, applied to every request as it is answered (see ClientQuotaEnforcer).
        ClientQuotaEnforcer quotas = new ClientQuotaEnforcer(() -> controller.image().clientQuotas(), config.quotas(),
                Time.SYSTEM);
        ClientQuotasHandler clientQuotas = new ClientQuotasHandler(controller, controller::image, authorization, pool);
        TopicsHandler topics = new TopicsHandler(controller, controller, new TopicsHandler.Settings(
                broker.numPartitions(), broker.defaultReplicationFactor(), broker.deleteTopicEnable(),
                config.originals()), pool, authorization, quotas::mutationQuota);
        ConfigsHandler configs = new ConfigsHandler(controller, controller, config, node.nodeId(), pool,
                delays::statusConfigs, authorization);
        OffsetsHandler offsets = new OffsetsHandler(replicas, pool, authorization);
        ClusterHandler cluster = new ClusterHandler(controller, logManager, node.nodeId(), pool, authorization);
        GroupCoordinator groups = coordinators.groups;
        TransactionCoordinator transactions = coordinators.transactions;
        ClassicGroupHandler classic = new ClassicGroupHandler(groups, authorization);
        GroupOffsetsHandler groupOffsets = new GroupOffsetsHandler(groups, controller::image, authorization);
        GroupAdminHandler groupAdmin = new GroupAdminHandler(groups, authorization);
        ConsumerGroupHandler consumerGroups = new ConsumerGroupHandler(groups, controller::image, authorization);
        ShareGroupHandler shareGroups = new ShareGroupHandler(groups, controller::image, authorization);
        // Kafka's per-request checks: share.version >= 1 for share groups, group.version >= 1 for KIP-848 groups.
        FeatureGate gate = new FeatureGate(controller::image);
        ShareGroupOffsetsHandler shareOffsets = new ShareGroupOffsetsHandler(groups, controller::image, endOffsets,
                authorization);
        ReassignmentHandler reassignments = new ReassignmentHandler(controller, controller, pool, authorization);
        ScramCredentialsHandler scram = new ScramCredentialsHandler(controller, controller::image, authorization, pool);
        AclsHandler acls = new AclsHandler(controller, controller::image, authorization, pool);
        TransactionHandler txn = new TransactionHandler(transactions, controller::image, authorization);
        TransactionAdminHandler txnAdmin = new TransactionAdminHandler(transactions, replicas, controller::image,
                authorization);
        ShareStateHandler shareState = new ShareStateHandler(coordinators.shareStateService(), authorization);
        FindCoordinatorHandler findCoordinator = new FindCoordinatorHandler(Map.of(
                CoordinatorType.GROUP, new FindCoordinatorHandler.Placement(coordinators.offsetsTopic,
                        groups::partitionFor),
                CoordinatorType.TRANSACTION, new FindCoordinatorHandler.Placement(coordinators.transactionTopic,
                        transactions::partitionFor),
                CoordinatorType.SHARE, new FindCoordinatorHandler.Placement(coordinators.shareStateTopic,
                        coordinators.shares::partitionFor)), controller::image, authorization);
        return new ApiRegistry()
                .features(new BrokerFeatures(controller))
                .throttle(quotas)
                .ipConnectionQuota(new IpQuotas(() -> controller.image().clientQuotas()))
                .onConnectionClosed(client -> shares.onConnectionClosed(client.toString()))
                .register(new ProduceHandler(replicas, controller::image, pool, coordinators.verifier,
                        Optional.of(delays), traffic, authorization).api())
                .register(new FetchHandler(replicas, controller::image, fetchPurgatory, pool, fetchSessions,
                        Time.SYSTEM, traffic, authorization, quotas.fetchQuota()).api())
                .register(new MetadataHandler(controller, controller, new MetadataHandler.Settings(node.nodeId(),
                        broker.autoCreateTopicsEnable(), broker.numPartitions(), broker.defaultReplicationFactor()),
                        pool, authorization).api())
                .register(new DescribeTopicPartitionsHandler(controller, broker.maxRequestPartitionSizeLimit(),
                        authorization).api())
                .register(topics.createTopics())
                .register(topics.deleteTopics())
                .register(topics.createPartitions())
                .register(configs.describeConfigs())
                .register(configs.incrementalAlterConfigs())
                .register(configs.alterConfigs())
                .register(configs.listConfigResources())
                .register(offsets.listOffsets())
                .register(offsets.deleteRecords())
                .register(offsets.offsetForLeaderEpoch())
                .register(cluster.describeCluster())
                .register(new FeaturesHandler(controller, node.nodeId(), pool, authorization).updateFeatures())
                .register(cluster.describeLogDirs())
                .register(new InitProducerIdHandler(transactions, coordinators.producerIds, pool, authorization)
                        .api())
                .register(findCoordinator.api())
                .register(txn.addPartitionsToTxn())
                .register(txn.addOffsetsToTxn())
                .register(txn.endTxn())
                .register(new TxnOffsetCommitHandler(groups, coordinators.verifier, replicas, controller::image,
                        authorization).api())
                .register(new WriteTxnMarkersHandler(coordinators.localMarkers, pool, authorization).api())
                .register(txnAdmin.listTransactions())
                .register(txnAdmin.describeTransactions())
                .register(txnAdmin.describeProducers())
                .register(shareState.initialize())
                .register(shareState.read())
                .register(shareState.write())
                .register(shareState.delete())
                .register(shareState.readSummary())
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
                .register(gate.require(FeatureCatalog.GROUP_VERSION, ONE, consumerGroups.heartbeat()))
                .register(gate.require(FeatureCatalog.GROUP_VERSION, ONE, consumerGroups.describe()))
                .register(gate.require(FeatureCatalog.SHARE_VERSION, ONE, shareGroups.heartbeat()))
                .register(gate.require(FeatureCatalog.SHARE_VERSION, ONE, shareGroups.describe()))
                .register(shareOffsets.describeOffsets())
                .register(gate.require(FeatureCatalog.SHARE_VERSION, ONE, shareOffsets.alterOffsets()))
                .register(gate.require(FeatureCatalog.SHARE_VERSION, ONE, shareOffsets.deleteOffsets()))
                .register(gate.require(FeatureCatalog.SHARE_VERSION, ONE, shares.shareFetch(authorization)))
                .register(gate.require(FeatureCatalog.SHARE_VERSION, ONE, shares.shareAcknowledge(authorization)))
                .register(reassignments.alterPartitionReassignments())
                .register(reassignments.listPartitionReassignments())
                .register(reassignments.electLeaders())
                .register(scram.describeUserScramCredentials())
                .register(scram.alterUserScramCredentials())
                .register(acls.describeAcls())
                .register(acls.createAcls())
                .register(acls.deleteAcls())
                .register(clientQuotas.describeClientQuotas())
                .register(clientQuotas.alterClientQuotas())
                .register(new QuorumHandler(controller, node.quorumVoters(),
                        node.controllerListenerNames().getFirst(), authorization).describeQuorum());
    }
}
