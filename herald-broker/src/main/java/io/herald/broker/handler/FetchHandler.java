package io.herald.broker.handler;

import io.herald.broker.purgatory.DelayedOperation;
import io.herald.broker.purgatory.Purgatory;
import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.FileRegionRecords;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.storage.log.FileSlice;
import io.herald.storage.log.LogReadResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * Fetch for consumers: reads whole batches below the high watermark and hands them to the protocol layer as
 * file regions, so log bytes go from the page cache to the socket without passing through the heap.
 *
 * <p>Long poll: when fewer than {@code min_bytes} are available and {@code max_wait_ms > 0}, the request parks
 * in the fetch purgatory watching its partitions; the next append to one of them or the deadline completes
 * it. No thread waits.
 *
 * <p>Byte limits follow Kafka: {@code partition_max_bytes} per partition and {@code max_bytes} for the
 * response, except that the first partition with data returns at least one whole batch, so a batch larger than
 * the limits still makes progress.
 *
 * <p>Fetch sessions (KIP-227) are not kept: every response carries session id 0, which tells the client to send
 * full fetch requests, a mode every client supports.
 */
public final class FetchHandler implements ApiHandler {
    private final ReplicaManager replicas;
    private final Supplier<ClusterImage> images;
    private final Purgatory<TopicPartition> purgatory;
    private final Executor pool;

    public FetchHandler(ReplicaManager replicas, Supplier<ClusterImage> images, Purgatory<TopicPartition> purgatory,
                        Executor pool) {
        this.replicas = replicas;
        this.images = images;
        this.purgatory = purgatory;
        this.pool = pool;
    }

    /** One partition of a fetch, resolved against the metadata image at arrival. */
    private record PartitionFetch(String topic, Uuid topicId, int partition, long fetchOffset, int maxBytes,
                                  int currentLeaderEpoch, Errors resolveError) {}

    private record FetchResult(FetchResponseData response, long bytes, boolean hasError) {}

    @Override
    public CompletableFuture<Response> handle(KafkaRequest request) {
        FetchRequestData data = ((FetchRequest) request.body()).data();
        if (data.sessionId() != 0) {
            return Requests.now(new FetchResponseData().setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code())
                    .setSessionId(0));
        }
        List<PartitionFetch> plan = plan(data, images.get());
        CompletableFuture<Response> future = new CompletableFuture<>();
        pool.execute(() -> {
            try {
                FetchResult first = read(plan, data.maxBytes());
                if (data.maxWaitMs() <= 0 || first.bytes() >= data.minBytes() || first.hasError() || plan.isEmpty()) {
                    future.complete(new Response.Send(first.response()));
                    return;
                }
                DelayedFetch delayed = new DelayedFetch(plan, data, future);
                List<TopicPartition> keys = plan.stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                purgatory.tryCompleteElseWatch(delayed, keys);
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    private final class DelayedFetch extends DelayedOperation {
        private final List<PartitionFetch> plan;
        private final FetchRequestData request;
        private final CompletableFuture<Response> future;

        DelayedFetch(List<PartitionFetch> plan, FetchRequestData request, CompletableFuture<Response> future) {
            super(request.maxWaitMs());
            this.plan = plan;
            this.request = request;
            this.future = future;
        }

        @Override
        public boolean tryComplete() {
            FetchResult result = read(plan, request.maxBytes());
            if (result.bytes() >= request.minBytes() || result.hasError()) {
                return forceComplete();
            }
            return false;
        }

        @Override
        protected void onComplete() {
            try {
                future.complete(new Response.Send(read(plan, request.maxBytes()).response()));
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        }
    }

    private static List<PartitionFetch> plan(FetchRequestData data, ClusterImage image) {
        List<PartitionFetch> plan = new ArrayList<>();
        for (FetchRequestData.FetchTopic topic : data.topics()) {
            boolean byId = topic.topic() == null || topic.topic().isEmpty();
            Optional<TopicImage> resolved = byId ? image.topic(topic.topicId()) : image.topic(topic.topic());
            Errors error = resolved.isPresent() ? Errors.NONE
                    : byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
            String name = resolved.map(TopicImage::name).orElse(topic.topic());
            Uuid id = resolved.map(TopicImage::topicId).orElse(topic.topicId());
            for (FetchRequestData.FetchPartition p : topic.partitions()) {
                plan.add(new PartitionFetch(name, id, p.partition(), p.fetchOffset(), p.partitionMaxBytes(),
                        p.currentLeaderEpoch(), error));
            }
        }
        return plan;
    }

    private FetchResult read(List<PartitionFetch> plan, int maxBytes) {
        Map<Uuid, FetchableTopicResponse> topics = new LinkedHashMap<>();
        Map<String, FetchableTopicResponse> topicsByName = new LinkedHashMap<>();
        long remaining = maxBytes;
        long total = 0;
        boolean hasError = false;
        for (PartitionFetch p : plan) {
            PartitionData pd = new PartitionData().setPartitionIndex(p.partition()).setRecords(MemoryRecords.EMPTY);
            Errors error = p.resolveError();
            Optional<Partition> partition = Optional.empty();
            if (error == Errors.NONE) {
                partition = replicas.partition(new TopicPartition(p.topic(), p.partition()));
                if (partition.isEmpty()) {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                }
            }
            if (partition.isPresent()) {
                try {
                    Partition part = partition.get();
                    part.checkLeaderEpoch(p.currentLeaderEpoch());
                    int limit = (int) Math.max(0, Math.min(p.maxBytes(), remaining));
                    LogReadResult read = part.read(p.fetchOffset(), limit, total == 0);
                    FileSlice slice = read.slice();
                    if (slice.size() > 0) {
                        pd.setRecords(new FileRegionRecords(slice.channel(), slice.position(), slice.size()));
                        remaining -= slice.size();
                        total += slice.size();
                    }
                    pd.setHighWatermark(read.highWatermark())
                            .setLastStableOffset(read.highWatermark())
                            .setLogStartOffset(read.logStartOffset());
                } catch (RuntimeException e) {
                    error = Requests.error(e);
                }
            }
            if (error != Errors.NONE) {
                hasError = true;
                pd.setErrorCode(error.code()).setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1);
                partition.ifPresent(part -> pd.setHighWatermark(part.highWatermark())
                        .setLogStartOffset(part.log().logStartOffset()));
            }
            FetchableTopicResponse topic = p.topicId().equals(Uuid.ZERO_UUID)
                    ? topicsByName.computeIfAbsent(p.topic(), n -> new FetchableTopicResponse().setTopic(n))
                    : topics.computeIfAbsent(p.topicId(),
                            id -> new FetchableTopicResponse().setTopic(p.topic()).setTopicId(id));
            topic.partitions().add(pd);
        }
        List<FetchableTopicResponse> responses = new ArrayList<>(topics.values());
        responses.addAll(topicsByName.values());
        FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0)
                .setResponses(responses);
        return new FetchResult(response, total, hasError);
    }
}
