package io.herald.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.broker.network.InterBrokerSender;
import io.herald.common.time.ManualTime;
import io.herald.common.timer.ManualTimer;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.transaction.TransactionMarkers;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest.TxnMarkerEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The marker channel on this broker's own partitions (a scripted writer), a manual clock and timer. */
class TransactionMarkerSenderTest {
    private static final int SELF = 1;
    private static final TopicPartition A = new TopicPartition("a", 0);
    private static final TopicPartition B = new TopicPartition("b", 0);

    private final ManualTimer timer = new ManualTimer(new ManualTime());
    private final AtomicReference<ClusterImage> image = new AtomicReference<>(image(SELF, SELF));
    private final ScriptedWriter writer = new ScriptedWriter();
    private final AtomicBoolean coordinating = new AtomicBoolean(true);
    private final InterBrokerSender network = new InterBrokerSender(SELF, image::get, 1000);
    private final TransactionMarkerSender sender = new TransactionMarkerSender(SELF, image::get, writer, network,
            timer, Runnable::run, m -> coordinating.get());

    @AfterEach
    void close() {
        sender.close();
        network.close();
    }

    /** Answers each partition from a queue of errors (NONE when empty) and records what it was asked. */
    private static final class ScriptedWriter implements MarkerWriter {
        final Map<TopicPartition, Deque<Errors>> script = new HashMap<>();
        final List<TxnMarkerEntry> written = new ArrayList<>();

        void answer(TopicPartition tp, Errors... errors) {
            script.computeIfAbsent(tp, t -> new ArrayDeque<>()).addAll(List.of(errors));
        }

        @Override
        public synchronized CompletableFuture<Map<TopicPartition, Errors>> write(TxnMarkerEntry entry) {
            written.add(entry);
            Map<TopicPartition, Errors> errors = new HashMap<>();
            entry.partitions().forEach(tp -> errors.put(tp, Optional.ofNullable(script.get(tp))
                    .map(Deque::poll).orElse(Errors.NONE)));
            return CompletableFuture.completedFuture(errors);
        }
    }

    private static ClusterImage image(int leaderOfA, int leaderOfB) {
        Map<String, TopicImage> topics = new TreeMap<>();
        Map<Uuid, String> names = new TreeMap<>();
        for (var t : List.of(Map.entry("a", leaderOfA), Map.entry("b", leaderOfB))) {
            TopicImage topic = new TopicImage(t.getKey(), Uuid.randomUuid(), new TreeMap<>(Map.of(0,
                    new PartitionImage(0, List.of(SELF), List.of(SELF), t.getValue(), 0, 0))), Map.of());
            topics.put(topic.name(), topic);
            names.put(topic.topicId(), topic.name());
        }
        return new ClusterImage("c", 1, Map.of(SELF, new BrokerImage(SELF, "127.0.0.1", 9, Optional.empty())),
                topics, names, Map.of(), 0);
    }

    private static TransactionMarkers markers(Set<TopicPartition> partitions) {
        return new TransactionMarkers("txn", 42, (short) 3, 5, TransactionResult.COMMIT, partitions, (short) 2);
    }

    @Test
    void writesOneEntryPerLeaderWithTheMarkersFields() {
        CompletableFuture<Void> done = sender.writeMarkers(markers(Set.of(A, B)));
        assertThat(done).isCompleted();
        assertThat(writer.written).singleElement().satisfies(e -> {
            assertThat(e.producerId()).isEqualTo(42);
            assertThat(e.producerEpoch()).isEqualTo((short) 3);
            assertThat(e.coordinatorEpoch()).isEqualTo(5);
            assertThat(e.transactionResult()).isEqualTo(TransactionResult.COMMIT);
            assertThat(e.partitions()).containsExactlyInAnyOrder(A, B);
            assertThat(e.transactionVersion()).isEqualTo((short) 2);
        });
    }

    @Test
    void retriableErrorsAreRetriedForTheFailedPartitionsOnly() {
        writer.answer(B, Errors.NOT_LEADER_OR_FOLLOWER, Errors.REQUEST_TIMED_OUT);
        CompletableFuture<Void> done = sender.writeMarkers(markers(Set.of(A, B)));
        assertThat(done).isNotDone();
        timer.advance(TransactionMarkerSender.RETRY_BACKOFF_MS);
        assertThat(done).isNotDone();
        timer.advance(TransactionMarkerSender.RETRY_BACKOFF_MS);
        assertThat(done).isCompleted();
        assertThat(writer.written).hasSize(3);
        assertThat(writer.written.get(1).partitions()).containsExactly(B);
        assertThat(writer.written.get(2).partitions()).containsExactly(B);
    }

    @Test
    void aLeaderlessPartitionWaitsForALeader() {
        image.set(image(SELF, -1));
        CompletableFuture<Void> done = sender.writeMarkers(markers(Set.of(A, B)));
        timer.advance(TransactionMarkerSender.RETRY_BACKOFF_MS * 5);
        assertThat(done).isNotDone();
        image.set(image(SELF, SELF));
        timer.advance(TransactionMarkerSender.RETRY_BACKOFF_MS);
        assertThat(done).isCompleted();
    }

    @Test
    void aDeletedPartitionNeedsNoMarker() {
        writer.answer(B, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        CompletableFuture<Void> done = sender.writeMarkers(markers(Set.of(A, B)));
        assertThat(done).isNotDone();
        ClusterImage withoutB = image.get();
        Map<String, TopicImage> topics = new TreeMap<>(withoutB.topics());
        topics.remove("b");
        image.set(new ClusterImage("c", 2, withoutB.brokers(), topics, Map.of(), Map.of(), 0));
        timer.advance(TransactionMarkerSender.RETRY_BACKOFF_MS);
        assertThat(done).isCompleted();
    }

    @Test
    void aNewerCoordinatorEpochOnThePartitionStopsTheWrite() {
        writer.answer(A, Errors.TRANSACTION_COORDINATOR_FENCED);
        CompletableFuture<Void> done = sender.writeMarkers(markers(Set.of(A)));
        assertThat(done).isCompletedExceptionally();
        assertThat(timer.pending()).isZero();
    }

    @Test
    void losingTheCoordinatorPartitionStopsTheRetries() {
        writer.answer(A, Errors.NOT_LEADER_OR_FOLLOWER);
        CompletableFuture<Void> done = sender.writeMarkers(markers(Set.of(A)));
        coordinating.set(false);
        timer.advance(TransactionMarkerSender.RETRY_BACKOFF_MS);
        assertThat(done).isCompletedExceptionally();
        assertThat(done.exceptionNow()).isInstanceOf(TransactionCoordinatorFencedException.class);
        assertThat(writer.written).hasSize(1);
    }

    @Test
    void closeFailsWritesInFlight() {
        writer.answer(A, Errors.NOT_ENOUGH_REPLICAS);
        CompletableFuture<Void> done = sender.writeMarkers(markers(Set.of(A)));
        sender.close();
        assertThat(done).isCompletedExceptionally();
        assertThat(sender.writeMarkers(markers(Set.of(A)))).isCompletedExceptionally();
    }
}
