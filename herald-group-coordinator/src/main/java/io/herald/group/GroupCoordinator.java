package io.herald.group;

import io.herald.common.time.Time;
import io.herald.common.timer.Timer;
import io.herald.common.txn.VerificationGuard;
import io.herald.coordinator.runtime.CoordinatorLog;
import io.herald.coordinator.runtime.CoordinatorLoop;
import io.herald.coordinator.runtime.CoordinatorRuntime;
import io.herald.coordinator.runtime.CoordinatorRuntimeSettings;
import io.herald.coordinator.runtime.PartitionLeadership;
import io.herald.coordinator.runtime.TransactionEnd;
import io.herald.coordinator.runtime.TransactionalProducer;
import io.herald.coordinator.share.ShareStatePersister;
import io.herald.group.classic.ClassicGroupManager;
import io.herald.group.config.ConsumerGroupConfigView;
import io.herald.group.config.ConsumerGroupSettings;
import io.herald.group.config.GroupConfigView;
import io.herald.group.consumer.TopicsView;
import io.herald.group.offsets.OffsetAndMetadata;
import io.herald.group.record.GroupCoordinatorRecord;
import io.herald.group.share.PartitionEndOffsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator of this broker: the API the group handlers call. It coordinates the classic groups, the
 * KIP-848 consumer groups, the KIP-932 share groups and the offsets of the {@code __consumer_offsets} partitions
 * this broker leads, one
 * {@link GroupCoordinatorShard} per partition on the {@link CoordinatorRuntime}, which loads a partition when this
 * broker becomes its leader, unloads it on resign, and answers only once what an operation wrote is on every
 * in-sync replica (its class javadoc has the rules). A group lives in partition
 * {@link OffsetsTopic#partitionFor}, as in Kafka.
 *
 * <p>Share groups keep their share-partitions' state in the share coordinator, through the
 * {@link ShareStatePersister}: the coordinator initializes a share-partition before members get it and deletes
 * the state with the group or its offsets ({@link ShareGroupService} has the rules).
 *
 * <p>Errors: a group not served here fails the future with NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS; a
 * write that does not commit with NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE; the handlers turn these into
 * the error fields of their responses.
 *
 * <p>Thread-safety: every method may be called from any thread; all group state lives on the runtime's event
 * loop (the thread {@code herald-group-coordinator}).
 */
public final class GroupCoordinator implements PartitionLeadership, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);
    private static final long LOAD_RETRY_BACKOFF_MS = 1_000;

    private final GroupConfig config;
    private final CoordinatorRuntime<GroupCoordinatorShard, GroupCoordinatorRecord> runtime;
    private final CoordinatorLoop loop;
    private final ShareGroupService shareGroups;

    /**
     * A coordinator on its own event loop thread, {@code herald-group-coordinator}.
     *
     * @param timer        the node's shared timer; not closed here. Persister calls are handed to its thread.
     * @param persister    where share-partition state lives (the share coordinator, local or remote)
     * @param shareConfigs each share group's effective settings (session timeout, heartbeat interval, max size)
     * @param consumerConfigs each KIP-848 consumer group's effective session timeout and heartbeat interval
     */
    public static GroupCoordinator start(GroupConfig config, CoordinatorLog<GroupCoordinatorRecord> log, Time time,
                                         Timer timer, ShareStatePersister persister, GroupConfigView shareConfigs,
                                         ConsumerGroupConfigView consumerConfigs) {
        return new GroupCoordinator(config, log, time, timer, persister, shareConfigs, consumerConfigs,
                CoordinatorLoop.ownThread("herald-group-coordinator"));
    }

    /**
     * A coordinator on {@code loop}, which its caller runs and stops (tests use a manual executor); consumer groups
     * get the broker's {@code group.consumer.*} settings.
     */
    public static GroupCoordinator onLoop(GroupConfig config, CoordinatorLog<GroupCoordinatorRecord> log, Time time,
                                          Timer timer, ShareStatePersister persister, GroupConfigView shareConfigs,
                                          Executor loop) {
        return new GroupCoordinator(config, log, time, timer, persister, shareConfigs,
                ConsumerGroupConfigView.fixed(new ConsumerGroupSettings(config.consumer().sessionTimeoutMs(),
                        config.consumer().heartbeatIntervalMs())), CoordinatorLoop.on(loop));
    }

    private GroupCoordinator(GroupConfig config, CoordinatorLog<GroupCoordinatorRecord> log, Time time, Timer timer,
                             ShareStatePersister persister, GroupConfigView shareConfigs,
                             ConsumerGroupConfigView consumerConfigs, CoordinatorLoop loop) {
        this.config = config;
        this.loop = loop;
        this.runtime = new CoordinatorRuntime<GroupCoordinatorShard, GroupCoordinatorRecord>(
                new CoordinatorRuntimeSettings("group", OffsetsTopic.NAME,
                config.offsetsTopicPartitions(), config.offsetsCommitTimeoutMs(), LOAD_RETRY_BACKOFF_MS), log,
                context -> new GroupCoordinatorShard(config, shareConfigs, consumerConfigs, context), time, timer, loop.executor());
        this.shareGroups = new ShareGroupService(runtime, this::partitionFor, persister, timer);
    }

    // ---- leadership ----

    @Override
    public void onBecomeLeader(int partition, int leaderEpoch) {
        runtime.onBecomeLeader(partition, leaderEpoch);
    }

    @Override
    public void onResign(int partition, int leaderEpoch) {
        runtime.onResign(partition, leaderEpoch);
    }

    public int partitionFor(String groupId) {
        return OffsetsTopic.partitionFor(groupId, config.offsetsTopicPartitions());
    }

    /** NONE if the group is served here now, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
    public Errors availability(String groupId) {
        return runtime.availability(partitionFor(groupId));
    }

    // ---- classic groups ----

    public CompletableFuture<JoinGroupResponseData> joinGroup(RequestContext ctx, JoinGroupRequestData req) {
        if (isEmpty(req.groupId())) {
            return CompletableFuture.completedFuture(ClassicGroupManager.joinError(
                    req.memberId() == null ? "" : req.memberId(), Errors.INVALID_GROUP_ID));
        }
        return runtime.scheduleParkedOperation("join-group", partitionFor(req.groupId()),
                (GroupCoordinatorShard shard, CompletableFuture<JoinGroupResponseData> f) -> shard.joinGroup(ctx, req, f));
    }

    public CompletableFuture<SyncGroupResponseData> syncGroup(SyncGroupRequestData req) {
        if (isEmpty(req.groupId())) {
            return CompletableFuture.completedFuture(new SyncGroupResponseData()
                    .setErrorCode(Errors.INVALID_GROUP_ID.code()).setAssignment(new byte[0]));
        }
        return runtime.scheduleParkedOperation("sync-group", partitionFor(req.groupId()),
                (GroupCoordinatorShard shard, CompletableFuture<SyncGroupResponseData> f) -> shard.syncGroup(req, f));
    }

    public CompletableFuture<Errors> heartbeat(HeartbeatRequestData req) {
        if (isEmpty(req.groupId())) {
            return CompletableFuture.completedFuture(Errors.INVALID_GROUP_ID);
        }
        return runtime.scheduleWriteOperation("heartbeat", partitionFor(req.groupId()), s -> s.heartbeat(req));
    }

    public CompletableFuture<LeaveGroupResponseData> leaveGroup(RequestContext ctx, LeaveGroupRequestData req) {
        if (isEmpty(req.groupId())) {
            return CompletableFuture.completedFuture(new LeaveGroupResponseData()
                    .setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        return runtime.scheduleWriteOperation("leave-group", partitionFor(req.groupId()),
                s -> s.leaveGroup(ctx, req));
    }

    // ---- offsets ----

    /**
     * @param partitionExists whether a partition exists (others get UNKNOWN_TOPIC_OR_PARTITION)
     */
    public CompletableFuture<OffsetCommitResponseData> commitOffsets(RequestContext ctx, OffsetCommitRequestData req,
                                                                     Predicate<TopicPartition> partitionExists) {
        if (isEmpty(req.groupId())) {
            return CompletableFuture.failedFuture(new InvalidGroupIdException("The group id is empty."));
        }
        return runtime.scheduleWriteOperation("offset-commit", partitionFor(req.groupId()),
                s -> s.commitOffsets(ctx, req, partitionExists));
    }

    /**
     * The group's committed offsets, and its partitions with offsets of an open transaction. OffsetFetch v9+
     * names the fetching member: for a consumer group its epoch is
     * validated (the future fails with STALE_MEMBER_EPOCH or UNKNOWN_MEMBER_ID).
     */
    public CompletableFuture<CommittedOffsets> committedOffsets(String groupId, String memberId, int memberEpoch) {
        return runtime.scheduleReadOperation("offset-fetch", partitionFor(groupId),
                s -> s.committedOffsets(groupId, memberId, memberEpoch));
    }

    /**
     * TxnOffsetCommit: the offsets are written in the producer's transaction and count once its COMMIT marker
     * reaches the group's partition ({@link #completeTransaction}).
     *
     * @param verification the group partition's guard from verifying the transaction (KIP-890), or
     *                     {@link VerificationGuard#SENTINEL} when the transaction was ongoing there already
     */
    public CompletableFuture<TxnOffsetCommitResponseData> txnCommitOffsets(RequestContext ctx,
                                                                          TxnOffsetCommitRequestData req,
                                                                          Predicate<TopicPartition> partitionExists,
                                                                          VerificationGuard verification) {
        if (isEmpty(req.groupId())) {
            return CompletableFuture.failedFuture(new InvalidGroupIdException("The group id is empty."));
        }
        return runtime.scheduleTransactionalWriteOperation("txn-offset-commit", partitionFor(req.groupId()),
                new TransactionalProducer(req.producerId(), req.producerEpoch()), verification,
                s -> s.txnCommitOffsets(ctx, new TransactionalProducer(req.producerId(), req.producerEpoch()), req,
                        partitionExists));
    }

    /**
     * Writes a transaction's marker to one {@code __consumer_offsets} partition (WriteTxnMarkers): its pending
     * offsets become committed, or are dropped. Answers once the marker is on every in-sync replica.
     */
    public CompletableFuture<Void> completeTransaction(int partition, long producerId, short producerEpoch,
                                                       int coordinatorEpoch, TransactionResult result,
                                                       short transactionVersion) {
        return runtime.scheduleTransactionCompletion("complete-transaction", partition,
                new TransactionalProducer(producerId, producerEpoch),
                new TransactionEnd(coordinatorEpoch, result, transactionVersion));
    }

    public CompletableFuture<OffsetDeleteResponseData> deleteOffsets(OffsetDeleteRequestData req) {
        return runtime.scheduleWriteOperation("offset-delete", partitionFor(req.groupId()),
                s -> s.deleteOffsets(req));
    }

    // ---- KIP-848 consumer groups ----

    /** KIP-848 ConsumerGroupHeartbeat; {@code topics} is the metadata the assignment is computed from. */
    public CompletableFuture<ConsumerGroupHeartbeatResponseData> consumerGroupHeartbeat(
            RequestContext ctx, ConsumerGroupHeartbeatRequestData req, TopicsView topics) {
        return runtime.scheduleWriteOperation("consumer-group-heartbeat", partitionFor(req.groupId()),
                s -> s.consumerGroupHeartbeat(ctx, req, topics));
    }

    /** One group of a ConsumerGroupDescribe: GROUP_ID_NOT_FOUND for classic and unknown groups, as Kafka. */
    public CompletableFuture<ConsumerGroupDescribeResponseData.DescribedGroup> consumerGroupDescribe(
            String groupId, TopicsView topics) {
        return runtime.scheduleReadOperation("consumer-group-describe", partitionFor(groupId),
                s -> s.consumerGroupDescribe(groupId, topics));
    }

    // ---- KIP-932 share groups ----

    /**
     * ShareGroupHeartbeat; {@code topics} is the metadata subscriptions resolve against. Answers once the
     * heartbeat's records are committed; share-partitions it decided to initialize are initialized afterwards.
     */
    public CompletableFuture<ShareGroupHeartbeatResponseData> shareGroupHeartbeat(
            RequestContext ctx, ShareGroupHeartbeatRequestData req, TopicsView topics) {
        return shareGroups.heartbeat(ctx, req, topics);
    }

    /** One group of a ShareGroupDescribe: GROUP_ID_NOT_FOUND for unknown groups and groups of another type. */
    public CompletableFuture<ShareGroupDescribeResponseData.DescribedGroup> shareGroupDescribe(
            String groupId, TopicsView topics) {
        return shareGroups.describe(groupId, topics);
    }

    /**
     * One group of a DescribeShareGroupOffsets (v0-v1): each share-partition's start offset from the persister and,
     * from v1, its lag against {@code endOffsets} (Kafka: end offset - start offset - delivery complete count).
     */
    public CompletableFuture<DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup>
            describeShareGroupOffsets(DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup req,
                                      TopicsView topics, PartitionEndOffsets endOffsets) {
        return shareGroups.describeOffsets(req, topics, endOffsets);
    }

    /**
     * AlterShareGroupOffsets, for an empty (or new) share group: initializes each share-partition at its given
     * start offset with a bumped state epoch. Answers once the persister did.
     */
    public CompletableFuture<AlterShareGroupOffsetsResponseData> alterShareGroupOffsets(
            AlterShareGroupOffsetsRequestData req, TopicsView topics) {
        return shareGroups.alterOffsets(req, topics);
    }

    /** DeleteShareGroupOffsets, for an empty share group: deletes the named topics' share state. */
    public CompletableFuture<DeleteShareGroupOffsetsResponseData> deleteShareGroupOffsets(
            DeleteShareGroupOffsetsRequestData req, TopicsView topics) {
        return shareGroups.deleteOffsets(req, topics);
    }

    // ---- admin ----

    public CompletableFuture<DescribeGroupsResponseData.DescribedGroup> describeGroup(String groupId, short version) {
        return runtime.scheduleReadOperation("describe-group", partitionFor(groupId),
                s -> s.describeGroup(groupId, version));
    }

    /** DeleteGroups of one group; a share group's share state is deleted first (NON_EMPTY_GROUP unless empty). */
    public CompletableFuture<DeleteGroupsResponseData.DeletableGroupResult> deleteGroup(String groupId) {
        return shareGroups.deleteGroup(groupId);
    }

    /**
     * Groups of the partitions served here; the error is COORDINATOR_LOAD_IN_PROGRESS while a partition led here
     * loads. Partitions led elsewhere are another coordinator's to list.
     */
    public CompletableFuture<ListGroupsResponseData> listGroups(List<String> statesFilter, List<String> typesFilter) {
        return runtime.scheduleReadOnEveryShard("list-groups", s -> s.listGroups(statesFilter, typesFilter))
                .thenApply(all -> {
                    List<ListGroupsResponseData.ListedGroup> groups = new ArrayList<>();
                    all.results().forEach(groups::addAll);
                    return new ListGroupsResponseData().setGroups(groups).setErrorCode((all.someLoading()
                            ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NONE).code());
                });
    }

    private static boolean isEmpty(String groupId) {
        return groupId == null || groupId.isEmpty();
    }

    /** Unloads every partition (parked requests answer NOT_COORDINATOR) and stops the loop thread it owns. */
    @Override
    public void close() {
        runtime.close();
        loop.close();
    }
}
