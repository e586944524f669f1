package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions keep their all-or-nothing outcome while the broker coordinating them is killed (kill -9) in the
 * middle of a stream of transactions: {@code __transaction_state} is replicated (RF 3, min ISR 2), a follower
 * takes over the id's partition, loads its transactions and finishes the one in flight (writing its markers
 * again if it was prepared), and the producer carries on through the new coordinator.
 *
 * <p>Afterwards a read_committed reader sees every transaction whose commit the producer saw succeed completely,
 * exactly once; none of a transaction it aborted; and of a transaction whose outcome the producer could not learn
 * (the commit failed with the coordinator), either all of it or none.
 */
@Tag("cluster")
class TransactionCoordinatorFailoverTest {
    private static final String TOPIC = "payments";
    private static final String TXN_ID = "payments-writer";
    private static final int PARTITIONS = 3;
    private static final int RECORDS_PER_TXN = 6;
    private static final int TRANSACTIONS = 60;
    private static final int KILL_AFTER = 20;

    @TempDir
    Path workDir;

    private enum Outcome { COMMITTED, ABORTED, UNKNOWN }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void transactionsStayAtomicWhenTheirCoordinatorIsKilled() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.builder(workDir).controllers(3).fastFailureDetection()
                .override("min.insync.replicas", "2")
                .override("transaction.state.log.replication.factor", "3")
                .override("transaction.state.log.min.isr", "2")
                .override("transaction.state.log.num.partitions", "3")
                .override("offsets.topic.num.partitions", "3")
                .start()) {
            Admin admin = cluster.admin();
            ClusterChecks.createTopic(admin, TOPIC, PARTITIONS, 3, 2);

            Map<Integer, Outcome> outcomes = new TreeMap<>();
            AtomicInteger done = new AtomicInteger();
            AtomicInteger killedId = new AtomicInteger(-1);
            // The kill lands wherever the producer is (a send, an EndTxn, the markers), not between transactions.
            Thread killer = Thread.ofPlatform().name("killer").start(() -> {
                try {
                    while (done.get() < KILL_AFTER) {
                        Thread.sleep(5);
                    }
                    int coordinator = admin.describeTransactions(List.of(TXN_ID)).description(TXN_ID)
                            .get(20, TimeUnit.SECONDS).coordinatorId();
                    killedId.set(coordinator);
                    cluster.node(coordinator).kill9();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            KafkaProducer<String, String> producer = newProducer(cluster);
            long slowestMs = 0;
            try {
                for (int txn = 0; txn < TRANSACTIONS; txn++) {
                    long start = System.nanoTime();
                    Outcome outcome = runTransaction(producer, txn);
                    slowestMs = Math.max(slowestMs, (System.nanoTime() - start) / 1_000_000);
                    outcomes.put(txn, outcome);
                    done.incrementAndGet();
                    if (outcome != Outcome.COMMITTED) {
                        // the producer's state is unknown or fatal: start over, which fences and finishes the old
                        producer.close(Duration.ofSeconds(5));
                        producer = newProducer(cluster);
                    }
                }
            } finally {
                producer.close(Duration.ofSeconds(5));
            }
            killer.join(60_000);
            int killed = killedId.get();
            assertThat(killed).as("a coordinator was killed").isPositive();
            System.out.println("TransactionCoordinatorFailoverTest: killed coordinator " + killed + ", outcomes "
                    + count(outcomes) + ", slowest transaction " + slowestMs + " ms");

            int coordinatorNow = admin.describeTransactions(List.of(TXN_ID)).description(TXN_ID)
                    .get(20, TimeUnit.SECONDS).coordinatorId();
            assertThat(coordinatorNow).as("the coordinator moved off the killed broker").isNotEqualTo(killed);
            assertThat(outcomes.values()).as("most transactions commit, also after the kill")
                    .filteredOn(o -> o == Outcome.COMMITTED).hasSizeGreaterThan(TRANSACTIONS / 2);
            assertThat(outcomes.entrySet()).as("transactions after the failover commit")
                    .anySatisfy(e -> {
                        assertThat(e.getKey()).isGreaterThan(KILL_AFTER + 5);
                        assertThat(e.getValue()).isEqualTo(Outcome.COMMITTED);
                    });

            Map<Integer, List<String>> visible = readCommittedByTransaction(cluster.bootstrapServers());
            outcomes.forEach((txn, outcome) -> {
                List<String> records = visible.getOrDefault(txn, List.of());
                switch (outcome) {
                    case COMMITTED -> assertThat(records).as("committed transaction %d", txn)
                            .containsExactlyInAnyOrderElementsOf(values(txn));
                    case ABORTED -> assertThat(records).as("aborted transaction %d", txn).isEmpty();
                    case UNKNOWN -> assertThat(records.isEmpty() || records.size() == RECORDS_PER_TXN
                            && records.containsAll(values(txn)))
                            .as("transaction %d of unknown outcome is all or nothing: %s", txn, records).isTrue();
                }
            });
        }
    }

    private static List<String> values(int txn) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < RECORDS_PER_TXN; i++) {
            values.add("t" + txn + "-" + i);
        }
        return values;
    }

    /** One transaction; what the producer knows of its outcome. */
    private static Outcome runTransaction(KafkaProducer<String, String> producer, int txn) {
        try {
            producer.beginTransaction();
            for (String value : values(txn)) {
                producer.send(new ProducerRecord<>(TOPIC, value, value));
            }
            producer.commitTransaction();
            return Outcome.COMMITTED;
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException fatal) {
            System.out.println("TransactionCoordinatorFailoverTest: transaction " + txn + " fatal: " + fatal);
            return Outcome.UNKNOWN;
        } catch (KafkaException e) {
            System.out.println("TransactionCoordinatorFailoverTest: transaction " + txn + " failed: " + e);
            try {
                producer.abortTransaction();
                return Outcome.ABORTED;
            } catch (KafkaException abortFailed) {
                return Outcome.UNKNOWN;
            }
        }
    }

    private static KafkaProducer<String, String> newProducer(ClusterHarness cluster) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TXN_ID);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "30000");
        KafkaProducer<String, String> producer = new KafkaProducer<>(props);
        producer.initTransactions();
        return producer;
    }

    /** Every read_committed record up to the last stable offsets, by the transaction its value names. */
    private static Map<Integer, List<String>> readCommittedByTransaction(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<Integer, List<String>> byTxn = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            // read_committed end offsets are the last stable offsets: no transaction may be left open
            Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!tps.stream().allMatch(tp -> consumer.position(tp, Duration.ofSeconds(10)) >= end.get(tp))) {
                assertThat(System.nanoTime() - deadline).as("read to %s within 60 s", end).isNegative();
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    int txn = Integer.parseInt(r.value().substring(1, r.value().indexOf('-')));
                    byTxn.computeIfAbsent(txn, t -> new ArrayList<>()).add(r.value());
                }
            }
        }
        return byTxn;
    }

    private static Map<Outcome, Long> count(Map<Integer, Outcome> outcomes) {
        Map<Outcome, Long> counts = new TreeMap<>();
        outcomes.values().forEach(o -> counts.merge(o, 1L, Long::sum));
        return counts;
    }
}
