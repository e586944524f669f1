package io.herald.broker.handler;

import io.herald.broker.replica.DelayedDeleteRecords;
import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.security.Authorization;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import io.herald.storage.epoch.EpochEndOffset;
import io.herald.storage.log.TimestampAndOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;

/**
 * The offset questions: ListOffsets (earliest, latest, by timestamp, max timestamp), DeleteRecords (move the
 * log start offset) and OffsetForLeaderEpoch (where an epoch ended, for truncation detection).
 *
 * <p>DeleteRecords follows Kafka: the leader moves its log start offset at once ({@code -1}: to the HW; above
 * the HW: OFFSET_OUT_OF_RANGE) but answers a partition only when its low watermark, the smallest log start
 * offset over the live replicas, reached the offset, and answers with that low watermark; a partition still
 * waiting at the request's timeout answers REQUEST_TIMED_OUT. A single replica answers at once.
 *
 * <p>Consumers only see committed data, so "latest" is the high watermark and a timestamp lookup never
 * answers an offset at or above it, as in Kafka. A follower (replica id >= 0) asking "latest" gets the log end
 * offset, which it needs to recover from an out-of-range fetch.
 *
 * <p>Only the leader answers (NOT_LEADER_OR_FOLLOWER elsewhere), except a ListOffsets from the debugging replica
 * id (-2), as in Kafka. OffsetForLeaderEpoch answers from the leader's epoch cache: the largest epoch at or
 * below the requested one and where it ended (the log end offset for the latest epoch); UNDEFINED (-1, -1)
 * when there is no such epoch.
 *
 * <p>ACLs, as Kafka's KafkaApis checks them, per topic (a refused topic's partitions answer TOPIC_AUTHORIZATION_FAILED
 * and are not looked at): ListOffsets needs DESCRIBE, DeleteRecords DELETE, and OffsetForLeaderEpoch CLUSTER_ACTION
 * on the cluster (what followers have) or else DESCRIBE on the topic (what consumers have, KIP-320), whoever asks.
 */
public final class OffsetsHandler {
    private final ReplicaManager replicas;
    private final Executor pool;
    private final Authorization authorization;

    /** @param authorization the ACL checks of each request's principal */
    public OffsetsHandler(ReplicaManager replicas, Executor pool, Authorization authorization) {
        this.replicas = replicas;
        this.pool = pool;
        this.authorization = authorization;
    }

    /**
     * ListOffsets v1 (Kafka 4's oldest) to v11: leader epochs from v4 (KIP-320), and every special timestamp up
     * to v11's: max timestamp (v7, KIP-734), earliest local (v8), latest tiered (v9, KIP-1005) and earliest
     * pending upload (v11, KIP-1023), the last two -1 without tiered storage. v10's timeout bounds remote reads,
     * which never happen here.
     */
    public ServedApi listOffsets() {
        return new ServedApi(ApiKeys.LIST_OFFSETS, VersionRange.of(1, 11),
                request -> Requests.onPool(pool,
                        () -> listOffsets(((ListOffsetsRequest) request.body()).data(), request.apiVersion(),
                                ((ListOffsetsRequest) request.body()).replicaId(),
                                authorization.topicCheck(request, AclOperation.DESCRIBE))));
    }

    /** DeleteRecords v0 to v2 (v2 is only flexible encoding). */
    public ServedApi deleteRecords() {
        return new ServedApi(ApiKeys.DELETE_RECORDS, VersionRange.of(0, 2), request -> {
            DeleteRecordsRequestData data = ((DeleteRecordsRequest) request.body()).data();
            Predicate<String> mayDelete = authorization.topicCheck(request, AclOperation.DELETE);
            CompletableFuture<Response> answer = new CompletableFuture<>();
            pool.execute(() -> {
                try {
                    deleteRecords(data, mayDelete, answer);
                } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            });
            return answer;
        });
    }

