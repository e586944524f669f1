package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node's log dir fills up (a real, small tmpfs filled with a junk file): within seconds its partitions are led
 * by other in-sync replicas and acks=all writes to them succeed; once the junk is deleted the same process, not
 * restarted, recovers its logs and rejoins every ISR. Needs root for {@code mount -t tmpfs}; skipped otherwise.
 */
@Tag("cluster")
class LogDirFullClusterTest {
    private static final String TOPIC = "diskfull";
    private static final int FULL_NODE = 2;
    private static final long MIN_FREE = 8L << 20;
    private static final Duration MOVE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REJOIN_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path workDir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aFullLogDirMovesLeadershipAwayAndRejoinsTheIsrWithoutARestartOnceFreed() throws Exception {
        Path data = workDir.resolve("node" + FULL_NODE).resolve("data");
        Files.createDirectories(data);
        SmallDisk disk = SmallDisk.mount(data, 64);
        assumeTrue(disk != null, "mount -t tmpfs failed (not root?): this test needs a small real filesystem to fill");
        try (ClusterHarness cluster = ClusterHarness.builder(workDir).controllers(3).fastFailureDetection()
                .override("min.insync.replicas", "2")
                .override("unclean.leader.election.enable", "false")
                .override("herald.log.dir.min.free.bytes", String.valueOf(MIN_FREE))
                .override("herald.log.dir.recheck.interval.ms", "1000")
                // The metadata log stays off the disk that fills: this test is about the data dir.
                .nodeOverride(FULL_NODE, "metadata.log.dir", workDir.resolve("node" + FULL_NODE)
                        .resolve("meta").toString())
                .start()) {
            Admin admin = cluster.admin();
            ClusterChecks.createTopic(admin, TOPIC, 3, 3, 2);
            Set<Integer> ledByFull = ledBy(admin, FULL_NODE);
            long pid = cluster.node(FULL_NODE).pid();

            try (KafkaProducer<String, String> producer = producer(cluster.bootstrapServers())) {
                for (int p = 0; p < 3; p++) {
                    producer.send(new ProducerRecord<>(TOPIC, p, "k", "before")).get(30, TimeUnit.SECONDS);
                }

                Path junk = disk.fill(MIN_FREE / 2);
                long filledAt = System.nanoTime();

                awaitPartitions(admin, "leadership and ISR places off node " + FULL_NODE, MOVE_TIMEOUT, cluster,
                        p -> p.leader() != null && p.leader().id() >= 0 && p.leader().id() != FULL_NODE
                                && !ClusterChecks.ids(p.isr()).contains(FULL_NODE));
                for (int p : ledByFull.isEmpty() ? Set.of(0) : ledByFull) {
                    producer.send(new ProducerRecord<>(TOPIC, p, "k", "while-full")).get(
                            Math.max(1, MOVE_TIMEOUT.toMillis() - elapsedMs(filledAt)) + 5_000, TimeUnit.MILLISECONDS);
                }
                assertThat(elapsedMs(filledAt)).as("ms from full disk to acknowledged writes via another leader")
                        .isLessThan(MOVE_TIMEOUT.toMillis() + 5_000);

                Files.delete(junk);
                awaitPartitions(admin, "node " + FULL_NODE + " back in every ISR", REJOIN_TIMEOUT, cluster,
                        p -> ClusterChecks.ids(p.isr()).equals(ClusterChecks.ids(p.replicas())));
                assertThat(cluster.node(FULL_NODE).pid()).as("the same process, not restarted").isEqualTo(pid);
                assertThat(cluster.node(FULL_NODE).isAlive()).isTrue();
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "after")).get(30, TimeUnit.SECONDS);
            }
        } finally {
            disk.close();
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return new KafkaProducer<>(props);
    }

    private static Set<Integer> ledBy(Admin admin, int node) throws Exception {
        Set<Integer> led = new TreeSet<>();
        for (TopicPartitionInfo p : ClusterChecks.describe(admin, TOPIC).partitions()) {
            if (p.leader() != null && p.leader().id() == node) {
                led.add(p.partition());
            }
        }
        return led;
    }

    private static void awaitPartitions(Admin admin, String what, Duration timeout, ClusterHarness cluster,
                                        java.util.function.Predicate<TopicPartitionInfo> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not described yet";
        while (true) {
            try {
                List<TopicPartitionInfo> partitions = ClusterChecks.describe(admin, TOPIC).partitions();
                if (partitions.stream().allMatch(condition)) {
                    return;
                }
                last = partitions.toString();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                last = e.toString();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + timeout.toSeconds() + " s; last: " + last + "\n"
                        + cluster.tails());
            }
            Thread.sleep(100);
        }
    }


    private static long elapsedMs(long sinceNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
    }

}
