package io.herald.group;

import io.herald.common.timer.Timer;
import io.herald.coordinator.runtime.CoordinatorErrors;
import io.herald.coordinator.runtime.CoordinatorRuntime;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.coordinator.share.ShareStatePersister;
import io.herald.coordinator.share.ShareStateSummary;
import io.herald.group.consumer.TopicsView;
import io.herald.group.record.GroupCoordinatorRecord;
import io.herald.group.record.ShareGroupRecord.TopicPartitions;
import io.herald.group.share.PartitionEndOffsets;
import io.herald.group.share.PartitionEndOffsets.EndOffset;
import io.herald.group.share.ShareOffsetsDeletion;
import io.herald.group.share.SharePartitionInit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share group APIs of the group coordinator where they span more than one operation of the runtime (Kafka's
 * {@code GroupCoordinatorService} part for share groups): an operation decides and writes its records, the
 * share-state persister is called once they are committed, and what the persister answered is written by a
 * follow-up operation scheduled on the runtime, like any other. No persister call runs on the coordinator's
 * event loop, and none waits there: each is handed to the node's timer thread (as Kafka hands its to a timer
 * task), and the loop only ever runs the operations.
 *
 * <ul>
 *   <li>ShareGroupHeartbeat answers when its records are committed; the share-partitions it marked initializing
 *       are initialized afterwards (state epoch: the group epoch; start offset -1), then recorded as initialized
 *       (or as failed: the next heartbeat tries again).</li>
 *   <li>AlterShareGroupOffsets, DeleteShareGroupOffsets and DeleteGroups of a share group answer once the persister
 *       and the follow-up operation are done.</li>
 *   <li>DescribeShareGroupOffsets reads the persister's summaries and, for the lag, the partitions' end offsets.</li>
 * </ul>
 *
 * <p>A follow-up operation that fails (the partition moved to another coordinator) is logged and dropped: the new
 * coordinator sees the share-partitions still initializing and initializes them again after the retry interval.
 *
 * <p>Thread-safety: thread-safe (it holds no state of its own; the runtime and the persister are thread-safe).
 */
final class ShareGroupService {
    private static final Logger log = LoggerFactory.getLogger(ShareGroupService.class);
    /** Kafka's PartitionFactory defaults for a partition without a summary. */
    private static final long UNINITIALIZED_START_OFFSET = -1;
    private static final int UNINITIALIZED_DELIVERY_COMPLETE_COUNT = -1;
    private static final int DEFAULT_LEADER_EPOCH = 0;
    private static final long UNINITIALIZED_LAG = -1;

    private final CoordinatorRuntime<GroupCoordinatorShard, GroupCoordinatorRecord> runtime;
    private final Function<String, Integer> partitionFor;
    private final ShareStatePersister persister;
    private final Timer timer;

    ShareGroupService(CoordinatorRuntime<GroupCoordinatorShard, GroupCoordinatorRecord> runtime,
                      Function<String, Integer> partitionFor, ShareStatePersister persister, Timer timer) {
        this.runtime = runtime;
        this.partitionFor = partitionFor;
        this.persister = persister;
        this.timer = timer;
    }

    // ---- ShareGroupHeartbeat, ShareGroupDescribe ----

    CompletableFuture<ShareGroupHeartbeatResponseData> heartbeat(RequestContext ctx, ShareGroupHeartbeatRequestData req,
                                                                 TopicsView topics) {
        return runtime.scheduleWriteOperation("share-group-heartbeat", partitionFor.apply(req.groupId()),
                s -> s.shareGroupHeartbeat(ctx, req, topics)).thenApply(result -> {
                    if (!result.initializations().isEmpty()) {
                        // After the commit, and without holding up the answer: as Kafka's timer task.
                        initialize(req.groupId(), result.initializations())
                                .exceptionally(e -> {
                                    log.warn("Initializing the share state of group {} failed: {}", req.groupId(),
                                            e.toString());
                                    return Map.of();
                                });
                    }
                    return result.response();
                });
    }

