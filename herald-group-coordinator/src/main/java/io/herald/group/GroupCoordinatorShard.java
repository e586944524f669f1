package io.herald.group;

import io.herald.common.time.Time;
import io.herald.coordinator.runtime.CoordinatorResult;
import io.herald.coordinator.runtime.CoordinatorShard;
import io.herald.coordinator.runtime.CoordinatorShardContext;
import io.herald.coordinator.runtime.TransactionalProducer;
import io.herald.group.classic.ClassicGroup;
import io.herald.group.classic.ClassicGroupManager;
import io.herald.group.classic.GroupState;
import io.herald.group.config.ConsumerGroupConfigView;
import io.herald.group.config.GroupConfigView;
import io.herald.group.consumer.ConsumerGroup;
import io.herald.group.consumer.HeartbeatContext;
import io.herald.group.consumer.TopicsView;
import io.herald.group.offsets.OffsetAndMetadata;
import io.herald.group.offsets.OffsetManager;
import io.herald.group.offsets.OffsetStore;
import io.herald.group.offsets.TransactionalOffsets;
import io.herald.group.record.ConsumerGroupRecord;
import io.herald.group.record.GroupCoordinatorRecord;
import io.herald.group.record.GroupRecord;
import io.herald.group.record.ShareGroupRecord.TopicPartitions;
import io.herald.group.record.ShareGroupRecord;
import io.herald.group.share.ShareGroupDeletion;
import io.herald.group.share.ShareGroupManager;
import io.herald.group.share.ShareHeartbeatResult;
import io.herald.group.share.ShareOffsetsAlteration;
import io.herald.group.share.ShareOffsetsDeletion;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
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
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;

