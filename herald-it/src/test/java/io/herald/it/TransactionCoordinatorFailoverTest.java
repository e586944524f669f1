package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
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
 * Exactly-once consume-transform-produce on three nodes (every topic RF 3, min ISR 2) while the test kill -9s the
 * broker coordinating the transactions, brings it back, and then kill -9s the leader of an output partition: a
 * read_committed consumer reads an input topic, and a transactional producer writes one output record per input
 * record and commits the input offsets in the same transaction. A failed transaction is aborted and the input
 * re-read from the committed offsets, as an exactly-once application does; every seventh transaction is aborted on
 * purpose after its outputs were written, so the output log holds aborted records a reader must skip.
 *
 * <p>Afterwards every input record's output is in the output topic exactly once, in order per key, for a
 * read_committed reader; nothing of an aborted transaction is visible (no G1a), nothing committed is lost, and the
 * group's committed offsets are at the end of the input.
 */
@Tag("cluster")
class TransactionCoordinatorFailoverTest {
    private static final String INPUT = "orders";
    private static final String OUTPUT = "orders-priced";
    private static final String GROUP = "pricer";
    private static final String TXN_ID = "pricer-1";
    private static final int PARTITIONS = 3;
    private static final int KEYS = 30;
    private static final int RECORDS = 3_000;
    private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(180);