    CompletableFuture<ShareGroupDescribeResponseData.DescribedGroup> describe(String groupId, TopicsView topics) {
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(new ShareGroupDescribeResponseData.DescribedGroup()
                    .setGroupId(groupId).setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        return runtime.scheduleReadOperation("share-group-describe", partitionFor.apply(groupId),
                s -> s.shareGroupDescribe(groupId, topics));
    }

    /**
     * Initializes the share-partitions, then records which were initialized and which failed.
     *
     * @return each share-partition's error (NONE: initialized), once the follow-up operation is done
     */
    private CompletableFuture<Map<SharePartitionKey, Errors>> initialize(String groupId, List<SharePartitionInit> inits) {
        log.info("Initializing the share state of group {}: {}", groupId, inits.stream()
                .map(i -> i.topicName() + "-" + i.key().partition() + " at state epoch " + i.stateEpoch()).toList());
        return offLoop(() -> {
            Map<SharePartitionKey, CompletableFuture<Errors>> calls = new LinkedHashMap<>();
            inits.forEach(i -> calls.put(i.key(), guarded(() -> persister.initialize(i.key(), i.stateEpoch(),
                    i.startOffset()), Function.identity())));
            return allOf(calls);
        }).thenCompose(errors -> {
            Map<Uuid, TopicPartitions> done = new TreeMap<>();
            Map<Uuid, TopicPartitions> failed = new TreeMap<>();
            inits.forEach(i -> add(errors.get(i.key()) == Errors.NONE ? done : failed, i));
            if (!failed.isEmpty()) {
                log.warn("The share state of {} partitions of group {} could not be initialized ({}); the next "
                        + "heartbeat tries again", failed.size(), groupId, errors.values());
            }
            return runtime.scheduleWriteOperation("initialize-share-group-state", partitionFor.apply(groupId),
                    s -> s.shareStateInitialized(groupId, done, failed)).thenApply(v -> errors);
        });
    }

    private static void add(Map<Uuid, TopicPartitions> into, SharePartitionInit init) {
        into.merge(init.key().topicId(), new TopicPartitions(init.topicName(), Set.of(init.key().partition())),
                (a, b) -> {
                    Set<Integer> all = new TreeSet<>(a.partitions());
                    all.addAll(b.partitions());
                    return new TopicPartitions(b.topicName(), all);
                });
    }

    // ---- DescribeShareGroupOffsets ----

    /**
     * One group of DescribeShareGroupOffsets, as Kafka 4.3.1: named topics are read straight from the persister
     * (a topic that does not exist answers start offset -1), a null topic list means every initialized
     * share-partition; a partition the persister has no state for answers start offset -1 and lag -1, and the lag
     * is {@code end offset - start offset - delivery complete count} where both are known (KIP-1226).
     */
    CompletableFuture<DescribeShareGroupOffsetsResponseGroup> describeOffsets(DescribeShareGroupOffsetsRequestGroup req,
                                                                            TopicsView topics,
                                                                            PartitionEndOffsets endOffsets) {
        String groupId = req.groupId();
        if (req.topics() == null) {
            return runtime.scheduleReadOperation("share-group-initialized-partitions", partitionFor.apply(groupId),
                    s -> s.initializedSharePartitions(groupId)).thenCompose(initialized -> {
                        Map<Uuid, String> names = new TreeMap<>();
                        Map<Uuid, List<Integer>> asked = new TreeMap<>();
                        initialized.forEach((topicId, partitions) -> topics.topic(topicId).ifPresent(t -> {
                            names.put(topicId, t.name());
                            asked.put(topicId, new ArrayList<>(partitions));
                        }));
                        return summaries(groupId, names, asked, List.of(), endOffsets);
                    });
        }
        Map<Uuid, String> names = new LinkedHashMap<>();
        Map<Uuid, List<Integer>> asked = new LinkedHashMap<>();
        List<DescribeShareGroupOffsetsResponseTopic> unknown = new ArrayList<>();
        for (var topic : req.topics()) {
            Optional<TopicsView.TopicInfo> info = topics.topic(topic.topicName());
            if (info.isPresent()) {
                names.put(info.get().id(), topic.topicName());
                asked.put(info.get().id(), topic.partitions());
            } else {
                // Kafka: absence of data, not an error (as OffsetFetch of an unknown topic).
                List<DescribeShareGroupOffsetsResponsePartition> partitions = new ArrayList<>();
                topic.partitions().forEach(p -> partitions.add(new DescribeShareGroupOffsetsResponsePartition()
                        .setPartitionIndex(p).setStartOffset(UNINITIALIZED_START_OFFSET)));
                unknown.add(new DescribeShareGroupOffsetsResponseTopic().setTopicName(topic.topicName())
                        .setTopicId(Uuid.ZERO_UUID).setPartitions(partitions));
            }
        }
        return summaries(groupId, names, asked, unknown, endOffsets);
    }

    private CompletableFuture<DescribeShareGroupOffsetsResponseGroup> summaries(
            String groupId, Map<Uuid, String> names, Map<Uuid, List<Integer>> asked,
            List<DescribeShareGroupOffsetsResponseTopic> unknown, PartitionEndOffsets endOffsets) {
        if (asked.isEmpty()) {
            return CompletableFuture.completedFuture(new DescribeShareGroupOffsetsResponseGroup().setGroupId(groupId)
                    .setTopics(new ArrayList<>(unknown)));
        }
        return offLoop(() -> {
            Map<TopicPartitionId, CompletableFuture<ShareStateSummary>> calls = new LinkedHashMap<>();
            asked.forEach((topicId, partitions) -> partitions.forEach(p -> calls.put(new TopicPartitionId(topicId, p),
                    p < 0 ? CompletableFuture.completedFuture(noSummary(Errors.UNKNOWN_TOPIC_OR_PARTITION))
                            : guarded(() -> persister.readSummary(new SharePartitionKey(groupId, topicId, p),
                                    DEFAULT_LEADER_EPOCH), ShareGroupService::noSummary))));
            return allOf(calls);
        }).thenCompose(summaries -> {
            Set<TopicPartition> needLag = new HashSet<>();
            summaries.forEach((tp, s) -> {
                if (hasLag(s)) {
                    needLag.add(new TopicPartition(names.get(tp.topicId()), tp.partition()));
                }
            });
            CompletableFuture<Map<TopicPartition, EndOffset>> ends = needLag.isEmpty()
                    ? CompletableFuture.completedFuture(Map.of()) : endOffsets.latestOffsets(needLag);
            return ends.thenApply(latest -> {
                List<DescribeShareGroupOffsetsResponseTopic> out = new ArrayList<>();
                asked.forEach((topicId, partitions) -> {
                    var topic = new DescribeShareGroupOffsetsResponseTopic().setTopicId(topicId)
                            .setTopicName(names.get(topicId));
                    for (int p : partitions) {
                        topic.partitions().add(partition(p, summaries.get(new TopicPartitionId(topicId, p)),
                                latest.get(new TopicPartition(names.get(topicId), p))));
                    }
                    out.add(topic);
                });
                out.addAll(unknown);
                return new DescribeShareGroupOffsetsResponseGroup().setGroupId(groupId).setTopics(out);
            });
        });
    }

    private static ShareStateSummary noSummary(Errors error) {
        return new ShareStateSummary(error, 0, DEFAULT_LEADER_EPOCH, UNINITIALIZED_START_OFFSET,
                UNINITIALIZED_DELIVERY_COMPLETE_COUNT);
    }

    /** Kafka's shouldComputeSharePartitionLag. */
    private static boolean hasLag(ShareStateSummary s) {
        return s.error() == Errors.NONE && s.startOffset() != UNINITIALIZED_START_OFFSET
                && s.deliveryCompleteCount() != UNINITIALIZED_DELIVERY_COMPLETE_COUNT;
    }

    private static DescribeShareGroupOffsetsResponsePartition partition(int index, ShareStateSummary s, EndOffset end) {
        var out = new DescribeShareGroupOffsetsResponsePartition().setPartitionIndex(index);
        if (!hasLag(s)) {
            // No state (or no progress yet): start offset -1 as OffsetFetch answers for no offset, lag unknown.
            boolean ok = s.error() == Errors.NONE;
            return out.setStartOffset(ok ? s.startOffset() : UNINITIALIZED_START_OFFSET)
                    .setLeaderEpoch(ok ? s.leaderEpoch() : DEFAULT_LEADER_EPOCH).setLag(UNINITIALIZED_LAG);
        }
        if (end == null || end.error() != Errors.NONE) {
            Errors error = end == null ? Errors.UNKNOWN_SERVER_ERROR : end.error();
            return out.setErrorCode(error.code()).setErrorMessage(error.message());
        }
        // The end offset is the next offset to be written, so no +1: Kafka's formula.
        return out.setStartOffset(s.startOffset()).setLeaderEpoch(s.leaderEpoch())
                .setLag(end.offset() - s.startOffset() - s.deliveryCompleteCount());
    }

    // ---- AlterShareGroupOffsets ----

    CompletableFuture<AlterShareGroupOffsetsResponseData> alterOffsets(AlterShareGroupOffsetsRequestData req,
                                                                       TopicsView topics) {
        if (req.groupId() == null || req.groupId().isEmpty()) {
            return CompletableFuture.completedFuture(new AlterShareGroupOffsetsResponseData()
                    .setErrorCode(Errors.INVALID_GROUP_ID.code()).setErrorMessage(Errors.INVALID_GROUP_ID.message()));
        }
        return runtime.scheduleWriteOperation("share-group-offsets-alter", partitionFor.apply(req.groupId()),
                s -> s.alterShareGroupOffsets(req, topics)).thenCompose(alteration -> {
                    if (alteration.initializations().isEmpty()) {
                        return CompletableFuture.completedFuture(alteration.response());
                    }
                    return initialize(req.groupId(), alteration.initializations())
                            .thenApply(errors -> withInitializeErrors(alteration.response(), errors));
                });
    }

    /** Kafka's buildErrorResponse: a partition the persister could not initialize answers the persister's error. */
    private static AlterShareGroupOffsetsResponseData withInitializeErrors(AlterShareGroupOffsetsResponseData response,
                                                                         Map<SharePartitionKey, Errors> errors) {
        Map<TopicPartitionId, Errors> byPartition = new TreeMap<>();
        errors.forEach((k, e) -> byPartition.put(new TopicPartitionId(k.topicId(), k.partition()), e));
        for (var topic : response.responses()) {
            for (var p : topic.partitions()) {
                Errors e = byPartition.get(new TopicPartitionId(topic.topicId(), p.partitionIndex()));
                if (e != null && e != Errors.NONE && p.errorCode() == Errors.NONE.code()) {
                    p.setErrorCode(e.code()).setErrorMessage(e.message());
                }
            }
        }
        return response;
    }

    private record TopicPartitionId(Uuid topicId, int partition) implements Comparable<TopicPartitionId> {
        @Override
        public int compareTo(TopicPartitionId o) {
            int t = topicId.compareTo(o.topicId);
            return t != 0 ? t : Integer.compare(partition, o.partition);
        }
    }

    // ---- DeleteShareGroupOffsets ----

    CompletableFuture<DeleteShareGroupOffsetsResponseData> deleteOffsets(DeleteShareGroupOffsetsRequestData req,
                                                                         TopicsView topics) {
        String groupId = req.groupId();
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(new DeleteShareGroupOffsetsResponseData()
                    .setErrorCode(Errors.INVALID_GROUP_ID.code()).setErrorMessage(Errors.INVALID_GROUP_ID.message()));
        }
        if (req.topics() == null) {
            return CompletableFuture.completedFuture(new DeleteShareGroupOffsetsResponseData());
        }
        return runtime.scheduleWriteOperation("initiate-delete-share-group-offsets", partitionFor.apply(groupId),
                s -> s.prepareDeleteShareGroupOffsets(req, topics)).thenCompose(plan -> deleteState(groupId, plan));
    }

