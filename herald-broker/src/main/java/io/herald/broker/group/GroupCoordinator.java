package io.herald.broker.group;

import io.herald.broker.group.modern.ConsumerGroupRecord;
import io.herald.broker.group.modern.TopicsView;
import io.herald.broker.replica.LeadershipListener;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
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
 * The group coordinator of this broker: the facade request handlers call. It coordinates the groups of the
 * {@code __consumer_offsets} partitions this broker leads (classic groups and KIP-848 consumer groups, whose
 * records share the partitions), following leadership as the replica manager reports it
 * ({@link LeadershipListener}).
 *
 * <p>Threading: all coordinator state is confined to one thread, {@code herald-group-coordinator}, the only
 * thread of a scheduled executor. Operations are submitted to it and answer with futures; parked requests
 * (JoinGroup, SyncGroup) are futures completed later on that thread; timers are tasks of the same executor;
 * appends to {@code __consumer_offsets} run on it too (page-cache writes, like a produce). Nothing here takes
 * a lock or waits. The leadership callbacks only record the new leadership and submit a task.
 *
 * <p>Loading: becoming leader of a partition at epoch E schedules its load (replay from the log start to the
 * log END offset: a new leader's high watermark may lag its log). A load applies only if this broker still
 * leads the partition at E when it starts and when it ends; otherwise it is discarded (a resign or a newer
 * become-leader overtook it, and scheduled its own task). A newer epoch while the partition stays loaded here
 * keeps the state (this broker wrote all of it). Resigning unloads the partition: its groups are dropped, their
 * parked joins and syncs answer NOT_COORDINATOR, their timers are cancelled; nothing is written.
 *
 * <p>Invariant: a group is served only when its partition is led here and loaded at the leader epoch
 * ({@link #availability}); otherwise requests get NOT_COORDINATOR (not led here) or COORDINATOR_LOAD_IN_PROGRESS,
 * and appends are refused with NOT_COORDINATOR (a timer may fire between a resign and the unload).
 */
public final class GroupCoordinator implements LeadershipListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);
    private static final long RETRY_UNAVAILABLE_MS = 100;
    private static final long RETRY_FAILED_MS = 1000;

    private final GroupConfig config;
    private final GroupLog groupLog;
    private final ScheduledExecutorService executor;
    private final GroupShard shard;
    /** Per partition: the leader epoch this broker leads it at, or -1. Written by the leadership callbacks. */
    private final AtomicIntegerArray leaderEpochs;
    /** Per partition: the leader epoch its groups are loaded at here, or -1. Written on the coordinator thread. */
    private final AtomicIntegerArray loadedEpochs;
    private volatile Thread coordinatorThread;
    /** Partitions the running operation appended to. Confined to the coordinator thread. */
    private final BitSet appendedByOperation = new BitSet();

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
                (groupId, records) -> {
                    int partition = partitionFor(groupId);
                    checkServing(partition);
                    groupLog.append(partition, records);
                    appendedByOperation.set(partition);
                },
                new ConsumerGroupShards.Log() {
                    @Override
                    public void append(int partition, List<ConsumerGroupRecord> records) {
                        checkServing(partition);
                        groupLog.appendConsumerGroup(partition, records);
                        appendedByOperation.set(partition);
                    }

                    @Override
                    public void replay(int partition, Consumer<ConsumerGroupRecord> replay) {
                        groupLog.replay(partition, r -> { }, replay);
                    }
                });
        int partitions = config.offsetsTopicPartitions();
        this.leaderEpochs = new AtomicIntegerArray(partitions);
        this.loadedEpochs = new AtomicIntegerArray(partitions);
        for (int p = 0; p < partitions; p++) {
            leaderEpochs.set(p, -1);
            loadedEpochs.set(p, -1);
        }
    }

    /** Starts the offset expiry task. Partitions load when this broker becomes their leader. */
    public void startup() {
        executor.scheduleWithFixedDelay(this::expireOffsets, config.retentionCheckIntervalMs(),
                config.retentionCheckIntervalMs(), TimeUnit.MILLISECONDS);
    }

    // ---- leadership ----

    @Override
    public void onBecomeLeader(TopicPartition tp, int leaderEpoch) {
        int partition = offsetsPartition(tp);
        if (partition < 0) {
            return;
        }
        leaderEpochs.set(partition, leaderEpoch);
        run(() -> load(partition, leaderEpoch));
    }

    @Override
    public void onResign(TopicPartition tp, int leaderEpoch) {
        int partition = offsetsPartition(tp);
        if (partition < 0) {
            return;
        }
        leaderEpochs.set(partition, -1);
        run(() -> unload(partition, leaderEpoch));
    }

    /** The partition index of a {@code __consumer_offsets} partition this coordinator places groups on, or -1. */
    private int offsetsPartition(TopicPartition tp) {
        if (!tp.topic().equals(OffsetsTopic.NAME)) {
            return -1;
        }
        if (tp.partition() >= leaderEpochs.length()) {
            log.warn("Ignoring leadership of {}: groups are placed on {} partitions", tp, leaderEpochs.length());
            return -1;
        }
        return tp.partition();
    }

    private void run(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // closing: nothing to load or unload any more
        }
    }

    private void load(int partition, int epoch) {
        if (leaderEpochs.get(partition) != epoch) {
            return; // overtaken by a resign or a newer epoch, which scheduled its own task
        }
        if (loadedEpochs.get(partition) >= 0) {
            // Led here without a break since an older epoch: the state in memory is the partition's.
            loadedEpochs.set(partition, epoch);
            return;
        }
        if (!groupLog.isAvailable(partition)) {
            executor.schedule(() -> load(partition, epoch), RETRY_UNAVAILABLE_MS, TimeUnit.MILLISECONDS);
            return;
        }
        long start = System.nanoTime();
        shard.unload(partition); // a clean slate, whatever a failed append's reload left behind
        try {
            long records = groupLog.replay(partition, shard::replay, r -> shard.replay(partition, r));
            if (leaderEpochs.get(partition) != epoch) {
                shard.unload(partition);
                log.info("Discarded the load of {}-{} at leader epoch {}: leadership changed while it ran",
                        OffsetsTopic.NAME, partition, epoch);
                return;
            }
            shard.onLoaded(partition);
            loadedEpochs.set(partition, epoch);
            if (records > 0) {
                log.info("Loaded {} records of {}-{} at leader epoch {} in {} ms", records, OffsetsTopic.NAME,
                        partition, epoch, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            } else {
                log.debug("Loaded the empty {}-{} at leader epoch {}", OffsetsTopic.NAME, partition, epoch);
            }
        } catch (RuntimeException e) {
            shard.unload(partition); // forget what the failed replay applied
            log.error("Loading {}-{} failed; retrying in {} ms", OffsetsTopic.NAME, partition, RETRY_FAILED_MS, e);
            executor.schedule(() -> load(partition, epoch), RETRY_FAILED_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void unload(int partition, int epoch) {
        boolean loaded = loadedEpochs.get(partition) >= 0;
        shard.unload(partition);
        loadedEpochs.set(partition, -1);
        if (loaded) {
            log.info("Unloaded the groups of {}-{}: this broker no longer leads it (leader epoch {})",
                    OffsetsTopic.NAME, partition, epoch);
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
        return OffsetsTopic.partitionFor(groupId, leaderEpochs.length());
    }

    /**
     * Whether this coordinator can answer for the group now: NONE (its partition is led and loaded here),
     * NOT_COORDINATOR (not led here) or COORDINATOR_LOAD_IN_PROGRESS.
     */
    public Errors availability(String groupId) {
        return availability(partitionFor(groupId));
    }

    private Errors availability(int partition) {
        int leading = leaderEpochs.get(partition);
        if (leading < 0) {
            return Errors.NOT_COORDINATOR;
        }
        return loadedEpochs.get(partition) == leading ? Errors.NONE : Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }

    /** Refuses appends to a partition not served here (a timer firing between a resign and the unload). */
    private void checkServing(int partition) {
        if (availability(partition) != Errors.NONE) {
            throw new NotCoordinatorException("This broker no longer coordinates the groups of "
                    + OffsetsTopic.NAME + "-" + partition);
        }
    }

    // ---- operations ----

    public CompletableFuture<JoinGroupResponseData> joinGroup(RequestContext ctx, JoinGroupRequestData req) {
        return parkedUntilCommitted(req.groupId(), f -> shard.joinGroup(ctx, req, f));
    }

    public CompletableFuture<SyncGroupResponseData> syncGroup(SyncGroupRequestData req) {
        return parkedUntilCommitted(req.groupId(), f -> shard.groups.syncGroup(req, f));
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
        return read(groupId, () -> shard.offsets.committed(groupId));
    }

    /**
     * OffsetFetch v9+ names the fetching member: for a consumer group its epoch is validated (the future fails
     * with STALE_MEMBER_EPOCH or UNKNOWN_MEMBER_ID).
     */
    public CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> committedOffsets(String groupId, String memberId,
                                                                                   int memberEpoch) {
        return read(groupId, () -> shard.committed(groupId, memberId, memberEpoch));
    }

    /** KIP-848 ConsumerGroupHeartbeat; {@code topics} is the metadata the assignment is computed from. */
    public CompletableFuture<ConsumerGroupHeartbeatResponseData> consumerGroupHeartbeat(
            RequestContext ctx, ConsumerGroupHeartbeatRequestData req, TopicsView topics) {
        return submit(req.groupId(), () -> shard.consumerGroupHeartbeat(ctx, req, topics));
    }

    /** One group of a ConsumerGroupDescribe: GROUP_ID_NOT_FOUND for classic and unknown groups, as Kafka. */
    public CompletableFuture<ConsumerGroupDescribeResponseData.DescribedGroup> consumerGroupDescribe(
            String groupId, TopicsView topics) {
        return read(groupId, () -> shard.consumerGroups.describe(groupId, topics));
    }

    public CompletableFuture<OffsetDeleteResponseData> deleteOffsets(OffsetDeleteRequestData req) {
        return submit(req.groupId(), () -> shard.offsets.deleteOffsets(req));
    }

    public CompletableFuture<DescribeGroupsResponseData.DescribedGroup> describeGroup(String groupId, short version) {
        return read(groupId, () -> shard.admin.describe(groupId, version));
    }

    public CompletableFuture<DeleteGroupsResponseData.DeletableGroupResult> deleteGroup(String groupId) {
        return submit(groupId, () -> shard.admin.delete(groupId));
    }

    /**
     * Groups of the partitions led and loaded here; the error is COORDINATOR_LOAD_IN_PROGRESS while a partition
     * led here loads. Partitions led elsewhere are another coordinator's to list.
     */
    public CompletableFuture<ListGroupsResponseData> listGroups(List<String> statesFilter, List<String> typesFilter) {
        CompletableFuture<ListGroupsResponseData> f = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    boolean loading = false;
                    for (int p = 0; p < leaderEpochs.length(); p++) {
                        loading |= availability(p) == Errors.COORDINATOR_LOAD_IN_PROGRESS;
                    }
                    List<ListGroupsResponseData.ListedGroup> groups = new ArrayList<>();
                    for (ListGroupsResponseData.ListedGroup g : shard.admin.list(statesFilter, typesFilter)) {
                        if (availability(g.groupId()) == Errors.NONE) {
                            groups.add(g);
                        }
                    }
                    f.complete(new ListGroupsResponseData()
                            .setErrorCode((loading ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NONE).code())
                            .setGroups(groups));
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new CoordinatorNotAvailableException("The coordinator is shutting down"));
        }
        return f;
    }

    /**
     * Runs {@code op} on the coordinator thread ({@link #parked}); answers once what it appended is committed
     * (on every in-sync replica), as Kafka's coordinator does, so an acknowledged commit survives a failover.
     * A write that fails to commit answers NOT_COORDINATOR (leadership lost) or COORDINATOR_NOT_AVAILABLE (the
     * ISR did not catch up within {@code offsets.commit.timeout.ms}), and the client retries. Parked operations:
     * {@link #parkedUntilCommitted}.
     */
    private <T> CompletableFuture<T> submit(String groupId, java.util.function.Supplier<T> op) {
        return parked(groupId, f -> {
            appendedByOperation.clear();
            T result = op.get();
            whenCommitted(f, result);
        });
    }

    /**
     * Runs a read-only {@code op} on the coordinator thread and answers once everything appended to the group's
     * partition so far is committed. The in-memory state already holds writes the ISR may not have yet (a commit
     * still waiting, or one that timed out); a read must not show them before they are durable, since a failover
     * would take them back. With nothing pending (the common case) it answers at once; if the writes do not
     * commit in time it fails as {@link #submit} does and the client retries.
     */
    private <T> CompletableFuture<T> read(String groupId, java.util.function.Supplier<T> op) {
        return parked(groupId, f -> completeAfter(f, op.get(),
                groupLog.awaitCommitted(partitionFor(groupId), config.offsetsCommitTimeoutMs())));
    }

    private <T> void whenCommitted(CompletableFuture<T> f, T result) {
        if (appendedByOperation.isEmpty()) {
            f.complete(result);
            return;
        }
        CompletableFuture<?>[] waits = appendedByOperation.stream()
                .mapToObj(p -> groupLog.awaitCommitted(p, config.offsetsCommitTimeoutMs()))
                .toArray(CompletableFuture[]::new);
        appendedByOperation.clear();
        completeAfter(f, result, waits);
    }

    /**
     * A parked JoinGroup or SyncGroup is answered by whatever event completes it (another member's request, a
     * timer), after writes that event may have made (the group's assignment): the answer waits until
     * everything appended to the group's partition so far is committed, as {@link #submit} does.
     */
    private <T> CompletableFuture<T> parkedUntilCommitted(String groupId, Consumer<CompletableFuture<T>> op) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        parked(groupId, op).whenComplete((result, error) -> {
            if (error != null) {
                answer.completeExceptionally(error);
                return;
            }
            if (availability(groupId) != Errors.NONE) {
                answer.complete(result); // answered because the group left this broker: it says so itself
                return;
            }
            completeAfter(answer, result,
                    groupLog.awaitCommitted(partitionFor(groupId), config.offsetsCommitTimeoutMs()));
        });
        return answer;
    }

    private <T> void completeAfter(CompletableFuture<T> f, T result, CompletableFuture<?>... waits) {
        CompletableFuture.allOf(waits).whenComplete((ok, error) -> {
            if (error == null) {
                f.complete(result);
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            f.completeExceptionally(cause instanceof NotLeaderOrFollowerException
                    ? new NotCoordinatorException("Lost the leadership of the group's partition before the write "
                            + "committed: " + cause.getMessage())
                    : new CoordinatorNotAvailableException("The write did not commit: " + cause.getMessage()));
        });
    }

    /**
     * Runs {@code op} on the coordinator thread if the group is served here ({@link #availability}); {@code op}
     * completes the future now or later. Fails the future with the Kafka exception the handler turns into an
     * error code. An empty group id is the operation's to refuse (INVALID_GROUP_ID), wherever it would live.
     */
    private <T> CompletableFuture<T> parked(String groupId, Consumer<CompletableFuture<T>> op) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                assert Thread.currentThread() == coordinatorThread;
                try {
                    Errors availability = availability(groupId);
                    if (groupId != null && !groupId.isEmpty() && availability != Errors.NONE) {
                        throw availability.exception((availability == Errors.NOT_COORDINATOR
                                ? "This broker does not lead " : "The coordinator is loading ")
                                + OffsetsTopic.NAME + "-" + partitionFor(groupId));
                    }
                    op.accept(f);
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
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
