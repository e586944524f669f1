package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.coordinator.share.SharePartitionKey;
import io.herald.share.ShareStateTopic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A share group on three nodes (RF 3, min ISR 2 for the data and for {@code __share_group_state}) while the test
 * kill -9s the leader of the share-partition, brings it back, and then kill -9s the broker leading the group's
 * share-state partition. Four KafkaShareConsumers ACCEPT most records, RELEASE some on their first delivery and
 * REJECT others; the group's dead-letter topic (RF 3) receives the rejected ones.
 *
 * <p>What must hold (the durability rule, at-least-once): an acknowledgement the broker confirmed (no error
 * for its partition in {@code commitSync}) is never undone, so a record confirmed ACCEPTed or REJECTed is never
 * delivered again; an unconfirmed one may be. Nothing is lost: the group's start offset reaches the end. And
 * every rejected record is in the dead-letter topic exactly once, across both kills.
 */
@Tag("cluster")
class ShareGroupFailoverTest {
    private static final String TOPIC = "jobs";
    private static final String GROUP = "workers";
    private static final String DLQ = "dlq.jobs";
    private static final int RECORDS = 3_000;
    private static final int CONSUMERS = 4;
    /** Each record's "work": 3000 records take the four consumers about 8 s, so the kills land mid-stream. */
    private static final long WORK_MS = 10;

    @TempDir
    Path workDir;

