package io.herald.broker.partition;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;

/**
 * A partition led by another broker, reached with the client APIs as a producer and a consumer would:
 * Produce with acks=all, Fetch and ListOffsets as a consumer (so only committed records are read). Versions with
 * topic names (Produce 12, Fetch 12, ListOffsets 7) keep the requests free of topic ids.
 *
 * <p>A Produce that failed in transport, timed out or answered an error that may follow an append is in doubt;
 * only errors Kafka answers before appending count as not written.
 *
 * <p>{@link #bounds} first asks the leader for its log end as a replica would (ListOffsets with this broker's id,
 * answered with the log end, as Kafka answers any non-consumer), then waits, in Fetch long polls of at most
 * {@value #WAIT_MS} ms each and {@code timeoutMs} in all, until the high watermark has reached that log end. A copy
 * appended by an earlier writer (a share-partition or timer leader) and still replicating is thus either committed and seen by
 * the scan, or the check fails and stays in doubt; it is never taken for absent. Each poll holds the inter-broker
 * connection to that leader for at most {@value #WAIT_MS} ms.
 *
 * <p>Thread-safety: thread-safe; answers complete on the inter-broker thread of the leader.
 */
public final class RemoteLeaderLog implements LeaderLog {
    private static final short PRODUCE_VERSION = 12;
    private static final short FETCH_VERSION = 12;
    private static final short LIST_OFFSETS_VERSION = 7;
    private static final short DELETE_RECORDS_VERSION = 2;
    static final int WAIT_MS = 100;

    /** Requests to the leader, answered with its response. */
    @FunctionalInterface
    public interface LeaderChannel {
        CompletableFuture<AbstractResponse> send(AbstractRequest request);
    }

    private final LeaderChannel sender;
    private final int leader;
    private final int localBrokerId;
    private final int timeoutMs;