    @TempDir
    Path workDir;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void everyInputIsTransformedExactlyOnceAcrossCoordinatorAndLeaderKills() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.builder(workDir).controllers(3).fastFailureDetection()
                .override("min.insync.replicas", "2")
                .override("transaction.state.log.replication.factor", "3")
                .override("transaction.state.log.min.isr", "2")
                .override("transaction.state.log.num.partitions", "3")
                .override("offsets.topic.replication.factor", "3")
                .override("offsets.topic.num.partitions", "3")
                .override("group.initial.rebalance.delay.ms", "0")
                .start()) {
            Admin admin = cluster.admin();
            ClusterChecks.createTopic(admin, INPUT, PARTITIONS, 3, 2);
            ClusterChecks.createTopic(admin, OUTPUT, PARTITIONS, 3, 2);
            Map<String, List<Integer>> sent = fillInput(cluster.bootstrapServers());

            Pipeline pipeline = new Pipeline(cluster);
            try {
                pipeline.processUntil(1_000);
                int coordinator = admin.describeTransactions(List.of(TXN_ID)).description(TXN_ID)
                        .get(20, TimeUnit.SECONDS).coordinatorId();
                cluster.node(coordinator).kill9();
                pipeline.processUntil(1_600);
                int successor = admin.describeTransactions(List.of(TXN_ID)).description(TXN_ID)
                        .get(20, TimeUnit.SECONDS).coordinatorId();
                assertThat(successor).as("transactions went on through another coordinator").isNotEqualTo(coordinator);
                cluster.restart(coordinator, Duration.ofSeconds(90));
                ClusterChecks.awaitFullIsr(admin, OUTPUT, Duration.ofSeconds(60));
                int leader = ClusterChecks.leader(admin, OUTPUT, 0, Duration.ofSeconds(30));
                cluster.node(leader).kill9();
                pipeline.processUntil(RECORDS);
                System.out.println("TransactionCoordinatorFailoverTest: killed coordinator " + coordinator
                        + " (successor " + successor + "), then output leader " + leader + "; " + pipeline.summary());
            } finally {
                pipeline.close();
            }

            Map<String, List<Integer>> visible = readOutput(cluster.bootstrapServers());
            for (String key : sent.keySet()) {
                assertThat(visible.getOrDefault(key, List.of())).as("outputs of key %s: once each, in order", key)
                        .containsExactlyElementsOf(sent.get(key));
            }
            assertThat(visible.keySet()).isEqualTo(sent.keySet());
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS);
            assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum())
                    .as("the group's offsets are at the end of the input").isEqualTo(RECORDS);
        }
    }

    /** The input: key k0..k29, each key's values its own sequence 0, 1, 2, ... */
    private static Map<String, List<Integer>> fillInput(String bootstrap) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        Map<String, List<Integer>> sent = new TreeMap<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < RECORDS; i++) {
                String key = "k" + (i % KEYS);
                List<Integer> seqs = sent.computeIfAbsent(key, k -> new ArrayList<>());
                producer.send(new ProducerRecord<>(INPUT, key, String.valueOf(seqs.size())));
                seqs.add(seqs.size());
            }
            producer.flush();
        }
        return sent;
    }

    /** The application: a read_committed consumer and a transactional producer, rebuilt on fatal errors. */
    private static final class Pipeline implements AutoCloseable {
        private final ClusterHarness cluster;
        private final KafkaConsumer<String, String> consumer;
        private KafkaProducer<String, String> producer;
        private int processed;
        private int attempts;
        private int committedTransactions;
        private int abortedTransactions;
        private int producersCreated;

        Pipeline(ClusterHarness cluster) {
            this.cluster = cluster;
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "50");
            props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
            props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
            props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
            props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
            consumer = new KafkaConsumer<>(props);
            consumer.subscribe(List.of(INPUT));
            producer = newProducer();
        }

        private KafkaProducer<String, String> newProducer() {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TXN_ID);
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
            props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "30000");
            KafkaProducer<String, String> p = new KafkaProducer<>(props);
            p.initTransactions();
            producersCreated++;
            return p;
        }

        /** Processes until {@code target} input records were committed (bounded). */
        void processUntil(int target) {
            long deadline = System.nanoTime() + PROCESS_TIMEOUT.toNanos();
            while (processed < target) {
                assertThat(System.nanoTime() - deadline).as("processed %d of %d within %d s (%s)", processed,
                        target, PROCESS_TIMEOUT.toSeconds(), summary()).isNegative();
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    transform(records);
                }
            }
        }

        private void transform(ConsumerRecords<String, String> records) {
            Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
            for (TopicPartition tp : records.partitions()) {
                List<ConsumerRecord<String, String>> part = records.records(tp);
                next.put(tp, new OffsetAndMetadata(part.get(part.size() - 1).offset() + 1));
            }
            try {
                producer.beginTransaction();
                for (ConsumerRecord<String, String> r : records) {
                    producer.send(new ProducerRecord<>(OUTPUT, r.key(), r.value()));
                }
                producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
                if (++attempts % 7 == 3) {
                    // the application gives up on this one: its outputs are in the log, aborted
                    producer.flush();
                    producer.abortTransaction();
                    abortedTransactions++;
                    rewind();
                    return;
                }
                producer.commitTransaction();
                processed += records.count();
                committedTransactions++;
            } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException fatal) {
                System.out.println("TransactionCoordinatorFailoverTest: fatal, new producer: " + fatal);
                restartProducer();
                rewind();
            } catch (KafkaException e) {
                System.out.println("TransactionCoordinatorFailoverTest: aborting: " + e);
                try {
                    producer.abortTransaction();
                    abortedTransactions++;
                } catch (KafkaException abortFailed) {
                    restartProducer(); // initTransactions finishes whatever the old one left
                }
                rewind();
            }
        }

        private void restartProducer() {
            producer.close(Duration.ofSeconds(5));
            producer = newProducer();
        }

        /** Back to the committed offsets: what the aborted transaction consumed is read again. */
        private void rewind() {
            Set<TopicPartition> assigned = consumer.assignment();
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, Duration.ofSeconds(30));
            for (TopicPartition tp : assigned) {
                OffsetAndMetadata offset = committed.get(tp);
                if (offset != null) {
                    consumer.seek(tp, offset.offset());
                } else {
                    consumer.seekToBeginning(List.of(tp));
                }
            }
        }

        String summary() {
            return processed + " processed, " + committedTransactions + " transactions committed, "
                    + abortedTransactions + " aborted, " + producersCreated + " producers";
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** The output as a read_committed reader sees it, per key in log order. */
    private static Map<String, List<Integer>> readOutput(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, List<Integer>> byKey = new TreeMap<>();
        try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(props)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(OUTPUT, p));
            }
            reader.assign(tps);
            reader.seekToBeginning(tps);
            // read_committed end offsets are the last stable offsets: reaching them means no transaction is open
            Map<TopicPartition, Long> end = reader.endOffsets(tps, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!tps.stream().allMatch(tp -> reader.position(tp, Duration.ofSeconds(10)) >= end.get(tp))) {
                assertThat(System.nanoTime() - deadline).as("read to %s within 60 s", end).isNegative();
                for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
                    byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Integer.parseInt(r.value()));
                }
            }
        }
        return byKey;
    }
}
