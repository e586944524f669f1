package io.herald.share;

import io.herald.common.time.Time;
import io.herald.common.timer.Timer;
import io.herald.coordinator.runtime.CoordinatorErrors;
import io.herald.coordinator.runtime.CoordinatorLog;
import io.herald.coordinator.runtime.CoordinatorLoop;
import io.herald.coordinator.runtime.CoordinatorResult;
import io.herald.coordinator.runtime.CoordinatorRuntime;
import io.herald.coordinator.runtime.CoordinatorRuntimeSettings;
import io.herald.coordinator.runtime.PartitionLeadership;
import io.herald.coordinator.share.PersistedBatch;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.coordinator.share.ShareStateWrite;
import io.herald.share.record.ShareRecord;
import io.herald.share.state.SharePartitionState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
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
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share coordinator of this broker (KIP-932): the API the ShareGroupState handlers and the broker's persister
 * call. It keeps the state of the share-partitions whose key falls on a {@code __share_group_state} partition this
 * broker leads, one {@link ShareCoordinatorShard} per partition on the {@link CoordinatorRuntime}, which loads a
 * partition when this broker becomes its leader, unloads it on resign, and answers only once what an operation wrote
 * is on every in-sync replica (or fails it after {@code share.coordinator.write.timeout.ms}). A share-partition lives
 * in partition {@link #partitionFor}, as in Kafka.
 *
 * <p>A request may name many topics and partitions; each share-partition is its own operation on its own
 * partition's shard and gets its own error code, as Kafka's {@code ShareCoordinatorService} does:
 * NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS where its partition is not served here, COORDINATOR_NOT_AVAILABLE
 * where the write did not commit in time, INVALID_REQUEST for a null topic id, a negative partition or (Herald's
 * check, which Kafka lacks) a state batch whose first offset is above its last, and the shard's answers otherwise.
 * Like Kafka, a request without a group id or without topics, or (except Initialize) with a topic without
 * partitions, is answered with no results at all. Every future completes normally with the response.
 *
 * <p>Thread-safety: every method may be called from any thread; all share state lives on the runtime's event loop
 * (the thread {@code herald-share-coordinator}).
 */
public final class ShareCoordinator implements PartitionLeadership, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShareCoordinator.class);
    private static final long LOAD_RETRY_BACKOFF_MS = 1_000;
    static final String NULL_TOPIC_ID = "The topic id cannot be null.";
    static final String NEGATIVE_PARTITION = "The partition id cannot be a negative number.";
    static final String NOT_AVAILABLE = "Share coordinator is not available.";

    private final ShareCoordinatorConfig config;
    private final CoordinatorRuntime<ShareCoordinatorShard, ShareRecord> runtime;
    private final CoordinatorLoop loop;
    private volatile boolean closed;

    /**
     * A coordinator on its own event loop thread, {@code herald-share-coordinator}.
     *
     * @param log    {@code __share_group_state} on this broker, with {@link io.herald.share.record.ShareRecordSerde}
     * @param topics the cluster's topics, for UNKNOWN_TOPIC_OR_PARTITION
     * @param timer  the node's shared timer; not closed here
     */
    public static ShareCoordinator start(ShareCoordinatorConfig config, CoordinatorLog<ShareRecord> log,
                                         TopicPartitionCounts topics, Time time, Timer timer) {
        return new ShareCoordinator(config, log, topics, time, timer,
                CoordinatorLoop.ownThread("herald-share-coordinator"));
    }

    /** A coordinator on {@code loop}, which its caller runs and stops (tests use a manual executor). */
    public static ShareCoordinator onLoop(ShareCoordinatorConfig config, CoordinatorLog<ShareRecord> log,
                                          TopicPartitionCounts topics, Time time, Timer timer, Executor loop) {
        return new ShareCoordinator(config, log, topics, time, timer, CoordinatorLoop.on(loop));
    }

    private ShareCoordinator(ShareCoordinatorConfig config, CoordinatorLog<ShareRecord> log,
                             TopicPartitionCounts topics, Time time, Timer timer, CoordinatorLoop loop) {
        this.config = config;
        this.loop = loop;
        this.runtime = new CoordinatorRuntime<ShareCoordinatorShard, ShareRecord>(new CoordinatorRuntimeSettings("share", ShareStateTopic.NAME,
                config.stateTopicPartitions(), config.writeTimeoutMs(), LOAD_RETRY_BACKOFF_MS), log,
                context -> new ShareCoordinatorShard(config, context.partition(), context.time(), topics), time,
                timer, loop.executor());
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

    /**
     * Kafka's placement: {@code Utils.abs(coordinatorKey.hashCode()) % share.coordinator.state.topic.num.partitions},
     * the key being {@code groupId:topicId:partition} ({@link SharePartitionKey#coordinatorKey}).
     */
    public int partitionFor(String coordinatorKey) {
        return ShareStateTopic.partitionFor(coordinatorKey, config.stateTopicPartitions());
    }

    /** NONE if the key's partition is served here now, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
    public Errors availability(String coordinatorKey) {
        return runtime.availability(partitionFor(coordinatorKey));
    }

    // ---- the five RPCs ----

    /**
     * InitializeShareGroupState (v0): each share-partition starts afresh at the given state epoch and start offset
     * (-1: none), with nothing in flight. FENCED_STATE_EPOCH if a newer state epoch was recorded.
     */
    public CompletableFuture<InitializeShareGroupStateResponseData> initializeState(
            InitializeShareGroupStateRequestData request) {
        var empty = new InitializeShareGroupStateResponseData();
        if (isEmpty(request.groupId()) || request.topics().isEmpty()) {
            return CompletableFuture.completedFuture(empty);
        }
        var answers = new PartitionAnswers<InitializeShareGroupStateResponseData.PartitionResult>();
        for (var topic : request.topics()) {
            for (var p : topic.partitions()) {
                answers.add(topic.topicId(), p.partition(), operation("initialize-share-group-state",
                        "Unable to initialize share group state: ", request.groupId(), topic.topicId(),
                        p.partition(), key -> shard -> shard.initialize(key, p.stateEpoch(), p.startOffset()),
                        (error, message) -> new InitializeShareGroupStateResponseData.PartitionResult()
                                .setPartition(p.partition()).setErrorCode(error.code()).setErrorMessage(message)));
            }
        }
        return answers.collect((topicId, partitions) -> new InitializeShareGroupStateResponseData
                .InitializeStateResult().setTopicId(topicId).setPartitions(partitions))
                .thenApply(empty::setResults);
    }

    /**
     * ReadShareGroupState (v0): a share-partition leader's read of the state it starts from, which records its
     * leader epoch. INVALID_REQUEST for a share-partition never initialized, FENCED_LEADER_EPOCH for an older leader.
     */
    public CompletableFuture<ReadShareGroupStateResponseData> readState(ReadShareGroupStateRequestData request) {
        var empty = new ReadShareGroupStateResponseData();
        if (isEmpty(request.groupId()) || request.topics().isEmpty()
                || request.topics().stream().anyMatch(t -> t.partitions().isEmpty())) {
            return CompletableFuture.completedFuture(empty);
        }
        var answers = new PartitionAnswers<ReadShareGroupStateResponseData.PartitionResult>();
        for (var topic : request.topics()) {
            for (var p : topic.partitions()) {
                answers.add(topic.topicId(), p.partition(), operation("read-update-leader-epoch-state",
                        "Unable to read share group state: ", request.groupId(), topic.topicId(), p.partition(),
                        key -> shard -> shard.read(key, p.leaderEpoch()),
                        (error, message) -> new ReadShareGroupStateResponseData.PartitionResult()
                                .setPartition(p.partition()).setErrorCode(error.code()).setErrorMessage(message)));
            }
        }
        return answers.collect((topicId, partitions) -> new ReadShareGroupStateResponseData.ReadStateResult()
                .setTopicId(topicId).setPartitions(partitions)).thenApply(empty::setResults);
    }

    /**
     * WriteShareGroupState (v0-1): a share-partition leader's change, merged into the state. FENCED_LEADER_EPOCH or
     * FENCED_STATE_EPOCH when a newer leader or state owns it; INVALID_REQUEST for one never initialized. The
     * delivery-complete count is v1's (KIP-1226); a v0 write stores -1, unknown.
     */
    public CompletableFuture<WriteShareGroupStateResponseData> writeState(WriteShareGroupStateRequestData request,
                                                                          short version) {
        var empty = new WriteShareGroupStateResponseData();
        if (isEmpty(request.groupId()) || request.topics().isEmpty()
                || request.topics().stream().anyMatch(t -> t.partitions().isEmpty())) {
            return CompletableFuture.completedFuture(empty);
        }
        var answers = new PartitionAnswers<WriteShareGroupStateResponseData.PartitionResult>();
        for (var topic : request.topics()) {
            for (var p : topic.partitions()) {
                BiFunction<Errors, String, WriteShareGroupStateResponseData.PartitionResult> failed =
                        (error, message) -> new WriteShareGroupStateResponseData.PartitionResult()
                                .setPartition(p.partition()).setErrorCode(error.code()).setErrorMessage(message);
                Optional<String> badBatch = invalidBatch(p.stateBatches());
                if (badBatch.isPresent()) {
                    answers.add(topic.topicId(), p.partition(), CompletableFuture.completedFuture(
                            failed.apply(Errors.INVALID_REQUEST, badBatch.get())));
                    continue;
                }
                ShareStateWrite write = new ShareStateWrite(p.stateEpoch(), p.leaderEpoch(), p.startOffset(),
                        version >= 1 ? p.deliveryCompleteCount() : -1, p.stateBatches().stream()
                        .map(b -> new PersistedBatch(b.firstOffset(), b.lastOffset(), b.deliveryState(),
                                b.deliveryCount())).toList());
                answers.add(topic.topicId(), p.partition(), operation("write-share-group-state",
                        "Unable to write share group state: ", request.groupId(), topic.topicId(), p.partition(),
                        key -> shard -> shard.write(key, write), failed));
            }
        }
        return answers.collect((topicId, partitions) -> new WriteShareGroupStateResponseData.WriteStateResult()
                .setTopicId(topicId).setPartitions(partitions)).thenApply(empty::setResults);
    }

    /** DeleteShareGroupState (v0): forgets each share-partition (a tombstone); NONE also for an unknown one. */
    public CompletableFuture<DeleteShareGroupStateResponseData> deleteState(DeleteShareGroupStateRequestData request) {
        var empty = new DeleteShareGroupStateResponseData();
        if (isEmpty(request.groupId()) || request.topics().isEmpty()
                || request.topics().stream().anyMatch(t -> t.partitions().isEmpty())) {
            return CompletableFuture.completedFuture(empty);
        }
        var answers = new PartitionAnswers<DeleteShareGroupStateResponseData.PartitionResult>();
        for (var topic : request.topics()) {
            for (var p : topic.partitions()) {
                answers.add(topic.topicId(), p.partition(), operation("delete-share-group-state",
                        "Unable to delete share group state: ", request.groupId(), topic.topicId(), p.partition(),
                        key -> shard -> shard.delete(key),
                        (error, message) -> new DeleteShareGroupStateResponseData.PartitionResult()
                                .setPartition(p.partition()).setErrorCode(error.code()).setErrorMessage(message)));
            }
        }
        return answers.collect((topicId, partitions) -> new DeleteShareGroupStateResponseData.DeleteStateResult()
                .setTopicId(topicId).setPartitions(partitions)).thenApply(empty::setResults);
    }

    /**
     * ReadShareGroupStateSummary (v0-1), for DescribeShareGroupOffsets: start offset, state and leader epochs, and
     * from v1 the delivery-complete count; no fencing, and start offset -1 for a share-partition never initialized.
     */
    public CompletableFuture<ReadShareGroupStateSummaryResponseData> readStateSummary(
            ReadShareGroupStateSummaryRequestData request, short version) {
        var empty = new ReadShareGroupStateSummaryResponseData();
        if (isEmpty(request.groupId()) || request.topics().isEmpty()
                || request.topics().stream().anyMatch(t -> t.partitions().isEmpty())) {
            return CompletableFuture.completedFuture(empty);
        }
        var answers = new PartitionAnswers<ReadShareGroupStateSummaryResponseData.PartitionResult>();
        for (var topic : request.topics()) {
            for (var p : topic.partitions()) {
                BiFunction<Errors, String, ReadShareGroupStateSummaryResponseData.PartitionResult> failed =
                        (error, message) -> new ReadShareGroupStateSummaryResponseData.PartitionResult()
                                .setPartition(p.partition()).setErrorCode(error.code()).setErrorMessage(message);
                answers.add(topic.topicId(), p.partition(), served("Unable to read share group state summary: ",
                        request.groupId(), topic.topicId(), p.partition(), failed,
                        key -> answer(runtime.scheduleReadOperation("read-share-group-state-summary",
                                partitionFor(key.coordinatorKey()), shard -> shard.summary(key)),
                                "Unable to read share group state summary: ", failed))
                        .thenApply(r -> version >= 1 ? r : r.setDeliveryCompleteCount(-1)));
            }
        }
        return answers.collect((topicId, partitions) -> new ReadShareGroupStateSummaryResponseData
                .ReadStateSummaryResult().setTopicId(topicId).setPartitions(partitions)).thenApply(empty::setResults);
    }

    // ---- deleted topics ----

    /**
     * Topics were deleted from the cluster: the state of their share-partitions is deleted on every partition served
     * here (tombstones), as Kafka does on a metadata update. Completes when written; failures are logged.
     */
    public CompletableFuture<Void> onTopicsDeleted(Set<Uuid> topicIds) {
        if (topicIds.isEmpty() || closed) {
            return CompletableFuture.completedFuture(null);
        }
        Set<Uuid> deleted = Set.copyOf(topicIds);
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int p = 0; p < config.stateTopicPartitions(); p++) {
            if (runtime.availability(p) == Errors.NONE) {
                int partition = p;
                writes.add(runtime.scheduleWriteOperation("on-topics-deleted", p, s -> s.deleteTopics(deleted))
                        .exceptionally(e -> {
                            log.warn("Deleting the share state of deleted topics in {}-{} failed: {}",
                                    ShareStateTopic.NAME, partition, CoordinatorErrors.unwrap(e).toString());
                            return null;
                        }));
            }
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    // ---- one share-partition ----

    /** Runs a write operation of the shard that owns the share-partition, after the checks every RPC makes. */
    private <P> CompletableFuture<P> operation(
            String name, String failurePrefix, String groupId, Uuid topicId, int partition,
            Function<SharePartitionKey, Function<ShareCoordinatorShard, CoordinatorResult<P, ShareRecord>>> op,
            BiFunction<Errors, String, P> failed) {
        return served(failurePrefix, groupId, topicId, partition, failed, key -> answer(
                runtime.scheduleWriteOperation(name, partitionFor(key.coordinatorKey()), op.apply(key)),
                failurePrefix, failed));
    }

    /**
     * INVALID_REQUEST for a null topic id or a negative partition (checked here, before routing: the key of
     * such a share-partition has no coordinator), COORDINATOR_NOT_AVAILABLE once closed, else {@code run}.
     */
    private <P> CompletableFuture<P> served(String failurePrefix, String groupId, Uuid topicId, int partition,
                                            BiFunction<Errors, String, P> failed,
                                            Function<SharePartitionKey, CompletableFuture<P>> run) {
        if (topicId == null) {
            return CompletableFuture.completedFuture(failed.apply(Errors.INVALID_REQUEST, NULL_TOPIC_ID));
        }
        if (partition < 0) {
            return CompletableFuture.completedFuture(failed.apply(Errors.INVALID_REQUEST, NEGATIVE_PARTITION));
        }
        if (closed) {
            return CompletableFuture.completedFuture(failed.apply(Errors.COORDINATOR_NOT_AVAILABLE, NOT_AVAILABLE));
        }
        return run.apply(new SharePartitionKey(groupId, topicId, partition));
    }

    /** The operation's answer, or its failure as a partition result in Kafka's codes. */
    private static <P> CompletableFuture<P> answer(CompletableFuture<P> operation, String failurePrefix,
                                                   BiFunction<Errors, String, P> failed) {
        return operation.exceptionally(e -> {
            Throwable cause = CoordinatorErrors.unwrap(e);
            Errors error = ShareErrors.forOperationFailure(cause);
            if (error == Errors.UNKNOWN_SERVER_ERROR) {
                log.error("A share coordinator operation failed", cause);
            }
            return failed.apply(error, failurePrefix + cause.getMessage());
        });
    }

    private static Optional<String> invalidBatch(List<WriteShareGroupStateRequestData.StateBatch> batches) {
        return batches.stream().filter(b -> b.firstOffset() > b.lastOffset()).findFirst()
                .map(b -> "Invalid state batch [" + b.firstOffset() + ", " + b.lastOffset()
                        + "]: the first offset is above the last.");
    }

    private static boolean isEmpty(String groupId) {
        return groupId == null || groupId.isEmpty();
    }

    /** Unloads every partition and stops the loop thread it owns; later requests answer COORDINATOR_NOT_AVAILABLE. */
    @Override
    public void close() {
        closed = true;
        runtime.close();
        loop.close();
    }

    // ---- tests ----

    /** The held state of a share-partition, read on the loop (tests, diagnostics). */
    CompletableFuture<Optional<SharePartitionState>> state(SharePartitionKey key) {
        return runtime.scheduleReadOperation("state", partitionFor(key.coordinatorKey()), s -> s.state(key));
    }
}
