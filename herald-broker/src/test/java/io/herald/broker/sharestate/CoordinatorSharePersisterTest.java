package io.herald.broker.sharestate;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.broker.coordinator.InternalTopicCreator;
import io.herald.broker.network.InterBrokerSender;
import io.herald.common.time.ManualTime;
import io.herald.common.timer.ManualTimer;
import io.herald.coordinator.share.PersistedBatch;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.coordinator.share.ShareStateRead;
import io.herald.coordinator.share.ShareStateWrite;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.Uuid;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The persister against this broker's own coordinator (scripted), with a manual clock and timer. */
class CoordinatorSharePersisterTest {
    private static final int SELF = 1;
    private static final SharePartitionKey KEY = new SharePartitionKey("g", Uuid.randomUuid(), 3);

    private final ManualTime time = new ManualTime();
    private final ManualTimer timer = new ManualTimer(time);
    private final AtomicReference<ClusterImage> image = new AtomicReference<>(image(true));
    private final AtomicInteger creations = new AtomicInteger();
    private final InternalTopicCreator creator = new InternalTopicCreator(image::get,
            (name, partitions, rf, configs) -> creations.incrementAndGet(),
            new InternalTopicCreator.Spec(Topic.SHARE_GROUP_STATE_TOPIC_NAME, 3, 1, "rf", Map.of()), Runnable::run);
    private final Scripted coordinator = new Scripted();
    private final InterBrokerSender network = new InterBrokerSender(SELF, image::get, 1000);
    private final CoordinatorSharePersister persister = new CoordinatorSharePersister(SELF, image::get, coordinator,
            network, creator, timer, time, 1000);

    @AfterEach
    void close() {
        network.close();
    }

    private static ClusterImage image(boolean withStateTopic) {
        Map<String, TopicImage> topics = new TreeMap<>();
        Map<Uuid, String> names = new TreeMap<>();
        if (withStateTopic) {
            TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
            for (int p = 0; p < 3; p++) {
                partitions.put(p, new PartitionImage(p, List.of(SELF), List.of(SELF), SELF, 0, 0));
            }
            TopicImage t = new TopicImage(Topic.SHARE_GROUP_STATE_TOPIC_NAME, Uuid.randomUuid(), partitions, Map.of());
            topics.put(t.name(), t);
            names.put(t.topicId(), t.name());
        }
        return new ClusterImage("c", 1, Map.of(SELF, new BrokerImage(SELF, "127.0.0.1", 9, Optional.empty())),
                topics, names, Map.of(), 0);
    }

    /** Answers each call with the next scripted error (NONE when the script is empty). */
    private static final class Scripted implements ShareStateService {
        final Deque<Errors> errors = new ArrayDeque<>();
        final List<Object> requests = new ArrayList<>();

        private Errors next(Object request) {
            requests.add(request);
            return errors.isEmpty() ? Errors.NONE : errors.poll();
        }

        @Override
        public CompletableFuture<InitializeShareGroupStateResponseData> initializeState(
                InitializeShareGroupStateRequestData r) {
            Errors e = next(r);
            var result = new InitializeShareGroupStateResponseData.InitializeStateResult().setTopicId(KEY.topicId());
            result.partitions().add(new InitializeShareGroupStateResponseData.PartitionResult()
                    .setPartition(KEY.partition()).setErrorCode(e.code()));
            return CompletableFuture.completedFuture(new InitializeShareGroupStateResponseData()
                    .setResults(List.of(result)));
        }

        @Override
        public CompletableFuture<ReadShareGroupStateResponseData> readState(ReadShareGroupStateRequestData r) {
            Errors e = next(r);
            var partition = new ReadShareGroupStateResponseData.PartitionResult().setPartition(KEY.partition())
                    .setErrorCode(e.code()).setStateEpoch(2).setStartOffset(40);
            partition.stateBatches().add(new ReadShareGroupStateResponseData.StateBatch().setFirstOffset(40)
                    .setLastOffset(44).setDeliveryState((byte) 4).setDeliveryCount((short) 5));
            return CompletableFuture.completedFuture(new ReadShareGroupStateResponseData().setResults(List.of(
                    new ReadShareGroupStateResponseData.ReadStateResult().setTopicId(KEY.topicId())
                            .setPartitions(List.of(partition)))));
        }

