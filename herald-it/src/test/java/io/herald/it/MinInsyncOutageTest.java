package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two of three nodes down (the partition leader and a follower, hence also the controller majority), with
 * RF 3, min.insync.replicas 2 and unclean.leader.election.enable=false: no acks=all write may succeed while
 * only one replica is alive (each fails with NOT_ENOUGH_REPLICAS or times out); once a second node is back,
 * writes succeed again; and no record acknowledged before, or after, the outage is lost.
 */
@Tag("cluster")
class MinInsyncOutageTest {

    private static final String TOPIC = "outage";
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);
    private static final int OUTAGE_SENDS = 20;

    @TempDir
    Path workDir;

    /** Acknowledged (offset, value) of the idempotent writes before and after the outage, in ack order. */
    private final List<AckingProducer.Ack> acks = new ArrayList<>();

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void writesFailWhileOnlyOneReplicaLivesAndNothingAcknowledgedIsLost() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.builder(workDir).controllers(3).fastFailureDetection()
                .override("min.insync.replicas", "2")
                .override("unclean.leader.election.enable", "false")
                .start()) {
            Admin admin = cluster.admin();
            ClusterChecks.createTopic(admin, TOPIC, 1, 3, 2);

            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(AckingProducer.props(cluster.bootstrapServers()))) {
                sendAll(producer, "before", 200, Duration.ofSeconds(30));
            }

            int leader = ClusterChecks.leader(admin, TOPIC, 0, SETTLE_TIMEOUT);
            int follower = cluster.brokerIds().stream().filter(id -> id != leader).findFirst().orElseThrow();
            int survivor = cluster.brokerIds().stream().filter(id -> id != leader && id != follower)
                    .findFirst().orElseThrow();
            cluster.node(leader).kill9();
            cluster.node(follower).kill9();

            // Only `survivor` lives: every write must fail, none may be acknowledged.
            List<Throwable> outcomes = outageSends(cluster.node(survivor).bootstrapServer() + ","
                    + cluster.bootstrapServers());
            assertThat(outcomes).as("outcomes of acks=all writes with one of three replicas alive")
                    .hasSize(OUTAGE_SENDS)
                    .allSatisfy(outcome -> assertThat(outcome).isInstanceOfAny(NotEnoughReplicasException.class,
                            NotEnoughReplicasAfterAppendException.class, TimeoutException.class));

            // A second node back: a controller majority and two in-sync replicas again.
            cluster.node(follower).restart(SETTLE_TIMEOUT);
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(AckingProducer.props(cluster.bootstrapServers()))) {
                sendAll(producer, "after", 200, Duration.ofSeconds(90));
            }

            cluster.restart(leader, SETTLE_TIMEOUT);
            ClusterChecks.awaitFullIsr(admin, TOPIC, SETTLE_TIMEOUT);
            Map<Integer, List<ConsumerRecord<String, String>>> consumed =
                    ClusterChecks.readAll(cluster.bootstrapServers(), TOPIC);
            // Failed outage writes were never acknowledged: they may or may not be in the log.
            ClusterChecks.assertAcknowledgedExactlyOnceInOrder(0, acks, consumed.getOrDefault(0, List.of()),
                    "outage-\\d+");
            ClusterChecks.awaitIdenticalReplicas(cluster, TOPIC, 1, SETTLE_TIMEOUT);
        }
    }

    /** Sends {@code count} values one at a time, each acknowledged before the next, recording the acks. */
    private void sendAll(KafkaProducer<String, String> producer, String prefix, int count, Duration firstTimeout)
            throws Exception {
        for (int i = 0; i < count; i++) {
            String value = prefix + "-" + i;
            long sent = System.nanoTime();
            // The first send after a fault may wait for a leader; later ones go straight through.
            Duration timeout = i == 0 ? firstTimeout : Duration.ofSeconds(30);
            RecordMetadata metadata = producer.send(new ProducerRecord<>(TOPIC, 0, null, value))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            acks.add(new AckingProducer.Ack(0, metadata.offset(), value, sent, System.nanoTime()));
        }
    }

    /**
     * {@value #OUTAGE_SENDS} acks=all writes from a plain (not idempotent) producer that gives up after 15 s:
     * the exception each one failed with, or null for a success.
     */
    private static List<Throwable> outageSends(String bootstrapServers) throws InterruptedException {
        Properties props = AckingProducer.props(bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        List<Throwable> outcomes = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < OUTAGE_SENDS; i++) {
                futures.add(producer.send(new ProducerRecord<>(TOPIC, 0, null, "outage-" + i)));
            }
            for (Future<RecordMetadata> future : futures) {
                try {
                    RecordMetadata metadata = future.get(40, TimeUnit.SECONDS);
                    outcomes.add(new AssertionError("acknowledged at offset " + metadata.offset()));
                } catch (ExecutionException e) {
                    outcomes.add(e.getCause());
                } catch (java.util.concurrent.TimeoutException e) {
                    outcomes.add(new AssertionError("no outcome within 40 s although delivery.timeout.ms is 15 s"));
                }
            }
        }
        return outcomes;
    }
}
