package io.herald.server.node;

import io.herald.broker.coordinator.InternalTopicCreator;
import io.herald.broker.coordinator.InternalTopicLeadership;
import io.herald.broker.coordinator.PartitionCoordinatorLog;
import io.herald.broker.group.ImageGroupConfigs;
import io.herald.broker.network.InterBrokerSender;
import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.sharestate.CoordinatorSharePersister;
import io.herald.broker.sharestate.ShareStateService;
import io.herald.broker.txn.CoordinatorVerifier;
import io.herald.broker.txn.LocalMarkerWriter;
import io.herald.broker.txn.ProducerIdBlocks;
import io.herald.broker.txn.TransactionMarkerSender;
import io.herald.common.time.Time;
import io.herald.common.timer.Timer;
import io.herald.group.GroupConfig;
import io.herald.group.GroupCoordinator;
import io.herald.group.OffsetsTopic;
import io.herald.group.record.GroupCoordinatorRecordSerde;
import io.herald.metadata.api.MetadataPublisher;
import io.herald.metadata.controller.MetadataController;
import io.herald.metadata.image.ClusterImage;
import io.herald.server.config.HeraldConfig;
import io.herald.share.ShareCoordinator;
import io.herald.share.ShareCoordinatorConfig;
import io.herald.share.ShareStateTopic;
import io.herald.share.record.ShareRecordSerde;
import io.herald.transaction.TransactionConfig;
import io.herald.transaction.TransactionCoordinator;
import io.herald.transaction.TransactionMarkers;
import io.herald.transaction.TransactionTopic;
import io.herald.transaction.record.TransactionRecordSerde;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteShareGroupStateRequestData;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinators a broker runs, each on the partitions of its internal topic that this broker leads: groups on
 * {@code __consumer_offsets}, transactions on {@code __transaction_state}, share-partition state on
 * {@code __share_group_state}; with what they write through (the transaction marker channel, producer ids, the
 * share-state persister) and the creators of their topics. Each coordinator is placed on the partition count its
 * topic already has, else the configured one.
 *
 * <p>{@link #start} registers the coordinators' leadership listeners, so it must run before the replica manager
 * starts its partitions; {@link #close} stops them, newest first.
 */
final class NodeCoordinators implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeCoordinators.class);

    final GroupCoordinator groups;
    /** Each group's effective settings: its dynamic group configs over the broker's defaults. */
    final ImageGroupConfigs groupConfigs;
    final InternalTopicCreator offsetsTopic;
    final TransactionCoordinator transactions;
    final InternalTopicCreator transactionTopic;
    final TransactionMarkerSender markerSender;
    final LocalMarkerWriter localMarkers;
    final ProducerIdBlocks producerIds;
    final CoordinatorVerifier verifier;
    final ShareCoordinator shares;
    final InternalTopicCreator shareStateTopic;
    final CoordinatorSharePersister sharePersister;

    private NodeCoordinators(GroupCoordinator groups, ImageGroupConfigs groupConfigs, InternalTopicCreator offsetsTopic,
                             TransactionCoordinator transactions, InternalTopicCreator transactionTopic,
                             TransactionMarkerSender markerSender, LocalMarkerWriter localMarkers,
                             ProducerIdBlocks producerIds, CoordinatorVerifier verifier, ShareCoordinator shares,
                             InternalTopicCreator shareStateTopic, CoordinatorSharePersister sharePersister) {
        this.groups = groups;
        this.groupConfigs = groupConfigs;
        this.offsetsTopic = offsetsTopic;
        this.transactions = transactions;
        this.transactionTopic = transactionTopic;
        this.markerSender = markerSender;
        this.localMarkers = localMarkers;
        this.producerIds = producerIds;
        this.verifier = verifier;
        this.shares = shares;
        this.shareStateTopic = shareStateTopic;
        this.sharePersister = sharePersister;
    }

    static NodeCoordinators start(HeraldConfig config, MetadataController controller, ReplicaManager replicas,
                                  InterBrokerSender interBroker, Timer timer, ExecutorService pool) {
        int nodeId = config.node().nodeId();
        ClusterImage image = controller.image();

        // The share coordinator first: the group coordinator initializes share-partitions through its persister.
        ShareCoordinatorConfig shareConfig = image.topic(ShareStateTopic.NAME)
                .map(t -> config.shareCoordinator().withStateTopicPartitions(t.partitionCount()))
                .orElse(config.shareCoordinator());
        ShareCoordinator shares = ShareCoordinator.start(shareConfig, new PartitionCoordinatorLog<>(
                        ShareStateTopic.NAME, replicas, ShareRecordSerde.INSTANCE, System::currentTimeMillis),
                topicId -> partitionCount(controller.image(), topicId), Time.SYSTEM, timer);
        replicas.addLeadershipListener(new InternalTopicLeadership(ShareStateTopic.NAME, shares));
        InternalTopicCreator shareStateTopic = internalTopic(controller, new InternalTopicCreator.Spec(
                ShareStateTopic.NAME, shareConfig.stateTopicPartitions(), shareConfig.stateTopicReplicationFactor(),
                ShareCoordinatorConfig.STATE_TOPIC_REPLICATION_FACTOR, ShareStateTopic.topicConfigs(shareConfig)), pool);
        CoordinatorSharePersister sharePersister = new CoordinatorSharePersister(nodeId, controller::image,
                stateService(shares), interBroker, shareStateTopic, timer, Time.SYSTEM,
                config.broker().requestTimeoutMs());
        GroupConfig groupConfig = image.topic(OffsetsTopic.NAME)
                .map(t -> config.groups().withOffsetsTopicPartitions(t.partitionCount())).orElse(config.groups());
        ImageGroupConfigs groupConfigs = new ImageGroupConfigs(controller::image, groupConfig);
        GroupCoordinator groups = GroupCoordinator.start(groupConfig, new PartitionCoordinatorLog<>(OffsetsTopic.NAME,
                replicas, GroupCoordinatorRecordSerde.INSTANCE, System::currentTimeMillis), Time.SYSTEM, timer,
                sharePersister, groupConfigs, groupConfigs);
        replicas.addLeadershipListener(new InternalTopicLeadership(OffsetsTopic.NAME, groups));
        InternalTopicCreator offsetsTopic = internalTopic(controller, new InternalTopicCreator.Spec(OffsetsTopic.NAME,
                groupConfig.offsetsTopicPartitions(), groupConfig.offsetsTopicReplicationFactor(),
                GroupConfig.OFFSETS_TOPIC_REPLICATION_FACTOR, Map.of("cleanup.policy", "compact", "segment.bytes",
                Integer.toString(groupConfig.offsetsTopicSegmentBytes()))), pool);

        TransactionConfig txnConfig = image.topic(TransactionTopic.NAME)
                .map(t -> config.transactions().withStateLogPartitions(t.partitionCount()))
                .orElse(config.transactions()).withOffsetsTopicPartitions(groupConfig.offsetsTopicPartitions());
        ProducerIdBlocks producerIds = new ProducerIdBlocks(controller, nodeId, pool);
        LocalMarkerWriter localMarkers = new LocalMarkerWriter(replicas, controller::image, groups,
                config.broker().requestTimeoutMs());
        TransactionMarkerSender markerSender = new TransactionMarkerSender(nodeId, controller::image, localMarkers,
                interBroker, timer, pool, markers -> coordinates(controller.image(), nodeId, markers));
        TransactionCoordinator transactions = TransactionCoordinator.start(txnConfig, new PartitionCoordinatorLog<>(
                        TransactionTopic.NAME, replicas, TransactionRecordSerde.INSTANCE, System::currentTimeMillis),
                producerIds, markerSender, Time.SYSTEM, timer);
        replicas.addLeadershipListener(new InternalTopicLeadership(TransactionTopic.NAME, transactions));
        // compacted, uncompressed, no unclean election, transaction.state.log.* (Kafka's rules)
        InternalTopicCreator transactionTopic = internalTopic(controller, new InternalTopicCreator.Spec(
                TransactionTopic.NAME, txnConfig.stateLogPartitions(), txnConfig.stateLogReplicationFactor(),
                TransactionConfig.STATE_LOG_REPLICATION_FACTOR, Map.of("cleanup.policy", "compact",
                "compression.type", "uncompressed", "unclean.leader.election.enable", "false",
                "min.insync.replicas", Integer.toString(txnConfig.stateLogMinIsr()),
                "segment.bytes", Integer.toString(txnConfig.stateLogSegmentBytes()))), pool);
        CoordinatorVerifier verifier = new CoordinatorVerifier(nodeId, controller::image, transactions, interBroker,
                new CoordinatorVerifier.Retry(timer, Time.SYSTEM, config.broker().addPartitionsRetryBackoffMs(),
                        config.broker().addPartitionsRetryBackoffMaxMs()));

        controller.addListener(new DeletedTopics(shares));

        return new NodeCoordinators(groups, groupConfigs, offsetsTopic, transactions, transactionTopic, markerSender,
                localMarkers, producerIds, verifier, shares, shareStateTopic, sharePersister);
    }

    /** Whether this broker leads the markers' {@code __transaction_state} partition at their coordinator epoch. */
    private static boolean coordinates(ClusterImage image, int nodeId, TransactionMarkers markers) {
        return image.topic(TransactionTopic.NAME).flatMap(t -> t.partition(TransactionTopic.partitionFor(
                        markers.transactionalId(), t.partitionCount())))
                .filter(p -> p.leader() == nodeId && p.leaderEpoch() == markers.coordinatorEpoch()).isPresent();
    }

    private static OptionalInt partitionCount(ClusterImage image, Uuid topicId) {
        return image.topic(topicId).map(t -> OptionalInt.of(t.partitionCount())).orElse(OptionalInt.empty());
    }

    private static InternalTopicCreator internalTopic(MetadataController controller, InternalTopicCreator.Spec spec,
                                                      ExecutorService pool) {
        return new InternalTopicCreator(controller::image, (name, partitions, replicationFactor, configs) ->
                controller.createTopic(name, partitions, replicationFactor, configs, false), spec, pool);
    }

    /** The share coordinator as the ShareGroupState handlers and the persister see it. */
    private static ShareStateService stateService(ShareCoordinator shares) {
        return new ShareStateService() {
            @Override
            public CompletableFuture<InitializeShareGroupStateResponseData> initializeState(
                    InitializeShareGroupStateRequestData r) {
                return shares.initializeState(r);
            }

            @Override
            public CompletableFuture<ReadShareGroupStateResponseData> readState(ReadShareGroupStateRequestData r) {
                return shares.readState(r);
            }

            @Override
            public CompletableFuture<WriteShareGroupStateResponseData> writeState(WriteShareGroupStateRequestData r,
                                                                                  short version) {
                return shares.writeState(r, version);
            }

            @Override
            public CompletableFuture<DeleteShareGroupStateResponseData> deleteState(
                    DeleteShareGroupStateRequestData r) {
                return shares.deleteState(r);
            }

            @Override
            public CompletableFuture<ReadShareGroupStateSummaryResponseData> readStateSummary(
                    ReadShareGroupStateSummaryRequestData r, short version) {
                return shares.readStateSummary(r, version);
            }

            @Override
            public int partitionFor(String coordinatorKey) {
                return shares.partitionFor(coordinatorKey);
            }
        };
    }

    ShareStateService shareStateService() {
        return stateService(shares);
    }

    /** Tells the share coordinator of deleted topics, so it forgets their share-partitions (Kafka does too). */
    private record DeletedTopics(ShareCoordinator shares) implements MetadataPublisher.Listener {
        @Override
        public void onImage(ClusterImage previous, ClusterImage current) {
            Set<Uuid> deleted = new HashSet<>(previous.topicNamesById().keySet());
            deleted.removeAll(current.topicNamesById().keySet());
            if (!deleted.isEmpty()) {
                shares.onTopicsDeleted(deleted).whenComplete((ok, e) -> {
                    if (e != null) {
                        log.warn("Forgetting the share state of deleted topics {} failed: {}", deleted, e.toString());
                    }
                });
            }
        }
    }

    /** Stops the coordinators, the newest first; the marker channel before the coordinator that writes through it. */
    @Override
    public void close() {
        shares.close();
        transactions.close();
        markerSender.close();
        groups.close();
    }
}
