package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once with the stock kafka-clients producer and consumer against one broker: what a read_committed
 * consumer sees of committed, aborted and open transactions, offsets committed inside a transaction
 * (consume-transform-produce), fencing of a zombie producer, the coordinator's abort of a transaction past its
 * timeout, and the admin view (ListTransactions, DescribeTransactions, DescribeProducers).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransactionsEndToEndTest {
    @TempDir
    Path dir;
    TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        // A short abort interval, so the timeout test does not wait Kafka's 10 s for the coordinator to look.
        broker = TestBroker.start(dir, Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "200",
                "transaction.state.log.num.partitions", "4", "offsets.topic.num.partitions", "4"));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private KafkaProducer<String, String> transactional(String id, Map<String, Object> extra) {
        Map<String, Object> cfg = new HashMap<>(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id));
        cfg.putAll(extra);
        return broker.producer(cfg);
    }

    private KafkaConsumer<String, String> consumer(IsolationLevel isolation) {
        return broker.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                isolation.toString().toLowerCase(java.util.Locale.ROOT)));
    }

    /** Everything a consumer of that isolation reads from the beginning until it reaches the end offsets. */
    private List<String> values(IsolationLevel isolation, Collection<TopicPartition> tps) throws Exception {
        Map<TopicPartition, Long> ends = endOffsets(tps, isolation);
        KafkaConsumer<String, String> consumer = consumer(isolation);
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        List<String> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100)).forEach(r -> out.add(r.value()));
        }
        assertThat(tps).allMatch(tp -> consumer.position(tp) >= ends.get(tp));
        consumer.close();
        return out;
    }

    private Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> tps, IsolationLevel isolation)
            throws Exception {
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        tps.forEach(tp -> specs.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        broker.admin().listOffsets(specs, new ListOffsetsOptions(isolation)).all().get(20, TimeUnit.SECONDS)
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    @Test
    void readCommittedSeesCommittedTransactionsOnlyAndSkipsMarkers() throws Exception {
        String topic = "txn-visibility";
        broker.createTopic(topic, 2, Map.of());
        List<TopicPartition> tps = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
        KafkaProducer<String, String> producer = transactional("visibility", Map.of());
        producer.initTransactions();

        producer.beginTransaction();
        for (int i = 0; i < 4; i++) {
            producer.send(new ProducerRecord<>(topic, i % 2, "k", "committed-" + i));
        }
        producer.commitTransaction();
        producer.beginTransaction();
        for (int i = 0; i < 3; i++) {
            producer.send(new ProducerRecord<>(topic, i % 2, "k", "aborted-" + i));
        }
        producer.flush();
        producer.abortTransaction();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic, 0, "k", "committed-last"));
        producer.commitTransaction();

        assertThat(values(IsolationLevel.READ_COMMITTED, tps)).containsExactlyInAnyOrder("committed-0",
                "committed-1", "committed-2", "committed-3", "committed-last");
        assertThat(values(IsolationLevel.READ_UNCOMMITTED, tps)).hasSize(8)
                .contains("aborted-0", "aborted-1", "aborted-2");
        // 4 + 3 + 1 records and three markers on each partition a transaction touched
        Map<TopicPartition, Long> ends = endOffsets(tps, IsolationLevel.READ_UNCOMMITTED);
        assertThat(ends.get(tps.get(0)) + ends.get(tps.get(1))).isEqualTo(8 + 3 + 2);
        assertThat(endOffsets(tps, IsolationLevel.READ_COMMITTED)).isEqualTo(ends);
    }

    @Test
    void openTransactionHoldsBackTheLastStableOffsetUntilItCommits() throws Exception {
        String topic = "txn-open";
        broker.createTopic(topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        KafkaProducer<String, String> plain = broker.producer();
        plain.send(new ProducerRecord<>(topic, "k", "before")).get(20, TimeUnit.SECONDS);
        KafkaProducer<String, String> producer = transactional("open", Map.of());
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic, "k", "in-txn")).get(20, TimeUnit.SECONDS);
        plain.send(new ProducerRecord<>(topic, "k", "after")).get(20, TimeUnit.SECONDS);

        assertThat(endOffsets(List.of(tp), IsolationLevel.READ_UNCOMMITTED).get(tp)).isEqualTo(3);
        assertThat(endOffsets(List.of(tp), IsolationLevel.READ_COMMITTED).get(tp)).isEqualTo(1);
        assertThat(values(IsolationLevel.READ_COMMITTED, List.of(tp))).containsExactly("before");

        producer.commitTransaction();
        // the marker is offset 3; the LSO moves past it once the high watermark does
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(endOffsets(List.of(tp), IsolationLevel.READ_COMMITTED).get(tp)).isEqualTo(4));
        assertThat(values(IsolationLevel.READ_COMMITTED, List.of(tp))).containsExactly("before", "in-txn", "after");
    }

    @Test
    void consumeTransformProduceCommitsOffsetsWithTheOutput() throws Exception {
        String input = "ctp-in";
        String output = "ctp-out";
        broker.createTopic(input, 1, Map.of());
        broker.createTopic(output, 1, Map.of());
        KafkaProducer<String, String> plain = broker.producer();
        for (int i = 0; i < 10; i++) {
            plain.send(new ProducerRecord<>(input, "k" + i, "v" + i));
        }
        plain.flush();
        TopicPartition in = new TopicPartition(input, 0);
        TopicPartition out = new TopicPartition(output, 0);
        KafkaConsumer<String, String> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "ctp",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        consumer.subscribe(List.of(input));
        KafkaProducer<String, String> producer = transactional("ctp", Map.of());
        producer.initTransactions();

        // first pass: transform everything, then abort: neither output nor offsets count
        List<ConsumerRecord<String, String>> batch = pollAtLeast(consumer, 10);
        producer.beginTransaction();
        batch.forEach(r -> producer.send(new ProducerRecord<>(output, r.key(), r.value().toUpperCase())));
        producer.sendOffsetsToTransaction(Map.of(in, new OffsetAndMetadata(10)), consumer.groupMetadata());
        producer.abortTransaction();
        assertThat(committed(in)).isNull();
        assertThat(values(IsolationLevel.READ_COMMITTED, List.of(out))).isEmpty();

        // second pass, committed: the output and the group's offset appear together
        producer.beginTransaction();
        batch.forEach(r -> producer.send(new ProducerRecord<>(output, r.key(), r.value().toUpperCase())));
        producer.sendOffsetsToTransaction(Map.of(in, new OffsetAndMetadata(10)), consumer.groupMetadata());
        producer.commitTransaction();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(committed(in)).isNotNull());
        assertThat(committed(in).offset()).isEqualTo(10);
        assertThat(values(IsolationLevel.READ_COMMITTED, List.of(out))).containsExactly("V0", "V1", "V2", "V3",
                "V4", "V5", "V6", "V7", "V8", "V9");
    }

    private static List<ConsumerRecord<String, String>> pollAtLeast(KafkaConsumer<String, String> consumer, int n) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (got.size() < n && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(got::add);
        }
        assertThat(got).hasSizeGreaterThanOrEqualTo(n);
        return got;
    }

    private OffsetAndMetadata committed(TopicPartition tp) throws Exception {
        return broker.admin().listConsumerGroupOffsets("ctp").partitionsToOffsetAndMetadata()
                .get(20, TimeUnit.SECONDS).get(tp);
    }

    @Test
    void aNewProducerWithTheSameIdFencesTheOldAndAbortsItsTransaction() throws Exception {
        String topic = "txn-zombie";
        broker.createTopic(topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        KafkaProducer<String, String> zombie = transactional("zombie", Map.of());
        zombie.initTransactions();
        zombie.beginTransaction();
        zombie.send(new ProducerRecord<>(topic, "k", "from-zombie")).get(20, TimeUnit.SECONDS);

        KafkaProducer<String, String> successor = transactional("zombie", Map.of());
        successor.initTransactions(); // fences the zombie and aborts its open transaction
        successor.beginTransaction();
        successor.send(new ProducerRecord<>(topic, "k", "from-successor"));
        successor.commitTransaction();

        assertThatThrownBy(() -> {
            zombie.send(new ProducerRecord<>(topic, "k", "late")).get(20, TimeUnit.SECONDS);
            zombie.commitTransaction();
        }).satisfies(e -> assertThat(fencingCause(e)).isTrue());
        assertThat(values(IsolationLevel.READ_COMMITTED, List.of(tp))).containsExactly("from-successor");
    }

    private static boolean fencingCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theCoordinatorAbortsATransactionPastItsTimeout() throws Exception {
        String topic = "txn-timeout";
        broker.createTopic(topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        KafkaProducer<String, String> producer = transactional("slow",
                Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 1000));
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic, "k", "never-committed")).get(20, TimeUnit.SECONDS);

        // the abort marker lands and the LSO moves past the transaction, with no call from the producer
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(endOffsets(List.of(tp), IsolationLevel.READ_COMMITTED).get(tp)).isEqualTo(2));
        assertThat(values(IsolationLevel.READ_COMMITTED, List.of(tp))).isEmpty();
        assertThatThrownBy(producer::commitTransaction).isInstanceOf(KafkaException.class);
    }

    @Test
    void adminListsDescribesTransactionsAndTheirProducers() throws Exception {
        String topic = "txn-admin";
        broker.createTopic(topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        KafkaProducer<String, String> producer = transactional("described", Map.of());
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic, "k", "v")).get(20, TimeUnit.SECONDS);
        Admin admin = broker.admin();

        Collection<TransactionListing> listed = admin.listTransactions().all().get(20, TimeUnit.SECONDS);
        assertThat(listed).anySatisfy(l -> {
            assertThat(l.transactionalId()).isEqualTo("described");
            assertThat(l.state()).isEqualTo(TransactionState.ONGOING);
        });
        TransactionDescription described = admin.describeTransactions(List.of("described"))
                .description("described").get(20, TimeUnit.SECONDS);
        assertThat(described.state()).isEqualTo(TransactionState.ONGOING);
        assertThat(described.topicPartitions()).contains(tp);
        assertThat(described.coordinatorId()).isEqualTo(broker.broker().config().node().nodeId());
        List<ProducerState> producers = admin.describeProducers(List.of(tp)).partitionResult(tp)
                .get(20, TimeUnit.SECONDS).activeProducers();
        assertThat(producers).singleElement().satisfies(p -> {
            assertThat(p.producerId()).isEqualTo(described.producerId());
            assertThat(p.currentTransactionStartOffset()).hasValue(0L);
        });

        producer.commitTransaction();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(admin
                .describeTransactions(List.of("described")).description("described").get(20, TimeUnit.SECONDS)
                .state()).isEqualTo(TransactionState.COMPLETE_COMMIT));
        // What Kafka 4.3.1 answers here: transaction version 2 bumps the epoch at every end (KIP-890), the
        // completed transaction lists no partitions, and the partition knows the new epoch from the marker.
        TransactionDescription completed = admin.describeTransactions(List.of("described")).description("described")
                .get(20, TimeUnit.SECONDS);
        assertThat(completed.producerEpoch()).isEqualTo(described.producerEpoch() + 1);
        assertThat(completed.topicPartitions()).isEmpty();
        assertThat(admin.describeProducers(List.of(tp)).partitionResult(tp).get(20, TimeUnit.SECONDS)
                .activeProducers()).singleElement().satisfies(p -> {
                    assertThat(p.producerEpoch()).isEqualTo(completed.producerEpoch());
                    assertThat(p.lastSequence()).isEqualTo(-1);
                    assertThat(p.coordinatorEpoch()).isPresent();
                    assertThat(p.currentTransactionStartOffset()).isEmpty();
                });
    }

    @Test
    void describingAnUnknownTransactionalIdFails() {
        assertThatThrownBy(() -> broker.admin().describeTransactions(List.of("nobody")).description("nobody")
                .get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(org.apache.kafka.common.errors.TransactionalIdNotFoundException.class);
    }
}