        @Override
        public CompletableFuture<WriteShareGroupStateResponseData> writeState(WriteShareGroupStateRequestData r,
                                                                              short version) {
            Errors e = next(r);
            return CompletableFuture.completedFuture(new WriteShareGroupStateResponseData().setResults(List.of(
                    new WriteShareGroupStateResponseData.WriteStateResult().setTopicId(KEY.topicId())
                            .setPartitions(List.of(new WriteShareGroupStateResponseData.PartitionResult()
                                    .setPartition(KEY.partition()).setErrorCode(e.code()))))));
        }

        @Override
        public CompletableFuture<DeleteShareGroupStateResponseData> deleteState(DeleteShareGroupStateRequestData r) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<ReadShareGroupStateSummaryResponseData> readStateSummary(
                ReadShareGroupStateSummaryRequestData r, short version) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int partitionFor(String coordinatorKey) {
            return 0;
        }
    }

    @Test
    void aReadCarriesTheKeyAndTheLeaderEpochAndReturnsTheBatches() {
        ShareStateRead read = persister.read(KEY, 7).join();
        assertThat(read.error()).isEqualTo(Errors.NONE);
        assertThat(read.stateEpoch()).isEqualTo(2);
        assertThat(read.startOffset()).isEqualTo(40);
        assertThat(read.batches()).containsExactly(new PersistedBatch(40, 44, (byte) 4, (short) 5));
        ReadShareGroupStateRequestData sent = (ReadShareGroupStateRequestData) coordinator.requests.get(0);
        assertThat(sent.groupId()).isEqualTo("g");
        assertThat(sent.topics().get(0).topicId()).isEqualTo(KEY.topicId());
        assertThat(sent.topics().get(0).partitions().get(0).partition()).isEqualTo(3);
        assertThat(sent.topics().get(0).partitions().get(0).leaderEpoch()).isEqualTo(7);
    }

    @Test
    void aCoordinatorStillLoadingIsAskedAgain() {
        coordinator.errors.addAll(List.of(Errors.COORDINATOR_LOAD_IN_PROGRESS, Errors.NOT_COORDINATOR));
        CompletableFuture<Errors> written = persister.write(KEY, new ShareStateWrite(1, 3, 50, 2,
                List.of(new PersistedBatch(50, 51, (byte) 2, (short) 1))));
        assertThat(written).isNotDone();
        timer.advance(CoordinatorSharePersister.RETRY_BACKOFF_MS);
        assertThat(written).isNotDone();
        timer.advance(CoordinatorSharePersister.RETRY_BACKOFF_MS);
        assertThat(written.join()).isEqualTo(Errors.NONE);
        assertThat(coordinator.requests).hasSize(3);
    }

    @Test
    void fencingIsTheCallersToHandle() {
        coordinator.errors.add(Errors.FENCED_STATE_EPOCH);
        assertThat(persister.write(KEY, new ShareStateWrite(0, 0, 0, -1, List.of())).join())
                .isEqualTo(Errors.FENCED_STATE_EPOCH);
        assertThat(coordinator.requests).hasSize(1);
    }

    @Test
    void aMissingStateTopicIsCreatedAndTheCallGivesUpAfterItsTimeout() {
        image.set(image(false));
        CompletableFuture<Errors> initialized = persister.initialize(KEY, 0, -1);
        assertThat(creations).hasValue(1);
        for (int i = 0; i < 20 && !initialized.isDone(); i++) {
            timer.advance(CoordinatorSharePersister.RETRY_BACKOFF_MS);
        }
        assertThat(initialized.join()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(coordinator.requests).isEmpty();
    }

    @Test
    void theTopicAppearingLetsTheCallThrough() {
        image.set(image(false));
        CompletableFuture<Errors> initialized = persister.initialize(KEY, 0, -1);
        image.set(image(true));
        timer.advance(CoordinatorSharePersister.RETRY_BACKOFF_MS);
        assertThat(initialized.join()).isEqualTo(Errors.NONE);
    }
}
