package io.herald.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.common.timer.ManualTimer;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.LogManager;
import io.herald.storage.log.LogManagerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import io.herald.common.time.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A failure while applying metadata to one partition stays with that partition. */
@Timeout(30)
class ReplicaManagerIsolationTest {
    @TempDir
    Path dir;
    private LogManager logs;
    private ReplicaManager replicas;

    @BeforeEach
    void start() throws Exception {
        logs = new LogManager(List.of(dir), LogConfig.defaults(), LogManagerConfig.defaults(),
                io.herald.common.time.Time.SYSTEM);
        logs.startup();
        replicas = new ReplicaManager(1, logs, ReplicationConfig.defaults(), Map.of(),
                (broker, topicId, partition, epoch, partitionEpoch, isr) ->
                new CompletableFuture<>(), Time.SYSTEM, new ManualTimer(new ManualTime()));
    }

    @AfterEach
    void stop() {
        replicas.close();
        logs.close();
    }

    private static TopicImage topic(String name, Map<String, String> configs) {
        return new TopicImage(name, Uuid.randomUuid(), new TreeMap<>(Map.of(0,
                new PartitionImage(0, List.of(1), List.of(1), 1, 0, 0))), configs);
    }

    private static ClusterImage image(TopicImage... topics) {
        Map<String, TopicImage> byName = new TreeMap<>();
        Map<Uuid, String> names = new TreeMap<>();
        for (TopicImage t : topics) {
            byName.put(t.name(), t);
            names.put(t.topicId(), t.name());
        }
        return new ClusterImage("c", 1, Map.of(1, new BrokerImage(1, "127.0.0.1", 9092, java.util.Optional.empty())),
                byName, names, Map.of(), 0);
    }

    @Test
    void aPartitionThatFailsDoesNotStopTheOthers() {
        // The first partition to become leader fails (a listener bug, say); image order is not defined, so
        // whichever it is, the others come after it.
        java.util.concurrent.atomic.AtomicReference<TopicPartition> failed = new java.util.concurrent.atomic.AtomicReference<>();
        replicas.addLeadershipListener(new LeadershipListener() {
            @Override
            public void onBecomeLeader(TopicPartition tp, int leaderEpoch) {
                if (failed.compareAndSet(null, tp)) {
                    throw new IllegalStateException("listener bug");
                }
            }

            @Override
            public void onResign(TopicPartition tp, int leaderEpoch) {
            }
        });
        ClusterImage current = image(topic("a", Map.of()), topic("b", Map.of()), topic("c", Map.of()));

        replicas.onImage(ClusterImage.empty("c"), current);

        assertThat(failed.get()).isNotNull();
        for (String name : List.of("a", "b", "c")) {
            TopicPartition tp = new TopicPartition(name, 0);
            assertThat(replicas.partition(tp)).as(name).hasValueSatisfying(p -> assertThat(p.isLeader()).isTrue());
        }
    }

    @Test
    void storedConfigsThatCannotBeServedFallBackToDefaults() {
        // As an older Herald (or an internal topic creator) may have stored them: never through CreateTopics.
        ClusterImage current = image(topic("old", Map.of("segment.bytes", "4096", "segment.index.bytes", "2",
                "retention.ms", "60000")), topic("fine", Map.of()));

        replicas.onImage(ClusterImage.empty("c"), current);

        LogConfig config = replicas.partition(new TopicPartition("old", 0)).orElseThrow().log().config();
        assertThat(config.segmentBytes()).isEqualTo(1 << 30);
        assertThat(config.segmentIndexBytes()).isEqualTo(10 * 1024 * 1024);
        assertThat(config.retentionMs()).isEqualTo(60_000L);
        assertThat(replicas.partition(new TopicPartition("fine", 0))).isPresent();
    }
}
