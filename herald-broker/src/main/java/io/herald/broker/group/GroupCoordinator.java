package io.herald.broker.group;

import io.herald.broker.group.modern.ConsumerGroupRecord;
import io.herald.broker.group.modern.TopicsView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
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
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator of this broker: the facade request handlers call. Every group of every
 * {@code __consumer_offsets} partition is coordinated here (a single node is the leader of all of them):
 * classic groups and KIP-848 consumer groups, whose records share the partitions.
 *
 * <p>Threading: all coordinator state is confined to one thread, {@code herald-group-coordinator}, the only
 * thread of a scheduled executor. Operations are submitted to it and answer with futures; parked requests
 * (JoinGroup, SyncGroup) are futures completed later on that thread; timers are tasks of the same executor;
 * appends to {@code __consumer_offsets} run on it too (page-cache writes, like a produce). Nothing here takes
 * a lock or waits.
 *
 * <p>Loading: at startup every partition is replayed from its start by a task of its own, so requests for
 * loaded partitions interleave with the loading of others; until its partition is loaded a group answers
 * COORDINATOR_LOAD_IN_PROGRESS (FindCoordinator says so too).
 */
public final class GroupCoordinator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);

    /** Where a {@code __consumer_offsets} partition stands. */
    private enum Load { LOADING, LOADED }

    private final GroupConfig config;
    private final GroupLog groupLog;
    private final ScheduledExecutorService executor;
    private final GroupShard shard;
    private final AtomicReferenceArray<Load> partitions;
    private volatile Thread coordinatorThread;

    public GroupCoordinator(GroupConfig config, GroupLog groupLog, Time time) {
        this.config = config;
        this.groupLog = groupLog;
        ScheduledThreadPoolExecutor stpe = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "herald-group-coordinator");
            t.setDaemon(true);
            coordinatorThread = t;
            return t;
        });
        // On close, queued operations finish but timers (sessions, rebalances, expiry) are dropped.
        stpe.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        stpe.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        stpe.setRemoveOnCancelPolicy(true);
        this.executor = stpe;
        this.shard = new GroupShard(config, time, new ExecutorTimer(executor),
                (groupId, records) -> groupLog.append(partitionFor(groupId), records),
                new ConsumerGroupShards.Log() {
                    @Override
                    public void append(int partition, List<ConsumerGroupRecord> records) {
                        groupLog.appendConsumerGroup(partition, records);
                    }

                    @Override
                    public void replay(int partition, Consumer<ConsumerGroupRecord> replay) {
                        groupLog.replay(partition, r -> { }, replay);
                    }
                });
        this.partitions = new AtomicReferenceArray<>(config.offsetsTopicPartitions());
        for (int p = 0; p < partitions.length(); p++) {
            partitions.set(p, Load.LOADING);
        }
    }

    /** Starts loading every partition and the offset expiry task. */
    public void startup() {
        for (int p = 0; p < partitions.length(); p++) {
            int partition = p;
            executor.execute(() -> load(partition));
        }
        executor.scheduleWithFixedDelay(this::expireOffsets, config.retentionCheckIntervalMs(),
                config.retentionCheckIntervalMs(), TimeUnit.MILLISECONDS);
    }

    private void load(int partition) {
        if (!groupLog.isAvailable(partition)) {
            // The partition appears when the metadata image reaches the replica manager; try again shortly.
            executor.schedule(() -> load(partition), 100, TimeUnit.MILLISECONDS);
            return;
        }
        long start = System.nanoTime();
        try {
            long records = groupLog.replay(partition, shard::replay, r -> shard.replay(partition, r));
            shard.onLoaded(partition);
            partitions.set(partition, Load.LOADED);
            if (records > 0) {
                log.info("Loaded {} records of {}-{} in {} ms", records, OffsetsTopic.NAME, partition,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
        } catch (RuntimeException e) {
            log.error("Loading {}-{} failed; retrying in 1 s", OffsetsTopic.NAME, partition, e);
            executor.schedule(() -> load(partition), 1, TimeUnit.SECONDS);
        }
    }

    private void expireOffsets() {
        try {
            shard.offsets.expireOffsets();
        } catch (RuntimeException e) {
            log.error("Offset expiry failed", e);
        }
    }

    public int partitionFor(String groupId) {
        return OffsetsTopic.partitionFor(groupId, partitions.length());
    }

    /** Whether this coordinator can answer for the group now (its partition is loaded). */
    public Errors availability(String groupId) {
        return partitions.get(partitionFor(groupId)) == Load.LOADED ? Errors.NONE
                : Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }

    // ---- operations ----

    public CompletableFuture<JoinGroupResponseData> joinGroup(RequestContext ctx, JoinGroupRequestData req) {
        return parked(req.groupId(), f -> shard.joinGroup(ctx, req, f));
    }

    public CompletableFuture<SyncGroupResponseData> syncGroup(SyncGroupRequestData req) {
        return parked(req.groupId(), f -> shard.groups.syncGroup(req, f));
    }

    public CompletableFuture<Errors> heartbeat(HeartbeatRequestData req) {
        return submit(req.groupId(), () -> shard.groups.heartbeat(req));
    }

    public CompletableFuture<LeaveGroupResponseData> leaveGroup(RequestContext ctx, LeaveGroupRequestData req) {
        return submit(req.groupId(), () -> shard.groups.leaveGroup(ctx, req));
    }

    public CompletableFuture<OffsetCommitResponseData> commitOffsets(RequestContext ctx, OffsetCommitRequestData req,
                                                                     Predicate<TopicPartition> partitionExists) {
        return submit(req.groupId(), () -> shard.offsets.commit(ctx, req, partitionExists));
    }

    public CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> committedOffsets(String groupId) {
        return submit(groupId, () -> shard.offsets.committed(groupId));
    }

    /**
     * OffsetFetch v9+ names the fetching member: for a consumer group its epoch is validated (the future fails
     * with STALE_MEMBER_EPOCH or UNKNOWN_MEMBER_ID).
     */
    public CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> committedOffsets(String groupId, String memberId,
                                                                                   int memberEpoch) {
        return submit(groupId, () -> shard.committed(groupId, memberId, memberEpoch));
    }

    /** KIP-848 ConsumerGroupHeartbeat; {@code topics} is the metadata the assignment is computed from. */
    public CompletableFuture<ConsumerGroupHeartbeatResponseData> consumerGroupHeartbeat(
            RequestContext ctx, ConsumerGroupHeartbeatRequestData req, TopicsView topics) {
        return submit(req.groupId(), () -> shard.consumerGroupHeartbeat(ctx, req, topics));
    }

    /** One group of a ConsumerGroupDescribe: GROUP_ID_NOT_FOUND for classic and unknown groups, as Kafka. */
    public CompletableFuture<ConsumerGroupDescribeResponseData.DescribedGroup> consumerGroupDescribe(
            String groupId, TopicsView topics) {
        return submit(groupId, () -> shard.consumerGroups.describe(groupId, topics));
    }

    public CompletableFuture<OffsetDeleteResponseData> deleteOffsets(OffsetDeleteRequestData req) {
        return submit(req.groupId(), () -> shard.offsets.deleteOffsets(req));
    }

    public CompletableFuture<DescribeGroupsResponseData.DescribedGroup> describeGroup(String groupId, short version) {
        return submit(groupId, () -> shard.admin.describe(groupId, version));
    }

    public CompletableFuture<DeleteGroupsResponseData.DeletableGroupResult> deleteGroup(String groupId) {
        return submit(groupId, () -> shard.admin.delete(groupId));
    }

    /** Groups of loaded partitions; the error is COORDINATOR_LOAD_IN_PROGRESS while any partition loads. */
    public CompletableFuture<ListGroupsResponseData> listGroups(List<String> statesFilter, List<String> typesFilter) {
        CompletableFuture<ListGroupsResponseData> f = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                boolean loading = false;
                for (int p = 0; p < partitions.length(); p++) {
                    loading |= partitions.get(p) != Load.LOADED;
                }
                f.complete(new ListGroupsResponseData()
                        .setErrorCode((loading ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NONE).code())
                        .setGroups(new ArrayList<>(shard.admin.list(statesFilter, typesFilter))));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private <T> CompletableFuture<T> submit(String groupId, java.util.function.Supplier<T> op) {
        return parked(groupId, f -> f.complete(op.get()));
    }

    /**
     * Runs {@code op} on the coordinator thread once the group's partition is loaded; {@code op} completes the
     * future now or later. Fails the future with the Kafka exception the handler turns into an error code.
     */
    private <T> CompletableFuture<T> parked(String groupId, Consumer<CompletableFuture<T>> op) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                assert Thread.currentThread() == coordinatorThread;
                try {
                    if (availability(groupId) != Errors.NONE) {
                        throw new CoordinatorLoadInProgressException("The coordinator is loading "
                                + OffsetsTopic.NAME + "-" + partitionFor(groupId));
                    }
                    op.accept(f);
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            f.completeExceptionally(new CoordinatorNotAvailableException("The coordinator is shutting down"));
        }
        return f;
    }

    /** Runs {@code fn} on the coordinator thread; for tests and diagnostics. */
    <T> CompletableFuture<T> onCoordinatorThread(Function<GroupShard, T> fn) {
        return CompletableFuture.supplyAsync(() -> fn.apply(shard), executor);
    }

    @Override
    public void close() {
        // Not shutdownNow: interrupting an append would close the log's FileChannel (ClosedByInterruptException).
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("The group coordinator thread did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
