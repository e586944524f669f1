package io.herald.group;

import io.herald.common.time.Time;
import io.herald.coordinator.runtime.CoordinatorResult;
import io.herald.coordinator.runtime.CoordinatorShard;
import io.herald.coordinator.runtime.CoordinatorShardContext;
import io.herald.coordinator.runtime.TransactionalProducer;
import io.herald.group.classic.ClassicGroup;
import io.herald.group.classic.ClassicGroupManager;
import io.herald.group.classic.GroupState;
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
import io.herald.group.record.ShareGroupRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
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
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;

/**
 * The groups and offsets of one {@code __consumer_offsets} partition, as a shard of the coordinator runtime:
 * classic groups ({@link ClassicGroupManager}), KIP-848 consumer groups ({@link ConsumerGroups}), committed
 * offsets ({@link OffsetManager}) and the admin APIs over them ({@link GroupAdmin}). Group ids never cross
 * partitions, so a shard knows every group it needs.
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
    final OffsetStore store;
    final OffsetManager offsets;
    final TransactionalOffsets transactionalOffsets;
    final GroupAdmin admin;
    /** Groups seen only through offset commits while loading (see {@link #onLoaded}); null once loaded. */
    private Set<String> offsetOnlyGroups = new HashSet<>();

    GroupCoordinatorShard(GroupConfig config, CoordinatorShardContext<GroupCoordinatorRecord> context) {
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
        this.consumerGroups = new ConsumerGroups(config.consumer(), time, timer, sink,
                id -> classic.group(id).isPresent());
        this.store = new OffsetStore();
        this.offsets = new OffsetManager(config, time, classic, consumerGroups, store, sink);
        this.transactionalOffsets = new TransactionalOffsets(config, time, classic, consumerGroups);
        this.admin = new GroupAdmin(classic, consumerGroups, store, sink);
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
            case ShareGroupRecord sg -> {
                // Nothing writes share group records yet.
            }
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
            if (store.hasOffsets(groupId) && !consumerGroups.exists(groupId)) {
                classic.getOrCreate(groupId);
            }
        }
        offsetOnlyGroups = null;
        classic.onLoaded();
        consumerGroups.onLoaded();
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

    List<ListGroupsResponseData.ListedGroup> listGroups(List<String> statesFilter, List<String> typesFilter) {
        return admin.list(statesFilter, typesFilter);
    }
}