    /** What the consumers saw and the broker confirmed, per record (its value is its index). */
    private final Map<Integer, String> confirmed = new ConcurrentHashMap<>();
    private final List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<Integer, Integer> deliveries = new ConcurrentHashMap<>();
    /**
     * Consumers take no records while this many are confirmed (they stay in the group: a share consumer
     * heartbeats on its own), so that each kill comes while records are still to be delivered however fast the
     * consumers run between two steps of the test.
     */
    private volatile int holdAt = Integer.MAX_VALUE;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void confirmedAcknowledgementsSurviveLeaderAndShareCoordinatorKills() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.builder(workDir).controllers(3).fastFailureDetection()
                .override("min.insync.replicas", "2")
                .override("offsets.topic.replication.factor", "3")
                .override("offsets.topic.num.partitions", "3")
                .override("share.coordinator.state.topic.replication.factor", "3")
                .override("share.coordinator.state.topic.min.isr", "2")
                .override("share.coordinator.state.topic.num.partitions", "3")
                .start()) {
            Admin admin = cluster.admin();
            ClusterChecks.createTopic(admin, TOPIC, 1, 3, 2);
            admin.createTopics(List.of(new NewTopic(DLQ, 1, (short) 3).configs(Map.of("min.insync.replicas", "2",
                    "errors.deadletterqueue.group.enable", "true")))).all().get(30, TimeUnit.SECONDS);
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, GROUP), List.of(
                    new AlterConfigOp(new ConfigEntry("errors.deadletterqueue.topic.name", DLQ),
                            AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
                            AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("share.record.lock.duration.ms", "15000"),
                            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            fill(cluster.bootstrapServers());
            Uuid topicId = ClusterChecks.describe(admin, TOPIC).topicId();

            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService threads = Executors.newFixedThreadPool(CONSUMERS);
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < CONSUMERS; i++) {
                running.add(threads.submit(() -> consume(cluster.bootstrapServers(), stop)));
            }
            try {
                awaitConfirmed(1_000, Duration.ofSeconds(90));
                int leader = ClusterChecks.leader(admin, TOPIC, 0, Duration.ofSeconds(30));
                cluster.node(leader).kill9();
                int atFirstKill = confirmed.size();
                holdAt = 1_800; // keep records for the second kill while the first node comes back
                awaitConfirmed(1_800, Duration.ofSeconds(120));
                cluster.restart(leader, Duration.ofSeconds(90));
                ClusterChecks.awaitFullIsr(admin, TOPIC, Duration.ofSeconds(60));
                ClusterChecks.awaitFullIsr(admin, ShareStateTopic.NAME, Duration.ofSeconds(60));
                int statePartition = ShareStateTopic.partitionFor(new SharePartitionKey(GROUP, topicId, 0)
                        .coordinatorKey(), 3);
                int shareCoordinator = ClusterChecks.leader(admin, ShareStateTopic.NAME, statePartition,
                        Duration.ofSeconds(30));
                holdAt = 2_200;
                awaitConfirmed(2_000, Duration.ofSeconds(60));
                cluster.node(shareCoordinator).kill9();
                int atSecondKill = confirmed.size();
                holdAt = Integer.MAX_VALUE;
                assertThat(atFirstKill).as("the first kill came mid-stream").isLessThan(1_800);
                assertThat(atSecondKill).as("the second kill came mid-stream").isLessThan(RECORDS);
                awaitAllAcknowledged(admin, Duration.ofSeconds(150));
                System.out.println("ShareGroupFailoverTest: killed share-partition leader " + leader
                        + " at " + atFirstKill + " confirmed, then share coordinator " + shareCoordinator + " at "
                        + atSecondKill + "; " + summary());
            } finally {
                stop.set(true);
                for (Future<?> f : running) {
                    f.get(60, TimeUnit.SECONDS);
                }
                threads.shutdownNow();
            }
            assertThat(violations).as("confirmed acknowledgements undone").isEmpty();
            for (Map.Entry<Integer, String> e : confirmed.entrySet()) {
                assertThat(e.getValue()).as("record %d", e.getKey()).isEqualTo(intended(e.getKey(), 2).name());
            }
            // Every rejected record is in the dead-letter topic exactly once, and nothing else is.
            Map<Long, Integer> deadLettered = new TreeMap<>();
            for (List<ConsumerRecord<String, String>> records : ClusterChecks.readAll(cluster.bootstrapServers(), DLQ)
                    .values()) {
                for (ConsumerRecord<String, String> r : records) {
                    deadLettered.merge(Long.parseLong(header(r, "__dlq.errors.offset")), 1, Integer::sum);
                    assertThat(header(r, "__dlq.errors.group")).isEqualTo(GROUP);
                }
            }
            Set<Long> rejected = new TreeSet<>();
            for (long offset = 3; offset < RECORDS; offset += 10) {
                rejected.add(offset); // one producer, in order: a record's offset is its value
            }
            assertThat(deadLettered.keySet()).as("dead-lettered offsets").isEqualTo(rejected);
            assertThat(deadLettered.values()).as("each dead-lettered once").containsOnly(1);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String header(ConsumerRecord<String, String> r, String key) {
        Header h = r.headers().lastHeader(key);
        assertThat(h).as("header %s", key).isNotNull();
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    /**
     * The group's start offset reached the end: every record was acknowledged or archived (an acknowledgement
     * whose answer a failover lost counts too, though its consumer could not confirm it).
     */
    private void awaitAllAcknowledged(Admin admin, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long start = -1;
        while (System.nanoTime() < deadline) {
            try {
                SharePartitionOffsetInfo info = admin.listShareGroupOffsets(Map.of(GROUP,
                                new ListShareGroupOffsetsSpec())).partitionsToOffsetInfo(GROUP)
                        .get(20, TimeUnit.SECONDS).get(new TopicPartition(TOPIC, 0));
                start = info == null ? -1 : info.startOffset();
                if (start == RECORDS) {
                    return;
                }
            } catch (ExecutionException e) {
                // the share coordinator is moving: ask again
            }
            Thread.sleep(200);
        }
        throw new AssertionError("start offset " + start + ", not " + RECORDS + ", after " + timeout + " ("
                + summary() + ")");
    }

    /** ACCEPT, but REJECT every tenth record from 3 on, and RELEASE every tenth from 7 on at its first delivery. */
    private static AcknowledgeType intended(int value, int deliveryCount) {
        if (value % 10 == 3) {
            return AcknowledgeType.REJECT;
        }
        if (value % 10 == 7 && deliveryCount == 1) {
            return AcknowledgeType.RELEASE;
        }
        return AcknowledgeType.ACCEPT;
    }

    private void consume(String bootstrap, AtomicBoolean stop) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("bootstrap.servers", bootstrap);
        cfg.put("group.id", GROUP);
        cfg.put("share.acknowledgement.mode", "explicit");
        cfg.put("max.poll.records", 50);
        // At most 50 a poll (batch_optimized hands out whole producer batches, some hundred records here), so
        // that holdAt bounds what is confirmed when a kill comes.
        cfg.put("share.acquire.mode", "record_limit");
        cfg.put("request.timeout.ms", 10_000);
        cfg.put("default.api.timeout.ms", 20_000);
        try (KafkaShareConsumer<String, String> c = new KafkaShareConsumer<>(cfg, new StringDeserializer(),
                new StringDeserializer())) {
            c.subscribe(List.of(TOPIC));
            while (!stop.get()) {
                if (confirmed.size() >= holdAt) {
                    sleep(50);
                    continue;
                }
                Map<Integer, AcknowledgeType> sent = new HashMap<>();
                try {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                        int value = Integer.parseInt(r.value());
                        deliveries.merge(value, 1, Integer::sum);
                        String before = confirmed.get(value);
                        if (before != null) {
                            violations.add(value + " delivered again (count " + r.deliveryCount().orElse((short) 0)
                                    + ") after a confirmed " + before);
                        }
                        AcknowledgeType type = intended(value, r.deliveryCount().orElse((short) 1));
                        Thread.sleep(WORK_MS);
                        c.acknowledge(r, type);
                        sent.put(value, type);
                    }
                    Map<TopicIdPartition, Optional<KafkaException>> results = c.commitSync(Duration.ofSeconds(20));
                    boolean ok = results.values().stream().allMatch(Optional::isEmpty);
                    if (ok) {
                        sent.forEach((value, type) -> {
                            if (type != AcknowledgeType.RELEASE) {
                                confirmed.put(value, type.name());
                            }
                        });
                    }
                } catch (KafkaException e) {
                    // A failover: the acknowledgements of this round are unconfirmed; records come back if so.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void awaitConfirmed(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (confirmed.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(confirmed.size()).as("confirmed records within %s (%s)", timeout, summary())
                .isGreaterThanOrEqualTo(count);
    }

    private String summary() {
        long redelivered = deliveries.values().stream().filter(n -> n > 1).count();
        long rejected = confirmed.values().stream().filter("REJECT"::equals).count();
        return confirmed.size() + " confirmed (" + rejected + " rejected), " + redelivered + " delivered more than "
                + "once, " + violations.size() + " violations";
    }

    private static void fill(String bootstrap) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, Integer.toString(i)));
            }
            producer.flush();
        }
    }
}