    /**
     * OffsetForLeaderEpoch v2 (Kafka 4's oldest, with the current leader epoch) to v4; v3's replica id needs
     * no branch, as only the leader answers either way.
     */
    public ServedApi offsetForLeaderEpoch() {
        return new ServedApi(ApiKeys.OFFSET_FOR_LEADER_EPOCH, VersionRange.of(2, 4),
                request -> Requests.onPool(pool,
                        () -> offsetForLeaderEpoch(((OffsetsForLeaderEpochRequest) request.body()).data(),
                                epochCheck(request))));
    }

    /** Kafka's OffsetForLeaderEpoch rule: CLUSTER_ACTION on the cluster allows every topic, else DESCRIBE on each. */
    private Predicate<String> epochCheck(KafkaRequest request) {
        return !authorization.enabled() || authorization.cluster(request, AclOperation.CLUSTER_ACTION)
                ? topic -> true : authorization.topicCheck(request, AclOperation.DESCRIBE);
    }

    private Partition partition(String topic, int index) {
        return replicas.partition(new TopicPartition(topic, index)).orElseThrow(() ->
                new UnknownTopicOrPartitionException("This server does not host this topic-partition."));
    }

    private ListOffsetsResponseData listOffsets(ListOffsetsRequestData data, short version, int replicaId,
                                                Predicate<String> mayDescribe) {
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic topic : data.topics()) {
            ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
            boolean refused = !mayDescribe.test(topic.name());
            for (ListOffsetsRequestData.ListOffsetsPartition p : topic.partitions()) {
                ListOffsetsPartitionResponse pr = new ListOffsetsPartitionResponse()
                        .setPartitionIndex(p.partitionIndex());
                if (refused) {
                    topicResponse.partitions().add(pr.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                            .setTimestamp(ListOffsetsResponse.UNKNOWN_TIMESTAMP)
                            .setOffset(ListOffsetsResponse.UNKNOWN_OFFSET));
                    continue;
                }
                try {
                    Partition partition = partition(topic.name(), p.partitionIndex());
                    if (replicaId != ListOffsetsRequest.DEBUGGING_REPLICA_ID) {
                        partition.checkLeader();
                    }
                    partition.checkLeaderEpoch(p.currentLeaderEpoch());
                    TimestampAndOffset found = lookup(partition, p.timestamp(),
                            replicaId != ListOffsetsRequest.CONSUMER_REPLICA_ID,
                            IsolationLevel.forId(data.isolationLevel()));
                    pr.setErrorCode(Errors.NONE.code()).setTimestamp(found.timestamp()).setOffset(found.offset());
                    if (version >= 4) { // leader epochs in ListOffsets arrived with v4 (KIP-320)
                        pr.setLeaderEpoch(found.leaderEpoch().orElse(-1));
                    }
                } catch (RuntimeException e) {
                    pr.setErrorCode(Requests.error(e).code()).setTimestamp(-1).setOffset(-1);
                }
                topicResponse.partitions().add(pr);
            }
            response.topics().add(topicResponse);
        }
        return response;
    }

    /**
     * The offset for {@code timestamp} among what the asker may fetch: a replica up to the log end, a
     * read_uncommitted consumer below the high watermark, a read_committed one below the last stable offset.
     */
    private static TimestampAndOffset lookup(Partition partition, long timestamp, boolean fromReplica,
                                             IsolationLevel isolation) {
        long hw = fromReplica ? partition.log().logEndOffset()
                : isolation == IsolationLevel.READ_COMMITTED ? partition.log().lastStableOffset()
                : partition.highWatermark();
        if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
            return new TimestampAndOffset(-1, hw, Optional.of(partition.log().latestEpoch()).filter(e -> e >= 0));
        }
        if (timestamp == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP
                || timestamp == ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP) {
            // No tiered storage: nothing is tiered or waiting for upload (v9, v11; KIP-1005, KIP-1023), which
            // Kafka answers with offset -1.
            return new TimestampAndOffset(-1, -1, Optional.empty());
        }
        Optional<TimestampAndOffset> found = partition.log().offsetForTimestamp(timestamp);
        return found.filter(t -> t.offset() < hw || timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP
                        || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP)
                .orElse(new TimestampAndOffset(-1, -1, Optional.empty()));
    }

    /**
     * Moves each partition's log start offset on the leader, then answers once every partition's low watermark
     * reached its offset (or failed, or the request timed out): parked in the replica manager's delete-records
     * purgatory, completed by the followers' fetches.
     */
    private void deleteRecords(DeleteRecordsRequestData data, Predicate<String> mayDelete,
                               CompletableFuture<Response> answer) {
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        Map<TopicPartition, DeleteRecordsPartitionResult> byPartition = new HashMap<>();
        List<DelayedDeleteRecords.Waiting> waiting = new ArrayList<>();
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : data.topics()) {
            var topicResult = new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(topic.name());
            boolean refused = !mayDelete.test(topic.name());
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : topic.partitions()) {
                var pr = new DeleteRecordsPartitionResult().setPartitionIndex(p.partitionIndex());
                if (refused) {
                    topicResult.partitions().add(pr.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                            .setLowWatermark(DelayedDeleteRecords.INVALID_LOW_WATERMARK));
                    continue;
                }
                try {
                    Partition partition = partition(topic.name(), p.partitionIndex());
                    Partition.DeleteRecordsResult deleted = partition.deleteRecordsOnLeader(p.offset());
                    pr.setErrorCode(Errors.NONE.code()).setLowWatermark(deleted.lowWatermark());
                    if (deleted.lowWatermark() < deleted.requestedOffset()) {
                        waiting.add(new DelayedDeleteRecords.Waiting(partition, deleted.requestedOffset(),
                                deleted.lowWatermark()));
                        byPartition.put(partition.topicPartition(), pr);
                    }
                } catch (RuntimeException e) {
                    pr.setErrorCode(Requests.error(e).code())
                            .setLowWatermark(DelayedDeleteRecords.INVALID_LOW_WATERMARK);
                }
                topicResult.partitions().add(pr);
            }
            response.topics().add(topicResult);
        }
        if (waiting.isEmpty()) {
            answer.complete(new Response.Send(response));
            return;
        }
        DelayedDeleteRecords delayed = new DelayedDeleteRecords(Math.max(0, data.timeoutMs()), waiting, outcomes -> {
            outcomes.forEach((tp, outcome) -> byPartition.get(tp).setErrorCode(outcome.error().code())
                    .setLowWatermark(outcome.lowWatermark()));
            answer.complete(new Response.Send(response));
        });
        replicas.deleteRecordsPurgatory().tryCompleteElseWatch(delayed, delayed.keys());
    }

    private OffsetForLeaderEpochResponseData offsetForLeaderEpoch(OffsetForLeaderEpochRequestData data,
                                                                  Predicate<String> mayAsk) {
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : data.topics()) {
            var topicResult = new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult()
                    .setTopic(topic.topic());
            boolean refused = !mayAsk.test(topic.topic());
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p : topic.partitions()) {
                var pr = new OffsetForLeaderEpochResponseData.EpochEndOffset().setPartition(p.partition());
                if (refused) {
                    topicResult.partitions().add(pr.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                            .setLeaderEpoch(-1).setEndOffset(-1));
                    continue;
                }
                try {
                    Partition partition = partition(topic.topic(), p.partition());
                    partition.checkLeader();
                    partition.checkLeaderEpoch(p.currentLeaderEpoch());
                    EpochEndOffset end = partition.log().endOffsetForEpoch(p.leaderEpoch());
                    pr.setErrorCode(Errors.NONE.code()).setLeaderEpoch(end.epoch()).setEndOffset(end.endOffset());
                } catch (RuntimeException e) {
                    pr.setErrorCode(Requests.error(e).code()).setLeaderEpoch(-1).setEndOffset(-1);
                }
                topicResult.partitions().add(pr);
            }
            response.topics().add(topicResult);
        }
        return response;
    }
}
