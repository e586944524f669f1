package io.herald.server.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.server.node.BrokerNode;
import io.herald.server.config.HeraldConfig;
import io.herald.broker.network.InterBrokerSender;
import io.herald.broker.replica.AlterPartitionChannel;
import io.herald.broker.replica.Partition;
import io.herald.broker.partition.LeaderLog;
import io.herald.broker.partition.RemoteLeaderLog;
import io.herald.metadata.controller.MetadataController;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import io.herald.storage.log.PartitionLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas over loopback: a real {@link Broker} (node 1, the leader, with its own controller) and a second
 * node (2) built from a log manager, a replica manager and a listener ({@link ReplicaNode}), registered with
 * node 1's controller and fed the same metadata images. Node 2 follows with the real fetcher over a socket.
 * ISR changes go to a fake controller link that commits them (the controller's AlterPartition is being built
 * elsewhere). Kafka clients check what producers see.
 */
@Timeout(120)
class ReplicationLoopbackTest {
    @TempDir
    Path dir;
    private BrokerNode leader;
    private ReplicaNode follower;
    private ApplyingAlterPartition alter;
    private final List<AutoCloseable> clients = new ArrayList<>();

    /** Commits every well-formed ISR change at once, as the controller would; keeps the requests. */
    static final class ApplyingAlterPartition implements AlterPartitionChannel {
        volatile Supplier<ClusterImage> images;
        final List<List<Integer>> requests = new CopyOnWriteArrayList<>();
        private final Map<String, PartitionImage> latest = new ConcurrentHashMap<>();

        @Override
        public synchronized CompletableFuture<PartitionImage> alterPartition(int brokerId, Uuid topicId,
                                                                             int partition, int leaderEpoch,
                                                                             int partitionEpoch,
                                                                             List<Integer> newIsr) {
            requests.add(List.copyOf(newIsr));
            String key = topicId + "-" + partition;
            PartitionImage base = latest.computeIfAbsent(key, k -> images.get().topic(topicId).orElseThrow()
                    .partition(partition).orElseThrow());
            if (leaderEpoch != base.leaderEpoch()) {
                return CompletableFuture.failedFuture(new FencedLeaderEpochException("epoch " + leaderEpoch));
            }
            if (partitionEpoch != base.partitionEpoch()) {
                return CompletableFuture.failedFuture(new InvalidUpdateVersionException("epoch " + partitionEpoch));
            }
            PartitionImage next = new PartitionImage(partition, base.replicas(), newIsr, base.leader(), leaderEpoch,
                    partitionEpoch + 1);
            latest.put(key, next);
            return CompletableFuture.completedFuture(next);
        }
    }

    private TopicPartition startCluster(Map<String, String> leaderOverrides) throws Exception {
        alter = new ApplyingAlterPartition();
        Map<String, String> props = new HashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("log.dirs", dir.resolve("node1").toString());
        props.put("num.io.threads", "2");
        props.put("num.network.threads", "1");
        props.putAll(leaderOverrides);
        leader = BrokerNode.start(HeraldConfig.parse(props), Optional.of(alter));
        MetadataController controller = leader.controller();
        alter.images = controller::image;
        follower = ReplicaNode.start(2, dir.resolve("node2"), Map.of("replica.fetch.backoff.ms", "100",
                "replica.fetch.wait.max.ms", "200"), (b, t, p, le, pe, isr) ->
                CompletableFuture.failedFuture(new IllegalStateException("node 2 never leads here")),
                leader.clusterId(), Optional.of(controller));
        follower.onImage(ClusterImage.empty(leader.clusterId()), controller.image());
        controller.addListener(follower::onImage);
        controller.registerBroker(2, "127.0.0.1", follower.port(), Optional.empty());

        String topic = topicLedByNode1();
        controller.createTopic(topic, 1, 2, Map.of(), false);
        TopicPartition tp = new TopicPartition(topic, 0);
        assertThat(controller.image().topic(topic).orElseThrow().partition(0).orElseThrow().isr())
                .containsExactly(1, 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> follower.replicas().fetchedPartitions().containsKey(tp));
        return tp;
    }

    /** Placement starts at hash(name) mod brokers: pick a name whose partition 0 is led by node 1. */
    private static String topicLedByNode1() {
        for (int i = 0; ; i++) {
            String name = "replicated-" + i;
            if (Math.floorMod(name.hashCode(), 2) == 0) {
                return name;
            }
        }
    }

