package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental fetch sessions (KIP-227) on the wire, as the Java consumer uses them: a full fetch with epoch 0
 * opens a session, later fetches name only what changed and get back only partitions with news.
 */
class FetchSessionTest {
    private static final short VERSION = 17;

    @TempDir
    Path dir;
    TestBroker broker;
    Uuid topicId;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir);
        broker.admin().createTopics(List.of(new NewTopic("s", 3, (short) 1))).all().get(20, TimeUnit.SECONDS);
        topicId = broker.admin().describeTopics(List.of("s")).allTopicNames().get(20, TimeUnit.SECONDS).get("s")
                .topicId();
        for (int p = 0; p < 3; p++) {
            produce(p, "first-" + p);
        }
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void aSessionAnswersOnlyThePartitionsWithNews() throws Exception {
        try (TestBroker.RawConnection c = broker.raw()) {
            FetchResponse full = c.roundTrip(fetch(0, 0, 0L, 0L, 0L));
            assertThat(full.error()).isEqualTo(Errors.NONE);
            int session = full.data().sessionId();
            assertThat(session).as("epoch 0 opens a session").isPositive();
            assertThat(partitionsWithRecords(full.data())).containsExactly(0, 1, 2);

            // The client moved past what it read: it says so, and nothing new is there.
            FetchResponse quiet = c.roundTrip(fetch(session, 1, 1L, 1L, 1L));
            assertThat(quiet.data().sessionId()).isEqualTo(session);
            assertThat(partitions(quiet.data())).as("no news: no partitions").isEmpty();

            produce(1, "second-1");
            FetchResponse news = c.roundTrip(fetch(session, 2));
            assertThat(partitions(news.data())).as("only the partition with a new record").containsExactly(1);
            assertThat(partitionsWithRecords(news.data())).containsExactly(1);

            assertThat(c.<FetchResponse>roundTrip(fetch(session, 2)).error())
                    .as("an epoch used twice").isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
            assertThat(c.<FetchResponse>roundTrip(fetch(session + 1, 1)).error())
                    .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
    }

    @Test
    void theJavaConsumerFetchesThroughASessionAndReadsEverything() throws Exception {
        for (int p = 0; p < 3; p++) {
            produce(p, "second-" + p);
        }
        try (KafkaConsumer<String, String> consumer = broker.consumer(Map.of())) {
            List<TopicPartition> partitions = List.of(new TopicPartition("s", 0), new TopicPartition("s", 1),
                    new TopicPartition("s", 2));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < 6 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            assertThat(values).containsExactlyInAnyOrder("first-0", "first-1", "first-2", "second-0", "second-1",
                    "second-2");
            assertThat(broker.broker().fetchSessions().size()).as("the consumer opened a session").isEqualTo(1);

            produce(2, "third-2");
            List<String> later = new ArrayList<>();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (later.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> later.add(r.value()));
            }
            assertThat(later).as("a record arriving while incremental fetches run").containsExactly("third-2");
            assertThat(broker.broker().fetchSessions().size()).isEqualTo(1);
        }
    }

    private void produce(int partition, String value) throws Exception {
        try (KafkaProducer<String, String> producer = broker.producer()) {
            producer.send(new ProducerRecord<>("s", partition, null, value)).get(20, TimeUnit.SECONDS);
        }
    }

    /** A fetch of {@code offsets.length} partitions (0, 1, ...) at those offsets, never waiting. */
    private FetchRequest fetch(int sessionId, int epoch, Long... offsets) {
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopicId(topicId);
        for (int p = 0; p < offsets.length; p++) {
            topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(p).setFetchOffset(offsets[p])
                    .setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1)
                    .setLogStartOffset(-1));
        }
        FetchRequestData data = new FetchRequestData().setReplicaState(new FetchRequestData.ReplicaState()
                        .setReplicaId(-1)).setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                .setSessionId(sessionId).setSessionEpoch(epoch)
                .setTopics(offsets.length == 0 ? new ArrayList<>() : new ArrayList<>(List.of(topic)));
        return new FetchRequest(data, VERSION);
    }

    private static List<Integer> partitions(FetchResponseData data) {
        return data.responses().stream().flatMap(t -> t.partitions().stream())
                .map(FetchResponseData.PartitionData::partitionIndex).toList();
    }

    private static List<Integer> partitionsWithRecords(FetchResponseData data) {
        return data.responses().stream().flatMap(t -> t.partitions().stream())
                .filter(p -> p.records() != null && p.records().sizeInBytes() > 0)
                .map(FetchResponseData.PartitionData::partitionIndex).toList();
    }
}
