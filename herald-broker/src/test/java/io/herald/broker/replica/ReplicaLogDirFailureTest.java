package io.herald.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.common.time.Time;
import io.herald.common.timer.ManualTimer;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.ReplicaKey;
import io.herald.metadata.image.TopicImage;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.LogDirHealthConfig;
import io.herald.storage.log.LogManager;
import io.herald.storage.log.LogManagerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A failed log dir takes its replicas out of service and reports them; a healed one serves them again. */
@Timeout(30)
class ReplicaLogDirFailureTest {
    private static final long RECHECK_MS = 10_000;
    private static final long MIN_FREE = 1 << 20;
    private static final TopicPartition T0 = new TopicPartition("t", 0);

    @TempDir
    Path dir;
    private final ManualTime time = new ManualTime();
    private final AtomicLong free = new AtomicLong(Long.MAX_VALUE);
    private final List<Set<ReplicaKey>> reports = new ArrayList<>();
    private final List<String> leadership = new ArrayList<>();
    private LogManager logs;
    private ReplicaManager replicas;

    @BeforeEach
    void start() throws Exception {
        logs = new LogManager(List.of(dir), LogConfig.defaults(), LogManagerConfig.defaults(), time, t -> LogConfig.defaults(),
                new LogDirHealthConfig(RECHECK_MS, MIN_FREE, Long.MAX_VALUE), d -> free.get());
        logs.startup();
        replicas = new ReplicaManager(1, logs, ReplicationConfig.defaults(), Map.of(),
                (broker, topicId, partition, epoch, partitionEpoch, isr) -> new CompletableFuture<>(), Time.SYSTEM,
                new ManualTimer(new ManualTime()));
        logs.addDirListener(replicas);
        replicas.addOfflineReplicasListener(reports::add);
        replicas.addLeadershipListener(new LeadershipListener() {
            @Override
            public void onBecomeLeader(TopicPartition tp, int leaderEpoch) {
                leadership.add("lead " + tp);
            }

            @Override
            public void onResign(TopicPartition tp, int leaderEpoch) {
                leadership.add("resign " + tp);
            }
        });
    }

    @AfterEach
    void stop() {
        replicas.close();
        logs.close();
    }

    private static ClusterImage image(Uuid topicId) {
        TopicImage t = new TopicImage("t", topicId, new TreeMap<>(Map.of(0,
                new PartitionImage(0, List.of(1, 2), List.of(1, 2), 1, 0, 0))), Map.of());
        return new ClusterImage("c", 1, Map.of(1, new BrokerImage(1, "127.0.0.1", 9092, Optional.empty()),
                2, new BrokerImage(2, "127.0.0.1", 9093, Optional.empty())), Map.of("t", t), Map.of(topicId, "t"),
                Map.of(), 0);
    }

    @Test
    void aFullDirTakesItsReplicasOutOfServiceAndAHealedOneServesThemAgain() {
        Uuid id = Uuid.randomUuid();
        replicas.onImage(ClusterImage.empty("c"), image(id));
        assertThat(replicas.partition(T0)).hasValueSatisfying(p -> assertThat(p.isLeader()).isTrue());
        assertThat(reports).last().isEqualTo(Set.of());

        free.set(MIN_FREE - 1);
        logs.runDirHealthCheck();

        assertThat(replicas.partition(T0)).isEmpty();
        assertThat(replicas.isOffline(T0)).isTrue();
        assertThat(leadership).containsExactly("lead t-0", "resign t-0");
        assertThat(reports).last().isEqualTo(Set.of(new ReplicaKey(id, 0)));

        // The controller's next images do not bring it back while the dir is offline.
        replicas.onImage(image(id), image(id));
        assertThat(replicas.partition(T0)).isEmpty();
        assertThat(reports).last().isEqualTo(Set.of(new ReplicaKey(id, 0)));

        free.set(MIN_FREE);
        time.advance(RECHECK_MS);
        logs.runDirHealthCheck();

        assertThat(replicas.isOffline(T0)).isFalse();
        assertThat(replicas.partition(T0)).hasValueSatisfying(p -> assertThat(p.log().isOffline()).isFalse());
        assertThat(reports).last().isEqualTo(Set.of());
    }

    @Test
    void theReporterSendsTheLatestSetOneAtATimeAndRetriesUntilAcknowledged() throws Exception {
        List<Set<ReplicaKey>> sent = new ArrayList<>();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        OfflineReplicaReporter reporter = new OfflineReplicaReporter(1, (broker, offline) -> {
            synchronized (sent) {
                sent.add(offline);
                CompletableFuture<Void> f = new CompletableFuture<>();
                pending.add(f);
                return f;
            }
        });
        ReplicaKey a = new ReplicaKey(Uuid.randomUuid(), 0);
        ReplicaKey b = new ReplicaKey(Uuid.randomUuid(), 1);
        reporter.report(Set.of(a));
        reporter.report(Set.of(a, b));
        reporter.report(Set.of(b));
        assertThat(sent).containsExactly(Set.of(a));

        pending.get(0).complete(null);
        assertThat(sent).containsExactly(Set.of(a), Set.of(b));

        pending.get(1).completeExceptionally(new org.apache.kafka.common.errors.NotControllerException("no leader"));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            synchronized (sent) {
                if (sent.size() == 3 || System.nanoTime() > deadline) {
                    break;
                }
            }
            Thread.sleep(10); // waits for the retry to happen, bounded
        }
        assertThat(sent).containsExactly(Set.of(a), Set.of(b), Set.of(b));
        pending.get(2).complete(null);
        reporter.report(Set.of(b));
        assertThat(sent).hasSize(3);
    }
}