/**
 * The groups and offsets of one {@code __consumer_offsets} partition, as a shard of the coordinator runtime:
 * classic groups ({@link ClassicGroupManager}), KIP-848 consumer groups ({@link ConsumerGroups}), KIP-932 share
 * groups ({@link ShareGroupManager}), committed offsets ({@link OffsetManager}) and the admin APIs over them
 * ({@link GroupAdmin}). Group ids never cross partitions, so a shard knows every group it needs, and a group id
 * is of one type: an API of another type answers as Kafka does (a JoinGroup on a share group's id:
 * INCONSISTENT_GROUP_PROTOCOL).
 *
 * <p>Every operation here returns its records as a {@link CoordinatorResult#applied} result: the parts have
 * already applied them through {@link RecordSink} (offsets and tombstones by {@link #replay}; KIP-848 records by
 * the consumer group shard while it computes; a classic group's metadata as a snapshot of the in-memory group).
 * The runtime appends them as one batch and reloads the partition if that fails.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class GroupCoordinatorShard implements CoordinatorShard<GroupCoordinatorRecord> {
    private static final String EXPIRE_OFFSETS_KEY = "expire-offsets";

    private final GroupConfig config;
    private final Time time;
    private final GroupTimer timer;
    private final List<GroupCoordinatorRecord> pending = new ArrayList<>();
    private final RecordSink sink = new RecordSink() {
        @Override
        public void applyAndWrite(GroupCoordinatorRecord record) {
            replay(record);
            pending.add(record);
        }

        @Override
        public void writeApplied(GroupCoordinatorRecord record) {
            pending.add(record);
        }
    };
    final ClassicGroupManager classic;
    final ConsumerGroups consumerGroups;
    final ShareGroupManager shareGroups;
    final OffsetStore store;
    final OffsetManager offsets;
    final TransactionalOffsets transactionalOffsets;
    final GroupAdmin admin;
    /** Groups seen only through offset commits while loading (see {@link #onLoaded}); null once loaded. */
    private Set<String> offsetOnlyGroups = new HashSet<>();

    /**
     * @param shareConfigs    the effective settings of each share group (session timeout, heartbeat interval, ...)
     * @param consumerConfigs the effective session timeout and heartbeat interval of each KIP-848 consumer group
     */
    GroupCoordinatorShard(GroupConfig config, GroupConfigView shareConfigs, ConsumerGroupConfigView consumerConfigs,
                          CoordinatorShardContext<GroupCoordinatorRecord> context) {
        this.config = config;
        this.time = context.time();
        this.timer = new GroupTimer() {
            @Override
            public void schedule(String key, long delayMs, Runnable task) {
                context.timer().schedule(key, delayMs, () -> {
                    task.run();
                    return written(null);
                });
            }

            @Override
            public void cancel(String key) {
                context.timer().cancel(key);
            }

            @Override
            public boolean isScheduled(String key) {
                return context.timer().isScheduled(key);
            }
        };
        this.classic = new ClassicGroupManager(config, time, timer, sink);
        // The predicates are only called by operations, when every manager exists.
        this.shareGroups = new ShareGroupManager(time, timer, sink, shareConfigs, this::isClassicOrConsumerGroup,
                Math.max(ShareGroupManager.DEFAULT_INITIALIZE_RETRY_INTERVAL_MS, config.offsetsCommitTimeoutMs()));
        // A consumer heartbeat or describe on a classic or a share group's id: "Group X is not a consumer group."
        this.consumerGroups = new ConsumerGroups(config.consumer(), consumerConfigs, time, timer, sink,
                id -> classic.group(id).isPresent() || shareGroups.exists(id));
        this.store = new OffsetStore();
        this.offsets = new OffsetManager(config, time, classic, consumerGroups, shareGroups::exists, store, sink);
        this.transactionalOffsets = new TransactionalOffsets(config, time, classic, consumerGroups,
                shareGroups::exists);
        this.admin = new GroupAdmin(classic, consumerGroups, shareGroups, store, sink);
    }

    private boolean isClassicOrConsumerGroup(String groupId) {
        return classic.group(groupId).isPresent() || consumerGroups.exists(groupId);
    }

    /** What an operation wrote so far, with its response; the pending list starts empty for the next one. */
    <T> CoordinatorResult<T, GroupCoordinatorRecord> written(T response) {
        List<GroupCoordinatorRecord> records = List.copyOf(pending);
        pending.clear();
        return CoordinatorResult.applied(records, response);
    }

    // ---- replay and loading ----

    @Override
    public void replay(GroupCoordinatorRecord record) {
        switch (record) {
            case GroupRecord.OffsetCommit oc -> {
                if (offsetOnlyGroups != null && oc.value().isPresent() && classic.group(oc.groupId()).isEmpty()) {
                    // Maybe a simple group that exists only through its offsets, maybe a consumer group whose
                    // records come later in the log (compaction reorders keys): decided in onLoaded.
                    offsetOnlyGroups.add(oc.groupId());
                }
                store.replay(oc);
            }
            case GroupRecord.GroupMetadata gm -> classic.replay(gm);
            case ConsumerGroupRecord cg -> consumerGroups.replay(cg);
            case ShareGroupRecord sg -> shareGroups.replay(sg);
        }
    }

    /** An offset commit of a producer's transaction: it counts once the transaction commits. */
    @Override
    public void replayTransactional(TransactionalProducer producer, GroupCoordinatorRecord record) {
        if (!(record instanceof GroupRecord.OffsetCommit oc)) {
            throw new IllegalStateException("only offset commits are written in transactions, not " + record);
        }
        if (offsetOnlyGroups != null && oc.value().isPresent() && classic.group(oc.groupId()).isEmpty()) {
            offsetOnlyGroups.add(oc.groupId());
        }
        store.replayPending(producer.producerId(), oc);
    }

    @Override
    public void replayEndTransactionMarker(TransactionalProducer producer, TransactionResult result) {
        store.completeTransaction(producer.producerId(), result == TransactionResult.COMMIT);
    }

    /** After the partition's records were replayed: restores offset-only groups, arms the timers. */
    @Override
    public void onLoaded() {
        for (String groupId : offsetOnlyGroups) {
            // A group may exist only through its offsets (simple commits): it must exist after load.
            if (store.hasOffsets(groupId) && !consumerGroups.exists(groupId) && !shareGroups.exists(groupId)) {
                classic.getOrCreate(groupId);
            }
        }
        offsetOnlyGroups = null;
        classic.onLoaded();
        consumerGroups.onLoaded();
        shareGroups.onLoaded();
        scheduleOffsetExpiry();
    }

    /**
     * The partition is no longer served here (or is being reloaded): parked joins and syncs answer
     * NOT_COORDINATOR. The runtime has cancelled the timers; nothing is written.
     */
    @Override
    public void onUnloaded() {
        classic.unload();
    }

    private void scheduleOffsetExpiry() {
        timer.schedule(EXPIRE_OFFSETS_KEY, config.retentionCheckIntervalMs(), () -> {
            offsets.expireOffsets();
            scheduleOffsetExpiry();
        });
    }

    // ---- classic groups ----

    CoordinatorResult<Void, GroupCoordinatorRecord> joinGroup(RequestContext ctx, JoinGroupRequestData req,
                                                              CompletableFuture<JoinGroupResponseData> future) {
        if (shareGroups.exists(req.groupId())) {
            // Kafka: a classic member cannot join a share group, whatever its state.
            future.complete(ClassicGroupManager.joinError("", Errors.INCONSISTENT_GROUP_PROTOCOL));
            return written(null);
        }
        Optional<ConsumerGroup> consumerGroup = consumerGroups.group(req.groupId());
        if (consumerGroup.isPresent()) {
            String memberId = req.memberId() == null ? "" : req.memberId();
            // Kafka 4.x lets classic members join a non-empty consumer group (KIP-848 online migration);
            // Herald does not mix protocols in one group and refuses as Kafka does for incompatible protocols.
            Errors error = consumerGroup.get().members().isEmpty() ? consumerGroups.delete(req.groupId())
                    : Errors.INCONSISTENT_GROUP_PROTOCOL;
            if (error != Errors.NONE) {
                future.complete(ClassicGroupManager.joinError(memberId, error));
                return written(null);
            }
        }
        classic.joinGroup(ctx, req, future);
        return written(null);
    }

    CoordinatorResult<Void, GroupCoordinatorRecord> syncGroup(SyncGroupRequestData req,
                                                              CompletableFuture<SyncGroupResponseData> future) {
        classic.syncGroup(req, future);
        return written(null);
    }

    CoordinatorResult<Errors, GroupCoordinatorRecord> heartbeat(HeartbeatRequestData req) {
        return written(classic.heartbeat(req));
    }

    CoordinatorResult<LeaveGroupResponseData, GroupCoordinatorRecord> leaveGroup(RequestContext ctx,
                                                                                 LeaveGroupRequestData req) {
        if (shareGroups.exists(req.groupId())) {
            // Kafka's classicGroupLeave throws UNKNOWN_MEMBER_ID for a group that is neither classic nor consumer.
            return written(new LeaveGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
        }
        return written(classic.leaveGroup(ctx, req));
    }

    // ---- KIP-848 consumer groups ----

    CoordinatorResult<ConsumerGroupHeartbeatResponseData, GroupCoordinatorRecord> consumerGroupHeartbeat(
            RequestContext ctx, ConsumerGroupHeartbeatRequestData req, TopicsView topics) {
        if (req.memberEpoch() == 0 && req.groupId() != null) {
            maybeDeleteEmptyClassicGroup(req.groupId());
        }
        return written(consumerGroups.heartbeat(req, new HeartbeatContext(ctx.clientId(), ctx.clientHost(),
                ctx.apiVersion()), topics));
    }

    /** A member joining with the consumer protocol takes over an empty classic group (offline upgrade). */
    private void maybeDeleteEmptyClassicGroup(String groupId) {
        Optional<ClassicGroup> group = classic.group(groupId);
        if (group.isPresent() && group.get().isInState(GroupState.EMPTY) && !consumerGroups.exists(groupId)) {
            sink.applyAndWrite(new GroupRecord.GroupMetadata(groupId, Optional.empty()));
        }
    }

    ConsumerGroupDescribeResponseData.DescribedGroup consumerGroupDescribe(String groupId, TopicsView topics) {
        return consumerGroups.describe(groupId, topics);
    }

    // ---- KIP-932 share groups ----

    CoordinatorResult<ShareHeartbeatResult, GroupCoordinatorRecord> shareGroupHeartbeat(
            RequestContext ctx, ShareGroupHeartbeatRequestData req, TopicsView topics) {
        return written(shareGroups.heartbeat(ctx, req, topics));
    }

    ShareGroupDescribeResponseData.DescribedGroup shareGroupDescribe(String groupId, TopicsView topics) {
        return shareGroups.describe(groupId, topics);
    }

    /** The persister answered initializations: see {@link ShareGroupManager#onInitialized}. */
    CoordinatorResult<Void, GroupCoordinatorRecord> shareStateInitialized(
            String groupId, Map<Uuid, TopicPartitions> initialized, Map<Uuid, TopicPartitions> failed) {
        shareGroups.onInitialized(groupId, initialized, failed);
        return written(null);
    }

    Map<Uuid, Set<Integer>> initializedSharePartitions(String groupId) {
        return shareGroups.initializedPartitions(groupId);
    }

    CoordinatorResult<ShareOffsetsAlteration, GroupCoordinatorRecord> alterShareGroupOffsets(
            AlterShareGroupOffsetsRequestData req, TopicsView topics) {
        return written(shareGroups.alterOffsets(req, topics));
    }

    CoordinatorResult<ShareOffsetsDeletion, GroupCoordinatorRecord> prepareDeleteShareGroupOffsets(
            DeleteShareGroupOffsetsRequestData req, TopicsView topics) {
        return written(shareGroups.prepareDeleteOffsets(req, topics));
    }

    CoordinatorResult<Void, GroupCoordinatorRecord> shareGroupOffsetsDeleted(String groupId, Set<Uuid> topics) {
        shareGroups.onOffsetsDeleted(groupId, topics);
        return written(null);
    }

    // ---- offsets ----

    CoordinatorResult<OffsetCommitResponseData, GroupCoordinatorRecord> commitOffsets(
            RequestContext ctx, OffsetCommitRequestData req, Predicate<TopicPartition> partitionExists) {
        return written(offsets.commit(ctx, req, partitionExists));
    }

    /**
     * TxnOffsetCommit: the offsets are written in the producer's transaction ({@code producer}'s transactional
     * batch) and stay pending until its marker.
     */
    CoordinatorResult<TxnOffsetCommitResponseData, GroupCoordinatorRecord> txnCommitOffsets(
            RequestContext ctx, TransactionalProducer producer, TxnOffsetCommitRequestData req,
            Predicate<TopicPartition> partitionExists) {
        TransactionalOffsets.Commit commit = transactionalOffsets.commit(ctx, req, partitionExists);
        commit.records().forEach(r -> replayTransactional(producer, r));
        List<GroupCoordinatorRecord> records = new ArrayList<>(pending);
        pending.clear();
        records.addAll(commit.records());
        return CoordinatorResult.applied(records, commit.response());
    }

    /**
     * The group's committed offsets for an OffsetFetch; a fetch by a consumer group member (v9+: member id and
     * epoch) is validated first, failing with STALE_MEMBER_EPOCH or UNKNOWN_MEMBER_ID as in Kafka.
     */
    CommittedOffsets committedOffsets(String groupId, String memberId, int memberEpoch) {
        if (consumerGroups.exists(groupId)) {
            Errors error = consumerGroups.validateOffsetFetch(groupId, memberId, memberEpoch);
            if (error != Errors.NONE) {
                throw error.exception();
            }
        }
        return new CommittedOffsets(offsets.committed(groupId), store.pendingPartitions(groupId));
    }

    CoordinatorResult<OffsetDeleteResponseData, GroupCoordinatorRecord> deleteOffsets(OffsetDeleteRequestData req) {
        return written(offsets.deleteOffsets(req));
    }

    // ---- admin ----

    DescribeGroupsResponseData.DescribedGroup describeGroup(String groupId, short version) {
        return admin.describe(groupId, version);
    }

    CoordinatorResult<DeleteGroupsResponseData.DeletableGroupResult, GroupCoordinatorRecord> deleteGroup(
            String groupId) {
        return written(admin.delete(groupId));
    }

    /**
     * DeleteGroups' first step: a share group first has its share state deleted (Kafka's
     * sharePartitionDeleteRequests), which {@link GroupDeletionStep.DeleteShareState} asks for; any other group is
     * deleted at once ({@link GroupDeletionStep.Done}).
     */
    CoordinatorResult<GroupDeletionStep, GroupCoordinatorRecord> prepareDeleteGroup(String groupId) {
        if (!shareGroups.exists(groupId)) {
            return written(new GroupDeletionStep.Done(admin.delete(groupId)));
        }
        ShareGroupDeletion deletion = shareGroups.prepareDelete(groupId);
        if (deletion.error() != Errors.NONE) {
            return written(new GroupDeletionStep.Done(new DeleteGroupsResponseData.DeletableGroupResult()
                    .setGroupId(groupId).setErrorCode(deletion.error().code())));
        }
        return written(new GroupDeletionStep.DeleteShareState(deletion.stateToDelete()));
    }

    List<ListGroupsResponseData.ListedGroup> listGroups(List<String> statesFilter, List<String> typesFilter) {
        return admin.list(statesFilter, typesFilter);
    }
}