    /**
     * @param sender        requests to broker {@code leader}
     * @param localBrokerId this broker's id, the replica id of the log-end question
     */
    public RemoteLeaderLog(LeaderChannel sender, int leader, int localBrokerId, int timeoutMs) {
        this.sender = sender;
        this.leader = leader;
        this.localBrokerId = localBrokerId;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletableFuture<Void> append(TopicPartition tp, MemoryRecords records) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(timeoutMs);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName(tp.topic());
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(tp.partition())
                .setRecords(records));
        data.topicData().add(topic);
        ProduceRequest request = new ProduceRequest.Builder(PRODUCE_VERSION, PRODUCE_VERSION, data)
                .build(PRODUCE_VERSION);
        return sender.send(request).handle((response, failure) -> {
            if (failure != null) {
                throw new AppendFailedException(Errors.NETWORK_EXCEPTION, true, "Produce to broker " + leader
                        + " for " + tp + " failed: " + failure);
            }
            Errors error = Errors.UNKNOWN_SERVER_ERROR;
            for (ProduceResponseData.TopicProduceResponse t : ((ProduceResponse) response).data().responses()) {
                for (ProduceResponseData.PartitionProduceResponse p : t.partitionResponses()) {
                    error = Errors.forCode(p.errorCode());
                }
            }
            if (error != Errors.NONE) {
                throw new AppendFailedException(error, !refusedBeforeAppend(error), "Produce to broker " + leader
                        + " for " + tp + ": " + error);
            }
            return null;
        });
    }

    /** Errors Kafka's produce path answers before it appends anything. */
    private static boolean refusedBeforeAppend(Errors error) {
        return switch (error) {
            case NOT_ENOUGH_REPLICAS, UNKNOWN_TOPIC_OR_PARTITION, MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE,
                 INVALID_RECORD, CORRUPT_MESSAGE, INVALID_TIMESTAMP, TOPIC_AUTHORIZATION_FAILED, POLICY_VIOLATION,
                 INVALID_REQUIRED_ACKS, KAFKA_STORAGE_ERROR, OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH,
                 UNKNOWN_PRODUCER_ID, PRODUCER_FENCED -> true;
            default -> false;
        };
    }

    @Override
    public CompletableFuture<Bounds> bounds(TopicPartition tp) {
        return offset(tp, ListOffsetsRequest.LATEST_TIMESTAMP, true).thenCompose(logEnd ->
                offset(tp, ListOffsetsRequest.EARLIEST_TIMESTAMP, false).thenCompose(start ->
                        offset(tp, ListOffsetsRequest.LATEST_TIMESTAMP, false).thenCompose(hw -> hw >= logEnd
                                ? CompletableFuture.completedFuture(new Bounds(start, hw))
                                : committedUpTo(tp, logEnd, Math.max(1, timeoutMs / WAIT_MS)))));
    }

    /**
     * Long-polls the record before {@code logEnd}: a consumer's Fetch of it answers once the high watermark has
     * passed it, or empty after {@value #WAIT_MS} ms; {@code polls} bounds the rounds.
     */
    private CompletableFuture<Bounds> committedUpTo(TopicPartition tp, long logEnd, int polls) {
        return fetch(tp, logEnd - 1, 1, WAIT_MS, 1).thenCompose(p -> {
            if (p.highWatermark() >= logEnd) {
                return CompletableFuture.completedFuture(new Bounds(p.logStartOffset(), p.highWatermark()));
            }
            if (polls <= 1) {
                throw new TimeoutException("Partition " + tp + " on broker " + leader
                        + ": the high watermark " + p.highWatermark() + " did not reach the log end " + logEnd
                        + " within " + timeoutMs + " ms; the records in doubt stay in doubt");
            }
            return committedUpTo(tp, logEnd, polls - 1);
        });
    }

    /**
     * {@code LATEST_TIMESTAMP} asked as a replica is the log end; as a consumer, the high watermark.
     */
    private CompletableFuture<Long> offset(TopicPartition tp, long timestamp, boolean asReplica) {
        ListOffsetsTopic topic = new ListOffsetsTopic().setName(tp.topic());
        topic.partitions().add(new ListOffsetsPartition().setPartitionIndex(tp.partition()).setTimestamp(timestamp));
        ListOffsetsRequest.Builder builder = asReplica
                ? ListOffsetsRequest.Builder.forReplica(LIST_OFFSETS_VERSION, localBrokerId)
                : ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED);
        ListOffsetsRequest request = builder.setTargetTimes(List.of(topic)).setTimeoutMs(timeoutMs)
                .build(LIST_OFFSETS_VERSION);
        return sender.send(request).thenApply(response -> {
            ListOffsetsPartitionResponse p = ((ListOffsetsResponse) response).data().topics().get(0).partitions()
                    .get(0);
            Errors error = Errors.forCode(p.errorCode());
            if (error != Errors.NONE) {
                throw error.exception();
            }
            return p.offset();
        });
    }

    @Override
    public CompletableFuture<MemoryRecords> read(TopicPartition tp, long offset, int maxBytes) {
        return fetch(tp, offset, maxBytes, 0, 0).thenApply(p ->
                p.records() == null ? MemoryRecords.EMPTY : HeapRecords.toMemory(p.records()));
    }

    /** DeleteRecords to the leader. */
    @Override
    public CompletableFuture<Void> deleteRecordsBefore(TopicPartition tp, long offset) {
        DeleteRecordsRequestData data = new DeleteRecordsRequestData().setTimeoutMs(timeoutMs);
        data.topics().add(new DeleteRecordsRequestData.DeleteRecordsTopic().setName(tp.topic()).setPartitions(
                List.of(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(tp.partition())
                        .setOffset(offset))));
        return sender.send(new DeleteRecordsRequest.Builder(data).build(DELETE_RECORDS_VERSION)).thenApply(r -> {
            for (DeleteRecordsResponseData.DeleteRecordsTopicResult t : ((DeleteRecordsResponse) r).data().topics()) {
                for (DeleteRecordsResponseData.DeleteRecordsPartitionResult p : t.partitions()) {
                    Errors error = Errors.forCode(p.errorCode());
                    if (error != Errors.NONE) {
                        throw error.exception();
                    }
                }
            }
            return null;
        });
    }

    /**
     * A read_committed consumer's Fetch at {@code offset}: its last stable offset says whether the transaction is
     * open, its aborted transactions (those ending at or after the offset) whether it aborted.
     */
    @Override
    public CompletableFuture<TransactionOutcome> transactionOutcome(TopicPartition tp, long producerId, long offset) {
        return fetch(tp, offset, 1, 0, 0, IsolationLevel.READ_COMMITTED).handle((p, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (cause instanceof OffsetOutOfRangeException && offset >= 0) {
                    return TransactionOutcome.COMMITTED; // below the log start: removed by retention
                }
                throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
            }
            if (p.lastStableOffset() <= offset) {
                return TransactionOutcome.OPEN;
            }
            boolean aborted = p.abortedTransactions() != null && p.abortedTransactions().stream()
                    .anyMatch(a -> a.producerId() == producerId && a.firstOffset() <= offset);
            return aborted ? TransactionOutcome.ABORTED : TransactionOutcome.COMMITTED;
        });
    }

    private CompletableFuture<FetchResponseData.PartitionData> fetch(TopicPartition tp, long offset, int maxBytes,
                                                                     int maxWaitMs, int minBytes) {
        return fetch(tp, offset, maxBytes, maxWaitMs, minBytes, IsolationLevel.READ_UNCOMMITTED);
    }

    /** A consumer's Fetch of one partition, outside any fetch session. */
    private CompletableFuture<FetchResponseData.PartitionData> fetch(TopicPartition tp, long offset, int maxBytes,
                                                                     int maxWaitMs, int minBytes,
                                                                     IsolationLevel isolation) {
        FetchRequestData data = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(maxWaitMs)
                .setMinBytes(minBytes).setMaxBytes(maxBytes).setIsolationLevel(isolation.id()).setSessionId(0)
                .setSessionEpoch(-1);
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopic(tp.topic());
        topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(tp.partition())
                .setFetchOffset(offset).setPartitionMaxBytes(maxBytes).setCurrentLeaderEpoch(-1)
                .setLogStartOffset(-1));
        data.topics().add(topic);
        return sender.send(new FetchRequest(data, FETCH_VERSION)).thenApply(response -> {
            FetchResponseData.PartitionData p = ((FetchResponse) response).data().responses().get(0).partitions()
                    .get(0);
            Errors error = Errors.forCode(p.errorCode());
            if (error != Errors.NONE) {
                throw error.exception();
            }
            return p;
        });
    }
}
