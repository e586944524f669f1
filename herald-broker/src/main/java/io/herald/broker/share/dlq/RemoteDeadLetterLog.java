package io.herald.broker.share.dlq;

import io.herald.broker.network.InterBrokerSender;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;

/**
 * A dead-letter partition led by another broker, reached with the client APIs as a producer and a consumer would:
 * Produce with acks=all, Fetch and ListOffsets as a consumer (so only committed records are seen). Versions with
 * topic names (Produce 12, Fetch 12, ListOffsets 7) keep the requests free of topic ids.
 *
 * <p>A Produce that failed in transport, timed out or answered an error that may follow an append is in doubt;
 * only errors Kafka answers before appending count as not written. The high watermark a consumer sees may lag an
 * append still replicating on that leader: a check in that window misses the copy and it is written again (the
 * one duplicate Herald cannot rule out; the window is one replication round trip on the dead-letter leader).
 *
 * <p>Thread-safety: thread-safe; answers complete on the inter-broker thread of the leader.
 */
public final class RemoteDeadLetterLog implements DeadLetterLog {
    private static final short PRODUCE_VERSION = 12;
    private static final short FETCH_VERSION = 12;
    private static final short LIST_OFFSETS_VERSION = 7;

    private final InterBrokerSender sender;
    private final int leader;
    private final int timeoutMs;

    public RemoteDeadLetterLog(InterBrokerSender sender, int leader, int timeoutMs) {
        this.sender = sender;
        this.leader = leader;
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
        return sender.send(leader, request).handle((response, failure) -> {
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
                 INVALID_REQUIRED_ACKS, KAFKA_STORAGE_ERROR -> true;
            default -> false;
        };
    }

    @Override
    public CompletableFuture<Bounds> bounds(TopicPartition tp) {
        return offset(tp, ListOffsetsRequest.EARLIEST_TIMESTAMP).thenCompose(start ->
                offset(tp, ListOffsetsRequest.LATEST_TIMESTAMP).thenApply(end -> new Bounds(start, end)));
    }

    private CompletableFuture<Long> offset(TopicPartition tp, long timestamp) {
        ListOffsetsTopic topic = new ListOffsetsTopic().setName(tp.topic());
        topic.partitions().add(new ListOffsetsPartition().setPartitionIndex(tp.partition()).setTimestamp(timestamp));
        ListOffsetsRequest request = ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
                .setTargetTimes(List.of(topic)).setTimeoutMs(timeoutMs).build(LIST_OFFSETS_VERSION);
        return sender.send(leader, request).thenApply(response -> {
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
        FetchRequestData data = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0)
                .setMaxBytes(maxBytes).setIsolationLevel(IsolationLevel.READ_UNCOMMITTED.id()).setSessionId(0)
                .setSessionEpoch(-1);
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopic(tp.topic());
        topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(tp.partition())
                .setFetchOffset(offset).setPartitionMaxBytes(maxBytes).setCurrentLeaderEpoch(-1)
                .setLogStartOffset(-1));
        data.topics().add(topic);
        return sender.send(leader, new FetchRequest(data, FETCH_VERSION)).thenApply(response -> {
            FetchResponseData.PartitionData p = ((FetchResponse) response).data().responses().get(0).partitions()
                    .get(0);
            Errors error = Errors.forCode(p.errorCode());
            if (error != Errors.NONE) {
                throw error.exception();
            }
            return p.records() == null ? MemoryRecords.EMPTY : DeadLetterRecords.toMemory(p.records());
        });
    }
}