    private CompletableFuture<DeleteShareGroupOffsetsResponseData> deleteState(String groupId, ShareOffsetsDeletion plan) {
        if (plan.topLevelError().isPresent()) {
            return CompletableFuture.completedFuture(plan.topLevelError().get());
        }
        List<DeleteShareGroupOffsetsResponseTopic> errors = new ArrayList<>(plan.errors());
        if (plan.toDelete().isEmpty()) {
            return CompletableFuture.completedFuture(new DeleteShareGroupOffsetsResponseData().setResponses(errors));
        }
        List<SharePartitionKey> keys = new ArrayList<>();
        plan.toDelete().values().forEach(t -> keys.addAll(t.keys()));
        return delete(keys).thenCompose(results -> {
            Map<Uuid, String> succeeded = new TreeMap<>();
            plan.toDelete().forEach((topicId, topic) -> {
                Optional<Errors> failure = topic.keys().stream().map(results::get).filter(e -> e != Errors.NONE)
                        .findFirst();
                if (failure.isPresent()) {
                    errors.add(new DeleteShareGroupOffsetsResponseTopic().setTopicId(topicId).setTopicName(topic.name())
                            .setErrorCode(failure.get().code()).setErrorMessage(failure.get().message()));
                } else {
                    succeeded.put(topicId, topic.name());
                }
            });
            if (succeeded.isEmpty()) {
                return CompletableFuture.completedFuture(new DeleteShareGroupOffsetsResponseData().setResponses(errors));
            }
            return runtime.scheduleWriteOperation("complete-delete-share-group-offsets", partitionFor.apply(groupId),
                    s -> s.shareGroupOffsetsDeleted(groupId, succeeded.keySet())).thenApply(v -> {
                        // Kafka's order: the deleted topics, then the failed ones.
                        List<DeleteShareGroupOffsetsResponseTopic> out = new ArrayList<>();
                        succeeded.forEach((id, name) -> out.add(new DeleteShareGroupOffsetsResponseTopic()
                                .setTopicId(id).setTopicName(name).setErrorCode(Errors.NONE.code())
                                .setErrorMessage(null)));
                        out.addAll(errors);
                        return new DeleteShareGroupOffsetsResponseData().setResponses(out);
                    });
        });
    }

