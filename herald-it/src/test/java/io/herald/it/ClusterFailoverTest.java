package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leader failover under an idempotent acks=all stream on a 3-node cluster (RF 3, min.insync.replicas 2):
 * kill -9 of a partition leader and its restart, a broker frozen (SIGSTOP) past its session timeout, then
 * kill -9 of the next leader. Afterwards every acknowledged record is in the log exactly once, at its
 * acknowledged offset and in acknowledged order, and the three replicas of every partition are
 * byte-identical.
 */
@Tag("cluster")
class ClusterFailoverTest {

    private static final String TOPIC = "failover";
    private static final int PARTITIONS = 3;
    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);
    private static final int PROGRESS = 1_000;

    @TempDir
    Path workDir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void leaderKillAndBrokerFreezeLoseNoAcknowledgedRecord() throws Exception {
        // -Dherald.it.detection=kafka keeps Kafka's detection defaults (session 9 s, replica lag 30 s) to measure
        // failover as a user would see it; CI uses the fast settings.
        boolean kafkaDefaults = "kafka".equals(System.getProperty("herald.it.detection", "fast"));
        long sessionMs = kafkaDefaults ? 9_000 : 3_000;
        ClusterHarness.Builder builder = ClusterHarness.builder(workDir).controllers(3)
                .override("min.insync.replicas", "2");
        if (!kafkaDefaults) {
            builder.fastFailureDetection();
        }
        try (ClusterHarness cluster = builder.start()) {
            Admin admin = cluster.admin();
            ClusterChecks.createTopic(admin, TOPIC, PARTITIONS, 3, 2);

            try (AckingProducer stream = new AckingProducer(cluster.bootstrapServers(), TOPIC, PARTITIONS, "f")) {
                stream.awaitProgress(-1, 3 * PROGRESS, PROGRESS_TIMEOUT, "the stream to start");

                // 1. kill -9 the leader of partition 0, then bring it back.
                int firstVictim = ClusterChecks.leader(admin, TOPIC, 0, SETTLE_TIMEOUT);
                long failover1 = killLeaderAndMeasure(cluster, stream, firstVictim);
                cluster.restart(firstVictim, SETTLE_TIMEOUT);
                ClusterChecks.awaitFullIsr(admin, TOPIC, SETTLE_TIMEOUT);

                // 2. Freeze another broker past broker.session.timeout.ms: it is fenced and the stream goes on
                //    without it; then it wakes up, stale, and must rejoin without harm.
                int frozen = ClusterChecks.leader(admin, TOPIC, 1, SETTLE_TIMEOUT);
                if (frozen == firstVictim) {
                    frozen = cluster.brokerIds().stream().filter(id -> id != firstVictim).findFirst().orElseThrow();
                }
                long pauseNanos = System.nanoTime();
                cluster.node(frozen).pause();
                // Every partition has a replica on the frozen broker: a record sent after the freeze can only be
                // acknowledged once leadership moved off it or the ISR dropped it.
                for (int partition = 0; partition < PARTITIONS; partition++) {
                    stream.awaitAckSentAfter(partition, pauseNanos, PROGRESS_TIMEOUT,
                            "partition " + partition + " while broker " + frozen + " is frozen");
                }
                long frozenMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pauseNanos);
                Thread.sleep(Math.max(0, sessionMs + 2_000 - frozenMs)); // past broker.session.timeout.ms, with margin
                stream.awaitProgress(-1, PROGRESS, PROGRESS_TIMEOUT, "the stream while broker " + frozen + " is frozen");
                cluster.node(frozen).resume();
                cluster.awaitAllBrokersVisible(SETTLE_TIMEOUT);
                ClusterChecks.awaitFullIsr(admin, TOPIC, SETTLE_TIMEOUT);

                // 3. kill -9 whoever leads partition 0 now.
                int secondVictim = ClusterChecks.leader(admin, TOPIC, 0, SETTLE_TIMEOUT);
                long failover2 = killLeaderAndMeasure(cluster, stream, secondVictim);
                cluster.restart(secondVictim, SETTLE_TIMEOUT);
                stream.awaitProgress(-1, PROGRESS, PROGRESS_TIMEOUT, "the stream after the restarts");

                stream.stopAndFlush();
                System.out.printf("ClusterFailoverTest: partition 0 failover after kill -9 of its leader: %d ms "
                        + "(broker %d), %d ms (broker %d); every partition acknowledging again %d ms after SIGSTOP "
                        + "of broker %d; %d records acknowledged%n", failover1, firstVictim, failover2, secondVictim,
                        frozenMs, frozen, stream.acked());

                ClusterChecks.awaitFullIsr(admin, TOPIC, SETTLE_TIMEOUT);
                Map<Integer, List<ConsumerRecord<String, String>>> consumed =
                        ClusterChecks.readAll(cluster.bootstrapServers(), TOPIC);
                ClusterChecks.assertNoAcknowledgedRecordLost(stream, PARTITIONS, consumed);
                ClusterChecks.awaitIdenticalReplicas(cluster, TOPIC, PARTITIONS, SETTLE_TIMEOUT);
            }
        }
    }

    /**
     * kill -9 of {@code leader}, then waits until partition 0 acknowledges again. Returns the failover time:
     * from the kill to the first acknowledgement of a record sent after it (which the dead leader cannot have
     * acknowledged).
     */
    private static long killLeaderAndMeasure(ClusterHarness cluster, AckingProducer stream, int leader)
            throws Exception {
        long killNanos = System.nanoTime();
        cluster.node(leader).kill9();
        AckingProducer.Ack first = stream.awaitAckSentAfter(0, killNanos, PROGRESS_TIMEOUT,
                "partition 0 after kill -9 of its leader " + leader);
        stream.awaitProgress(0, PROGRESS, PROGRESS_TIMEOUT, "partition 0 after kill -9 of its leader " + leader);
        assertThat(ClusterChecks.leader(cluster.admin(), TOPIC, 0, SETTLE_TIMEOUT))
                .as("partition 0 has a new leader").isNotEqualTo(leader);
        return TimeUnit.NANOSECONDS.toMillis(first.ackedNanos() - killNanos);
    }
}