    private KafkaProducer<String, String> producer(Map<String, Object> overrides) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + leader.boundPort());
        cfg.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        cfg.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        cfg.put(ProducerConfig.ACKS_CONFIG, "all");
        cfg.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        cfg.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        cfg.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        cfg.putAll(overrides);
        KafkaProducer<String, String> p = new KafkaProducer<>(cfg);
        clients.add(p);
        return p;
    }

    private Partition leaderPartition(TopicPartition tp) {
        return leader.replicaManager().partition(tp).orElseThrow();
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (follower != null) {
            follower.close();
        }
        if (leader != null) {
            leader.close();
        }
    }

    @Test
    void acksAllCompletesOnceTheFollowerHasTheRecordsAndTheLogsAreIdentical() throws Exception {
        TopicPartition tp = startCluster(Map.of());
        KafkaProducer<String, String> producer = producer(Map.of());
        List<Long> followerEndAtAck = new CopyOnWriteArrayList<>();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            sends.add(producer.send(new ProducerRecord<>(tp.topic(), 0, "k" + i, "v" + i), (md, e) -> {
                if (e == null) {
                    followerEndAtAck.add(follower.log(tp).logEndOffset() - md.offset());
                }
            }));
            if (i % 10 == 9) {
                producer.flush();
            }
        }
        for (Future<RecordMetadata> f : sends) {
            f.get(30, TimeUnit.SECONDS);
        }
        assertThat(followerEndAtAck).hasSize(30).allSatisfy(d -> assertThat(d)
                .as("the follower held each record when its acks=all produce completed").isPositive());
        assertThat(leaderPartition(tp).isr()).containsExactly(1, 2);

        PartitionLog leaderLog = leaderPartition(tp).log();
        PartitionLog followerLog = follower.log(tp);
        await().atMost(Duration.ofSeconds(20)).until(() -> followerLog.highWatermark() == leaderLog.highWatermark()
                && followerLog.logEndOffset() == leaderLog.logEndOffset());
        long hw = leaderLog.highWatermark();
        assertThat(hw).isEqualTo(30);
        assertThat(ReplicaNode.bytes(followerLog, hw)).isEqualTo(ReplicaNode.bytes(leaderLog, hw));
        assertThat(followerLog.epochEntries()).isEqualTo(leaderLog.epochEntries());

        Map<String, Object> cfg = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + leader.boundPort(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cfg)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (got.size() < 30 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
            assertThat(got).extracting(ConsumerRecord::value).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, 30).mapToObj(i -> "v" + i).toList());
        }
    }

    @Test
    void acksAllTimesOutWhileAStoppedFollowerIsStillInTheIsr() throws Exception {
        TopicPartition tp = startCluster(Map.of());
        producer(Map.of()).send(new ProducerRecord<>(tp.topic(), 0, "k", "first")).get(30, TimeUnit.SECONDS);
        follower.close();

        KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.RETRIES_CONFIG, 0,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_500, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000));
        Future<RecordMetadata> send = producer.send(new ProducerRecord<>(tp.topic(), 0, "k", "second"));
        assertThatThrownBy(() -> send.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
        Partition p = leaderPartition(tp);
        assertThat(p.log().logEndOffset()).as("appended on the leader").isEqualTo(2);
        assertThat(p.highWatermark()).as("but not committed").isEqualTo(1);
        assertThat(p.isr()).containsExactly(1, 2);
    }

    @Test
    void stoppedFollowerLeavesTheIsrThenAcksAllSucceedsAndMinInsyncTwoIsRefused() throws Exception {
        TopicPartition tp = startCluster(Map.of("replica.lag.time.max.ms", "1500"));
        producer(Map.of()).send(new ProducerRecord<>(tp.topic(), 0, "k", "first")).get(30, TimeUnit.SECONDS);
        follower.close();

        List<List<Integer>> isrAtAck = new CopyOnWriteArrayList<>();
        producer(Map.of()).send(new ProducerRecord<>(tp.topic(), 0, "k", "second"),
                (md, e) -> isrAtAck.add(leaderPartition(tp).isr())).get(60, TimeUnit.SECONDS);
        assertThat(isrAtAck).containsExactly(List.of(1));
        assertThat(alter.requests).contains(List.of(1));
        assertThat(leaderPartition(tp).highWatermark()).isEqualTo(2);

        leader.controller().alterConfigs(ResourceKind.TOPIC, tp.topic(),
                Map.of("min.insync.replicas", Optional.of("2")));
        KafkaProducer<String, String> strict = producer(Map.of(ProducerConfig.RETRIES_CONFIG, 0));
        assertThatThrownBy(() -> strict.send(new ProducerRecord<>(tp.topic(), 0, "k", "third"))
                .get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NotEnoughReplicasException.class);
        assertThat(leaderPartition(tp).log().logEndOffset()).as("refused before the append").isEqualTo(2);
    }

    /**
     * A share-partition's check for dead-letter copies in doubt, on a broker that does not lead the dead-letter
     * partition: a copy appended on the leader but not yet on its follower is not taken for absent.
     */
    @Test
    void aDeadLetterCheckFromAnotherBrokerFailsWhileTheLogEndIsNotCommitted() throws Exception {
        TopicPartition tp = startCluster(Map.of());
        producer(Map.of()).send(new ProducerRecord<>(tp.topic(), 0, "k", "first")).get(30, TimeUnit.SECONDS);
        follower.close(); // still in the ISR for replica.lag.time.max.ms (30 s)
        producer(Map.of(ProducerConfig.ACKS_CONFIG, "1")).send(new ProducerRecord<>(tp.topic(), 0, "k", "copy"))
                .get(30, TimeUnit.SECONDS);
        assertThat(leaderPartition(tp).highWatermark()).isEqualTo(1);

        try (InterBrokerSender sender = new InterBrokerSender(2, leader.controller()::image, 10_000)) {
            RemoteLeaderLog dlq = new RemoteLeaderLog(r -> sender.send(1, r), 1, 2, 1_000);
            assertThatThrownBy(() -> dlq.bounds(tp).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class)
                    .hasMessageContaining("did not reach the log end 2");
        }
    }

    @Test
    void aDeadLetterCheckFromAnotherBrokerWaitsUntilTheLogEndIsCommitted() throws Exception {
        TopicPartition tp = startCluster(Map.of("replica.lag.time.max.ms", "1500"));
        producer(Map.of()).send(new ProducerRecord<>(tp.topic(), 0, "k", "first")).get(30, TimeUnit.SECONDS);
        follower.close(); // leaves the ISR after 1.5 s: then the high watermark reaches the log end
        producer(Map.of(ProducerConfig.ACKS_CONFIG, "1")).send(new ProducerRecord<>(tp.topic(), 0, "k", "copy"))
                .get(30, TimeUnit.SECONDS);

        try (InterBrokerSender sender = new InterBrokerSender(2, leader.controller()::image, 10_000)) {
            RemoteLeaderLog dlq = new RemoteLeaderLog(r -> sender.send(1, r), 1, 2, 20_000);
            assertThat(dlq.bounds(tp).get(30, TimeUnit.SECONDS)).isEqualTo(new LeaderLog.Bounds(0, 2));
        }
        assertThat(leaderPartition(tp).isr()).containsExactly(1);
    }

    @Test
    void deleteRecordsAnswersOnlyOnceTheFollowerHasMovedItsLogStartOffset() throws Exception {
        TopicPartition tp = startCluster(Map.of());
        // Node 2 has no heartbeats of its own; keep it unfenced, since a fenced follower would not count.
        leader.controller().startHeartbeats(2);
        KafkaProducer<String, String> producer = producer(Map.of());
        for (int i = 0; i < 10; i++) {
            producer.send(new ProducerRecord<>(tp.topic(), 0, "k" + i, "v" + i));
        }
        producer.flush();
        await().atMost(Duration.ofSeconds(20)).until(() -> follower.log(tp).highWatermark() == 10);

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + leader.boundPort()))) {
            long low = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(6))).lowWatermarks().get(tp)
                    .get(30, TimeUnit.SECONDS).lowWatermark();
            long followerStartAtAnswer = follower.log(tp).logStartOffset();
            assertThat(low).isEqualTo(6);
            assertThat(followerStartAtAnswer).as("the answer waited for the follower's log start offset")
                    .isEqualTo(6);
            assertThat(leaderPartition(tp).lowWatermarkIfLeader()).isEqualTo(6);
        }
    }
}