    // ---- DeleteGroups ----

    /**
     * DeleteGroups of one group: any group but a share group is deleted by the first operation; a share group's
     * share state is deleted first (the group must be empty: NON_EMPTY_GROUP), then its tombstones are written.
     * If the persister fails, the group stays, with its share-partitions deleting, and a retry deletes them again.
     */
    CompletableFuture<DeleteGroupsResponseData.DeletableGroupResult> deleteGroup(String groupId) {
        int partition = partitionFor.apply(groupId);
        return runtime.scheduleWriteOperation("delete-group", partition, s -> s.prepareDeleteGroup(groupId))
                .thenCompose(step -> switch (step) {
                    case GroupDeletionStep.Done done -> CompletableFuture.completedFuture(done.result());
                    case GroupDeletionStep.DeleteShareState share -> delete(share.keys()).thenCompose(results -> {
                        Optional<Errors> failure = results.values().stream().filter(e -> e != Errors.NONE).findFirst();
                        if (failure.isPresent()) {
                            log.warn("Deleting the share state of group {} failed ({}); the group stays", groupId,
                                    failure.get());
                            return CompletableFuture.completedFuture(new DeleteGroupsResponseData.DeletableGroupResult()
                                    .setGroupId(groupId).setErrorCode(failure.get().code()));
                        }
                        return runtime.scheduleWriteOperation("delete-share-group", partition, s -> s.deleteGroup(groupId));
                    });
                });
    }

