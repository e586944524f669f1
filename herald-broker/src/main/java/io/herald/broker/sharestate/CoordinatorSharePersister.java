package io.herald.broker.sharestate;

import io.herald.broker.coordinator.InternalTopicCreator;
import io.herald.broker.network.InterBrokerSender;
import io.herald.common.time.Time;
import io.herald.common.timer.Timer;
import io.herald.coordinator.share.PersistedBatch;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.coordinator.share.ShareStatePersister;
import io.herald.coordinator.share.ShareStateRead;
import io.herald.coordinator.share.ShareStateSummary;
import io.herald.coordinator.share.ShareStateWrite;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.internals.Topic;
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
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteShareGroupStateRequest;
import org.apache.kafka.common.requests.DeleteShareGroupStateResponse;
import org.apache.kafka.common.requests.InitializeShareGroupStateRequest;
import org.apache.kafka.common.requests.InitializeShareGroupStateResponse;
import org.apache.kafka.common.requests.ReadShareGroupStateRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateResponse;
import org.apache.kafka.common.requests.ReadShareGroupStateSummaryRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateSummaryResponse;
import org.apache.kafka.common.requests.WriteShareGroupStateRequest;
import org.apache.kafka.common.requests.WriteShareGroupStateResponse;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's {@link ShareStatePersister} (Kafka's {@code DefaultStatePersister}): each call goes to the share
 * coordinator of its key, the leader of the key's {@code __share_group_state} partition in the metadata image,
 * directly when that is this broker and by the ShareGroupState RPCs otherwise. The topic is created on first need.
 *
 * <p>NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS and network failures are retried
 * every {@value #RETRY_BACKOFF_MS} ms with the leader the image then names, until {@code timeoutMs} has passed;
 * then, and for every other error, the caller gets the error.
 *
 * <p>Thread-safety: thread-safe; answers complete on the coordinator's loop, the inter-broker thread or the timer.
 */
public final class CoordinatorSharePersister implements ShareStatePersister {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorSharePersister.class);
    static final long RETRY_BACKOFF_MS = 100;
    private static final String TOPIC = Topic.SHARE_GROUP_STATE_TOPIC_NAME;

    private final int localBrokerId;
    private final Supplier<ClusterImage> images;
    private final ShareStateService local;
    private final InterBrokerSender sender;
    private final InternalTopicCreator stateTopic;
    private final Timer timer;
    private final Time time;
    private final long timeoutMs;

    public CoordinatorSharePersister(int localBrokerId, Supplier<ClusterImage> images, ShareStateService local,
                                     InterBrokerSender sender, InternalTopicCreator stateTopic, Timer timer, Time time,
                                     long timeoutMs) {
        this.localBrokerId = localBrokerId;
        this.images = images;
        this.local = local;
        this.sender = sender;
        this.stateTopic = stateTopic;
        this.timer = timer;
        this.time = time;
        this.timeoutMs = timeoutMs;
    }

    /** One RPC for one key: how to ask here and elsewhere, and how to read its one partition's answer. */
    private record Call<R>(Supplier<CompletableFuture<R>> local, Supplier<AbstractRequest> remote,
                           Function<AbstractResponse, R> fromRemote, Function<R, Errors> error,
                           Function<Errors, R> failed) {}

    @Override
    public CompletableFuture<Errors> initialize(SharePartitionKey key, int stateEpoch, long startOffset) {
        InitializeShareGroupStateRequestData data = new InitializeShareGroupStateRequestData()
                .setGroupId(key.groupId());
        data.topics().add(new InitializeShareGroupStateRequestData.InitializeStateData().setTopicId(key.topicId())
                .setPartitions(List.of(new InitializeShareGroupStateRequestData.PartitionData()
                        .setPartition(key.partition()).setStateEpoch(stateEpoch).setStartOffset(startOffset))));
        return call(key, new Call<Errors>(() -> local.initializeState(data)
                .thenApply(CoordinatorSharePersister::initializeError),
                () -> new InitializeShareGroupStateRequest.Builder(data).build((short) 0),
                r -> initializeError(((InitializeShareGroupStateResponse) r).data()), e -> e, e -> e));
    }

    private static Errors initializeError(InitializeShareGroupStateResponseData response) {
        return Errors.forCode(response.results().get(0).partitions().get(0).errorCode());
    }

    @Override
    public CompletableFuture<ShareStateRead> read(SharePartitionKey key, int leaderEpoch) {
        ReadShareGroupStateRequestData data = new ReadShareGroupStateRequestData().setGroupId(key.groupId());
        data.topics().add(new ReadShareGroupStateRequestData.ReadStateData().setTopicId(key.topicId())
                .setPartitions(List.of(new ReadShareGroupStateRequestData.PartitionData()
                        .setPartition(key.partition()).setLeaderEpoch(leaderEpoch))));
        return call(key, new Call<ShareStateRead>(() -> local.readState(data).thenApply(CoordinatorSharePersister::read),
                () -> new ReadShareGroupStateRequest.Builder(data).build((short) 0),
                r -> read(((ReadShareGroupStateResponse) r).data()), ShareStateRead::error,
                e -> new ShareStateRead(e, 0, -1, List.of())));
    }

    private static ShareStateRead read(ReadShareGroupStateResponseData response) {
        ReadShareGroupStateResponseData.PartitionResult p = response.results().get(0).partitions().get(0);
        return new ShareStateRead(Errors.forCode(p.errorCode()), p.stateEpoch(), p.startOffset(),
                p.stateBatches().stream().map(b -> new PersistedBatch(b.firstOffset(), b.lastOffset(),
                        b.deliveryState(), b.deliveryCount())).toList());
    }

    @Override
    public CompletableFuture<Errors> write(SharePartitionKey key, ShareStateWrite write) {
        WriteShareGroupStateRequestData data = new WriteShareGroupStateRequestData().setGroupId(key.groupId());
        data.topics().add(new WriteShareGroupStateRequestData.WriteStateData().setTopicId(key.topicId())
                .setPartitions(List.of(new WriteShareGroupStateRequestData.PartitionData()
                        .setPartition(key.partition()).setStateEpoch(write.stateEpoch())
                        .setLeaderEpoch(write.leaderEpoch()).setStartOffset(write.startOffset())
                        .setDeliveryCompleteCount(write.deliveryCompleteCount())
                        .setStateBatches(write.batches().stream().map(b -> new WriteShareGroupStateRequestData
                                .StateBatch().setFirstOffset(b.firstOffset()).setLastOffset(b.lastOffset())
                                .setDeliveryState(b.deliveryState()).setDeliveryCount(b.deliveryCount())).toList()))));
        return call(key, new Call<Errors>(() -> local.writeState(data, (short) 1).thenApply(
                CoordinatorSharePersister::writeError),
                () -> new WriteShareGroupStateRequest.Builder(data).build((short) 1),
                r -> writeError(((WriteShareGroupStateResponse) r).data()), e -> e, e -> e));
    }

    private static Errors writeError(WriteShareGroupStateResponseData response) {
        return Errors.forCode(response.results().get(0).partitions().get(0).errorCode());
    }

    @Override
    public CompletableFuture<ShareStateSummary> readSummary(SharePartitionKey key, int leaderEpoch) {
        ReadShareGroupStateSummaryRequestData data = new ReadShareGroupStateSummaryRequestData()
                .setGroupId(key.groupId());
        data.topics().add(new ReadShareGroupStateSummaryRequestData.ReadStateSummaryData().setTopicId(key.topicId())
                .setPartitions(List.of(new ReadShareGroupStateSummaryRequestData.PartitionData()
                        .setPartition(key.partition()).setLeaderEpoch(leaderEpoch))));
        return call(key, new Call<ShareStateSummary>(() -> local.readStateSummary(data, (short) 1)
                .thenApply(CoordinatorSharePersister::summary),
                () -> new ReadShareGroupStateSummaryRequest.Builder(data).build((short) 1),
                r -> summary(((ReadShareGroupStateSummaryResponse) r).data()), ShareStateSummary::error,
                e -> new ShareStateSummary(e, 0, -1, -1, -1)));
    }

    private static ShareStateSummary summary(ReadShareGroupStateSummaryResponseData response) {
        ReadShareGroupStateSummaryResponseData.PartitionResult p = response.results().get(0).partitions().get(0);
        return new ShareStateSummary(Errors.forCode(p.errorCode()), p.stateEpoch(), p.leaderEpoch(), p.startOffset(),
                p.deliveryCompleteCount());
    }

    @Override
    public CompletableFuture<Errors> delete(SharePartitionKey key) {
        DeleteShareGroupStateRequestData data = new DeleteShareGroupStateRequestData().setGroupId(key.groupId());
        data.topics().add(new DeleteShareGroupStateRequestData.DeleteStateData().setTopicId(key.topicId())
                .setPartitions(List.of(new DeleteShareGroupStateRequestData.PartitionData()
                        .setPartition(key.partition()))));
        return call(key, new Call<Errors>(() -> local.deleteState(data).thenApply(CoordinatorSharePersister::deleteError),
                () -> new DeleteShareGroupStateRequest.Builder(data).build((short) 0),
                r -> deleteError(((DeleteShareGroupStateResponse) r).data()), e -> e, e -> e));
    }

    private static Errors deleteError(DeleteShareGroupStateResponseData response) {
        return Errors.forCode(response.results().get(0).partitions().get(0).errorCode());
    }

    // ---- routing and retries ----

    private <R> CompletableFuture<R> call(SharePartitionKey key, Call<R> call) {
        CompletableFuture<R> answer = new CompletableFuture<>();
        attempt(key, call, time.milliseconds() + timeoutMs, answer);
        return answer;
    }

    private <R> void attempt(SharePartitionKey key, Call<R> call, long deadlineMs, CompletableFuture<R> answer) {
        Optional<Integer> node = coordinator(key);
        if (node.isEmpty()) {
            stateTopic.maybeCreate();
            retryOrFail(key, call, deadlineMs, answer, Errors.COORDINATOR_NOT_AVAILABLE, null);
            return;
        }
        CompletableFuture<R> sent;
        try {
            sent = node.get() == localBrokerId ? call.local().get()
                    : sender.send(node.get(), call.remote().get()).thenApply(call.fromRemote());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((result, failure) -> {
            if (failure != null) {
                log.debug("Share state call for {} to broker {} failed: {}", key, node.get(), failure.toString());
                retryOrFail(key, call, deadlineMs, answer, Errors.NETWORK_EXCEPTION, null);
            } else {
                retryOrFail(key, call, deadlineMs, answer, call.error().apply(result), result);
            }
        });
    }

    private <R> void retryOrFail(SharePartitionKey key, Call<R> call, long deadlineMs, CompletableFuture<R> answer,
                                 Errors error, R result) {
        boolean retriable = error == Errors.NOT_COORDINATOR || error == Errors.COORDINATOR_NOT_AVAILABLE
                || error == Errors.COORDINATOR_LOAD_IN_PROGRESS || error == Errors.NETWORK_EXCEPTION;
        if (!retriable) {
            answer.complete(result);
            return;
        }
        if (time.milliseconds() + RETRY_BACKOFF_MS > deadlineMs) {
            answer.complete(result != null ? result : call.failed().apply(error));
            return;
        }
        try {
            timer.schedule(RETRY_BACKOFF_MS, () -> attempt(key, call, deadlineMs, answer));
        } catch (IllegalStateException closed) {
            answer.complete(result != null ? result : call.failed().apply(error));
        }
    }

    /** The leader of the key's {@code __share_group_state} partition, if the topic exists and has one. */
    private Optional<Integer> coordinator(SharePartitionKey key) {
        ClusterImage image = images.get();
        Optional<TopicImage> topic = image.topic(TOPIC);
        if (topic.isEmpty() || topic.get().partitionCount() == 0) {
            return Optional.empty();
        }
        int partition = Utils.abs(key.coordinatorKey().hashCode()) % topic.get().partitionCount();
        return topic.get().partition(partition).map(PartitionImage::leader)
                .filter(id -> id >= 0 && image.brokers().containsKey(id));
    }
}
