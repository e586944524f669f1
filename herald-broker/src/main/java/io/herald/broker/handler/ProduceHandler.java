package io.herald.broker.handler;

import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.storage.log.LogAppendInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ProduceRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce: appends each partition's batches as received (the log stamps offsets in place) and answers when
 * the acks are satisfied. On a single node the ISR is this broker, so acks=all is satisfied by the append
 * itself; with replication, acks=all will park in a purgatory until the high watermark passes the batch.
 *
 * <p>acks=0 gets no response; if any partition failed, the connection is closed instead, as Kafka does, so
 * the producer notices and refreshes its metadata.
 */
public final class ProduceHandler implements ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(ProduceHandler.class);

    private final ReplicaManager replicas;
    private final Supplier<ClusterImage> images;
    private final Executor pool;

    public ProduceHandler(ReplicaManager replicas, Supplier<ClusterImage> images, Executor pool) {
        this.replicas = replicas;
        this.images = images;
        this.pool = pool;
    }

    @Override
    public CompletableFuture<Response> handle(KafkaRequest request) {
        ProduceRequestData data = ((ProduceRequest) request.body()).data();
        return CompletableFuture.supplyAsync(() -> {
            ProduceResponseData response = produce(data);
            if (data.acks() != 0) {
                return new Response.Send(response);
            }
            boolean failed = response.responses().stream().flatMap(t -> t.partitionResponses().stream())
                    .anyMatch(p -> p.errorCode() != Errors.NONE.code());
            return failed ? new Response.Close("acks=0 produce failed for at least one partition")
                    : new Response.NoResponse();
        }, pool);
    }

    private ProduceResponseData produce(ProduceRequestData data) {
        ClusterImage image = images.get();
        ProduceResponseData response = new ProduceResponseData();
        boolean validAcks = data.acks() == -1 || data.acks() == 0 || data.acks() == 1;
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            Optional<TopicImage> topic = topicData.name() != null && !topicData.name().isEmpty()
                    ? image.topic(topicData.name())
                    : image.topic(topicData.topicId());
            Errors topicError = topic.isPresent() ? Errors.NONE
                    : (Uuid.ZERO_UUID.equals(topicData.topicId()) ? Errors.UNKNOWN_TOPIC_OR_PARTITION
                    : Errors.UNKNOWN_TOPIC_ID);
            TopicProduceResponse topicResponse = new TopicProduceResponse()
                    .setName(topicData.name())
                    .setTopicId(topicData.topicId());
            List<PartitionProduceResponse> partitions = new ArrayList<>();
            for (ProduceRequestData.PartitionProduceData pd : topicData.partitionData()) {
                PartitionProduceResponse pr = new PartitionProduceResponse().setIndex(pd.index());
                if (!validAcks) {
                    pr.setErrorCode(Errors.INVALID_REQUIRED_ACKS.code());
                } else if (topicError != Errors.NONE) {
                    pr.setErrorCode(topicError.code());
                } else {
                    appendPartition(new TopicPartition(topic.get().name(), pd.index()), pd, pr);
                }
                partitions.add(pr);
            }
            response.responses().add(topicResponse.setPartitionResponses(partitions));
        }
        return response;
    }

    private void appendPartition(TopicPartition tp, ProduceRequestData.PartitionProduceData pd,
                                 PartitionProduceResponse pr) {
        Optional<Partition> partition = replicas.partition(tp);
        if (partition.isEmpty()) {
            pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            return;
        }
        if (!(pd.records() instanceof MemoryRecords records)) {
            pr.setErrorCode(Errors.CORRUPT_MESSAGE.code());
            return;
        }
        try {
            LogAppendInfo info = partition.get().appendAsLeader(records);
            pr.setErrorCode(Errors.NONE.code())
                    .setBaseOffset(info.firstOffset())
                    .setLogAppendTimeMs(info.logAppendTime())
                    .setLogStartOffset(info.logStartOffset());
            if (!info.duplicate()) {
                replicas.onAppend(tp);
            }
        } catch (RuntimeException e) {
            Errors error = Requests.error(e);
            if (error == Errors.KAFKA_STORAGE_ERROR) {
                log.warn("Append to {} failed: {}", tp, e.getMessage());
            }
            pr.setErrorCode(error.code()).setErrorMessage(Requests.message(e))
                    .setLogStartOffset(partition.get().log().logStartOffset());
        }
    }
}