    private CompletableFuture<Map<SharePartitionKey, Errors>> delete(List<SharePartitionKey> keys) {
        if (keys.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        return offLoop(() -> {
            Map<SharePartitionKey, CompletableFuture<Errors>> calls = new LinkedHashMap<>();
            keys.forEach(k -> calls.put(k, guarded(() -> persister.delete(k), Function.identity())));
            return allOf(calls);
        });
    }

    // ---- helpers ----

    /** Runs {@code call} on the timer's thread, not on whoever completed the previous step (maybe the loop). */
    private <T> CompletableFuture<T> offLoop(Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        timer.schedule(0, () -> {
            try {
                call.get().whenComplete((v, e) -> {
                    if (e != null) {
                        result.completeExceptionally(CoordinatorErrors.unwrap(e));
                    } else {
                        result.complete(v);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * A persister call that cannot fail the chain: the persister's contract puts errors in the answer, but a call
     * that throws or fails anyway answers its Kafka error.
     */
    private static <T> CompletableFuture<T> guarded(Supplier<CompletableFuture<T>> call, Function<Errors, T> onError) {
        try {
            return call.get().exceptionally(e -> onError.apply(Errors.forException(CoordinatorErrors.unwrap(e))));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(onError.apply(Errors.forException(e)));
        }
    }

    private static <K, V> CompletableFuture<Map<K, V>> allOf(Map<K, CompletableFuture<V>> calls) {
        return CompletableFuture.allOf(calls.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<K, V> out = new LinkedHashMap<>();
            calls.forEach((k, f) -> out.put(k, f.join()));
            return out;
        });
    }
}
