package io.herald.bench.load;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The in-process load generator: stock kafka-clients producers and consumers, so it drives Herald and Kafka
 * through exactly the same code. Client settings are kafka-clients 4.3 defaults (batch.size=16384, linger.ms=5,
 * no compression, idempotence with acks=all) except where a method says otherwise; consumers read uncommitted
 * unless the workload asks for read_committed. Not thread-safe; one instance per broker run.
 */
public final class LoadGenerator {
    /** A consumer that gets nothing new for this long fails its run. */
    public static final Duration NO_PROGRESS_TIMEOUT = Duration.ofSeconds(30);
    private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(2);
    /** Bounds a share group's drain, from its first record; a stall ends it sooner (ShareGroupDrain). */
    static final Duration MAX_SHARE_DRAIN = Duration.ofMinutes(5);

    private final String bootstrapServers;
    private final int partitions;
    private final LoadSettings settings;
    private final Map<String, Object> security;

    public LoadGenerator(String bootstrapServers, int partitions, LoadSettings settings) {
        this(bootstrapServers, partitions, settings, Map.of());
    }

    /** @param security configs every client adds to reach the broker (TLS: {@code BenchTls.clientConfigs()}) */
    public LoadGenerator(String bootstrapServers, int partitions, LoadSettings settings, Map<String, Object> security) {
        this.bootstrapServers = bootstrapServers;
        this.partitions = partitions;
        this.settings = settings;
        this.security = Map.copyOf(security);
    }

    /**
     * Creates the workload's topic as its {@link Workload#deployment()} says (replicas, min.insync.replicas) and waits
     * until every partition has a leader and all its replicas in the ISR, so no workload starts on a half-made topic
     * (or measures followers catching up).
     */
    public void createTopic(Workload workload) throws Exception {
        String topic = workload.topic();
        Deployment deployment = workload.deployment();
        int count = workload.topicPartitions().orElse(partitions);
        try (Admin admin = admin()) {
            NewTopic newTopic = new NewTopic(topic, count, deployment.replicationFactor())
                    .configs(deployment.topicConfigs());
            admin.createTopics(List.of(newTopic)).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                            .get(5, TimeUnit.SECONDS).get(topic);
                    if (description.partitions().size() == count
                            && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()
                                    && p.isr().size() == deployment.replicationFactor())) {
                        // Kafka answers Metadata with a leader before that leader's replica manager has the
                        // partition (produce then gets NOT_LEADER_OR_FOLLOWER for a moment). ListOffsets goes to
                        // the leader itself and the admin client retries it until the partition is served.
                        admin.listOffsets(partitionsOf(topic, count).stream()
                                        .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                                .all().get(30, TimeUnit.SECONDS);
                        return;
                    }
                } catch (ExecutionException e) {
                    // UnknownTopicOrPartition while the metadata propagates: retry.
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + topic + " has no leader and a full ISR ("
                            + deployment.replicationFactor() + ") for every partition after 30 s");
                }
                Thread.sleep(20);
            }
        }
    }

    /** One producer sending as fast as send() lets it for warm-up + duration. */
    public Throughput produce(Workload.Produce workload) throws Exception {
        return produceFlat(workload.topic(), workload.recordSize(), workload.acks(),
                settings.warmup().toNanos(), settings.produceDuration().toNanos());
    }

    private Throughput produceFlat(String topic, int recordSize, String acks, long warmupNanos, long durationNanos)
            throws Exception {
        byte[] value = randomBytes(recordSize);
        LongAdder acked = new LongAdder();
        AtomicLong lastAck = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        long start = System.nanoTime();
        long measureFrom = start + warmupNanos;
        long end = measureFrom + durationNanos;
        Callback callback = (metadata, e) -> {
            if (e != null) {
                firstError.compareAndSet(null, e);
                return;
            }
            long now = System.nanoTime();
            if (now >= measureFrom) {
                acked.increment();
                lastAck.accumulateAndGet(now, Math::max);
            }
        };
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(acks))) {
            while (System.nanoTime() < end && firstError.get() == null) {
                producer.send(new ProducerRecord<>(topic, value), callback);
            }
            producer.flush();
        }
        throwIfFailed(firstError, "produce");
        long records = acked.sum();
        return new Throughput(records, records * recordSize, Math.max(1, lastAck.get() - measureFrom), measureFrom);
    }

    /**
     * One transactional producer for warm-up + duration: {@code initTransactions()} before the clock starts (it
     * finds the coordinator, which creates {@code __transaction_state} on a fresh broker), then transactions of
     * {@link Workload.TransactionalProduce#recordsPerTransaction()} records, each committed before the next begins.
     * Only whole transactions are measured: from the first one begun after the warm-up to the last commit's return.
     */
    public TransactionalThroughput produceTransactional(Workload.TransactionalProduce workload) throws Exception {
        byte[] value = randomBytes(workload.recordSize());
        AtomicReference<Exception> firstError = new AtomicReference<>();
        Callback callback = failuresInto(firstError);
        Histogram commitMicros = new Histogram(MAX_LATENCY_MICROS, 3);
        long begun = 0;
        long transactions = 0;
        long measuredStart = 0;
        long lastCommitEnd = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(transactionalProducerConfig(workload.name()))) {
            producer.initTransactions();
            long measureFrom = System.nanoTime() + settings.warmup().toNanos();
            long end = measureFrom + settings.produceDuration().toNanos();
            while (firstError.get() == null) {
                long begin = System.nanoTime();
                if (begin >= end) {
                    break;
                }
                producer.beginTransaction();
                begun++;
                for (int i = 0; i < workload.recordsPerTransaction(); i++) {
                    producer.send(new ProducerRecord<>(workload.topic(), value), callback);
                }
                long commitStart = System.nanoTime();
                commit(producer, begun);
                long commitEnd = System.nanoTime();
                if (begin >= measureFrom) {
                    if (transactions == 0) {
                        measuredStart = begin;
                    }
                    transactions++;
                    commitMicros.recordValue(Math.min(MAX_LATENCY_MICROS, (commitEnd - commitStart) / 1000));
                    lastCommitEnd = commitEnd;
                }
            }
        }
        throwIfFailed(firstError, "transactional produce");
        if (transactions == 0) {
            throw new IllegalStateException("no transaction began and committed within the "
                    + settings.produceDuration().toSeconds() + " s measured");
        }
        long records = transactions * workload.recordsPerTransaction();
        long nanos = Math.max(1, lastCommitEnd - measuredStart);
        return new TransactionalThroughput(new Throughput(records, records * workload.recordSize(), nanos,
                measuredStart),
                new Commits(transactions, nanos, commitMicros));
    }

    /** Fills the topic as the workload says, then times one consumer reading it all from the beginning. */
    public Throughput consume(Workload.Consume workload) throws Exception {
        switch (workload.fill()) {
            case Workload.Fill.Plain p -> fill(workload.topic(), workload.recordSize(), workload.records());
            case Workload.Fill.Transactional t -> fillTransactional(workload.topic(), workload.recordSize(),
                    workload.records(), t.recordsPerTransaction());
        }
        // An untimed first pass: the benchmark JVM's consumer code is compiled by the JIT during it. Without it
        // whichever broker runs first in a pair (Herald) is read by a cold client, and the client, decoding
        // records, is what bounds this workload.
        readAll(workload);
        return readAll(workload);
    }

    /**
     * Fills the topic, then drains it with a share group ({@link ShareGroupDrain}) twice: first an untimed warm-up
     * group for {@link LoadSettings#warmup()} after its first record (the benchmark JVM's share consumer code is
     * compiled by the JIT during it, as in {@link #consume}), then the measured group, until it has every record of
     * the backlog or stalls: the caller checks {@link ShareDrain#requireComplete()}. Both groups start from the
     * earliest offset, a group config set before they join (share groups start at the latest offset by default).
     */
    public ShareDrain shareConsume(Workload.ShareConsume workload) throws Exception {
        String topic = workload.topic();
        fill(topic, workload.recordSize(), workload.records());
        long[] endOffsets = endOffsets(topic, workload.partitions());
        long written = Arrays.stream(endOffsets).sum();
        if (written < workload.records()) {
            // acks=1: an acknowledged record the log does not hold was lost.
            throw new IllegalStateException("the fill sent " + workload.records() + " records but the topic's end "
                    + "offsets sum to " + written);
        }
        String warmupGroup = "bench-warmup-" + workload.name();
        String group = "bench-" + workload.name();
        startFromEarliest(List.of(warmupGroup, group));
        new ShareGroupDrain(bootstrapServers, topic, warmupGroup, workload.consumers(), workload.recordSize(),
                new DeliveryLedger(endOffsets)).drain(settings.warmup());
        return new ShareGroupDrain(bootstrapServers, topic, group, workload.consumers(), workload.recordSize(),
                new DeliveryLedger(endOffsets)).drain(MAX_SHARE_DRAIN);
    }

    private long[] endOffsets(String topic, int partitions) throws Exception {
        try (Admin admin = admin()) {
            var offsets = admin.listOffsets(partitionsOf(topic, partitions).stream()
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()))).all().get(30, TimeUnit.SECONDS);
            long[] ends = new long[partitions];
            offsets.forEach((tp, info) -> ends[tp.partition()] = info.offset());
            return ends;
        }
    }

    /** KIP-932's group config {@code share.auto.offset.reset}; a group need not exist to be configured. */
    private void startFromEarliest(List<String> groups) throws Exception {
        try (Admin admin = admin()) {
            AlterConfigOp earliest = new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
                    AlterConfigOp.OpType.SET);
            admin.incrementalAlterConfigs(groups.stream().collect(Collectors.toMap(
                            g -> new ConfigResource(ConfigResource.Type.GROUP, g), g -> List.of(earliest))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    /** One consumer reading the whole topic from the beginning; the time counts from the first poll. */
    private Throughput readAll(Workload.Consume workload) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(workload.isolation()))) {
            consumer.assign(partitionsOf(workload.topic()));
            consumer.seekToBeginning(consumer.assignment());
            long records = 0;
            long bytes = 0;
            long start = System.nanoTime();
            long lastProgress = start;
            while (records < workload.records()) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                if (batch.isEmpty()) {
                    if (now - lastProgress > NO_PROGRESS_TIMEOUT.toNanos()) {
                        throw new IllegalStateException("consumer stalled at " + records + " of "
                                + workload.records() + " records for " + NO_PROGRESS_TIMEOUT.toSeconds() + " s");
                    }
                    continue;
                }
                lastProgress = now;
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    records++;
                    bytes += r.value().length;
                }
            }
            return new Throughput(records, bytes, System.nanoTime() - start, start);
        }
    }

    private void fill(String topic, int recordSize, long count) throws Exception {
        byte[] value = randomBytes(recordSize);
        AtomicReference<Exception> firstError = new AtomicReference<>();
        Callback callback = failuresInto(firstError);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig("1"))) {
            for (long i = 0; i < count && firstError.get() == null; i++) {
                producer.send(new ProducerRecord<>(topic, value), callback);
            }
            producer.flush();
        }
        throwIfFailed(firstError, "fill");
    }

    /** Like {@link #fill}, with one transactional producer committing every {@code perTransaction} records. */
    private void fillTransactional(String topic, int recordSize, long count, int perTransaction) throws Exception {
        byte[] value = randomBytes(recordSize);
        AtomicReference<Exception> firstError = new AtomicReference<>();
        Callback callback = failuresInto(firstError);
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(transactionalProducerConfig("fill-" + topic))) {
            producer.initTransactions();
            long begun = 0;
            for (long sent = 0; sent < count && firstError.get() == null; ) {
                producer.beginTransaction();
                begun++;
                long last = Math.min(count, sent + perTransaction);
                for (; sent < last; sent++) {
                    producer.send(new ProducerRecord<>(topic, value), callback);
                }
                commit(producer, begun);
            }
        }
        throwIfFailed(firstError, "transactional fill");
    }

    /**
     * Produces at {@code rate} records/s while a consumer in this process reads the topic. The producer keeps the
     * client defaults of {@link #produce} (linger.ms=5): the rate is a fraction of the peak measured with those
     * settings, and with linger.ms=0 the same rate would mean several times more requests.
     */
    public LatencyResult endToEnd(Workload.EndToEndLatency workload, double rate) throws Exception {
        if (rate <= 0) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: > 0)");
        }
        int size = Math.max(Long.BYTES, workload.recordSize());
        Histogram histogram = new Histogram(MAX_LATENCY_MICROS, 3);
        long warmupNanos = settings.warmup().toNanos();
        long durationNanos = settings.latencyDuration().toNanos();
        long total = (long) (rate * (warmupNanos + durationNanos) / 1e9);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long measureFrom = start + warmupNanos;
        AtomicLong received = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        ConsumerLoop consumerLoop = new ConsumerLoop(workload.topic(), histogram, measureFrom, received, firstError);
        Thread consumerThread = Thread.ofPlatform().name("bench-latency-consumer").start(consumerLoop);
        long sent = 0;
        long lastSendNanos = start;
        Callback callback = failuresInto(firstError);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(workload.acks()))) {
            consumerLoop.awaitAssigned();
            while (sent < total && firstError.get() == null) {
                long due = start + (long) (sent * 1e9 / rate);
                long now = System.nanoTime();
                if (due > now) {
                    LockSupport.parkNanos(due - now);
                    continue;
                }
                byte[] value = new byte[size];
                ByteBuffer.wrap(value).putLong(0, due);
                producer.send(new ProducerRecord<>(workload.topic(), value), callback);
                sent++;
                lastSendNanos = System.nanoTime();
            }
            producer.flush();
        }
        long drainDeadline = System.nanoTime() + NO_PROGRESS_TIMEOUT.toNanos();
        while (received.get() < sent && System.nanoTime() < drainDeadline && firstError.get() == null) {
            Thread.sleep(10);
        }
        consumerLoop.stop();
        consumerThread.join();
        throwIfFailed(firstError, "end-to-end");
        if (received.get() < sent) {
            throw new IllegalStateException("consumed " + received.get() + " of " + sent + " records within "
                    + NO_PROGRESS_TIMEOUT.toSeconds() + " s after the producer finished");
        }
        // The schedule starts at `start`; a producer that blocked in send() finishes late and shows a lower rate.
        double achieved = sent * 1e9 / Math.max(1, lastSendNanos - start);
        return new LatencyResult(histogram, rate, achieved, sent, received.get());
    }

    /** The consumer side of {@link #endToEnd}: owns the consumer and the histogram until stopped. */
    private final class ConsumerLoop implements Runnable {
        private final String topic;
        private final Histogram histogram;
        private final long measureFrom;
        private final AtomicLong received;
        private final AtomicReference<Exception> firstError;
        private final CountDownLatch assigned = new CountDownLatch(1);
        private volatile boolean running = true;

        ConsumerLoop(String topic, Histogram histogram, long measureFrom, AtomicLong received,
                     AtomicReference<Exception> firstError) {
            this.topic = topic;
            this.histogram = histogram;
            this.measureFrom = measureFrom;
            this.received = received;
            this.firstError = firstError;
        }

        @Override
        public void run() {
            try (KafkaConsumer<byte[], byte[]> consumer =
                         new KafkaConsumer<>(consumerConfig(IsolationLevel.READ_UNCOMMITTED))) {
                consumer.assign(partitionsOf(topic));
                consumer.seekToBeginning(consumer.assignment());
                // Resolve the start positions before the producer starts, so the first records are not
                // delayed by the consumer's own setup.
                consumer.assignment().forEach(consumer::position);
                assigned.countDown();
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        long intended = ByteBuffer.wrap(r.value()).getLong(0);
                        if (intended >= measureFrom) {
                            histogram.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(0, (now - intended) / 1000)));
                        }
                        received.incrementAndGet();
                    }
                }
            } catch (Exception e) {
                firstError.compareAndSet(null, e);
            } finally {
                assigned.countDown();
            }
        }

        void awaitAssigned() throws InterruptedException {
            if (!assigned.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latency consumer did not get its positions within 30 s");
            }
        }

        void stop() {
            running = false;
        }
    }

    private List<TopicPartition> partitionsOf(String topic) {
        return partitionsOf(topic, partitions);
    }

    private static List<TopicPartition> partitionsOf(String topic, int partitions) {
        return IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
    }

    private Admin admin() {
        Properties props = new Properties();
        props.putAll(security);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return Admin.create(props);
    }

    private Properties producerConfig(String acks) {
        Properties props = new Properties();
        props.putAll(security);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, acks);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return props;
    }

    /**
     * acks=all and idempotence, which a transactional producer needs (the client refuses anything else), stated
     * rather than left to the defaults; otherwise the settings of {@link #producerConfig}. One id per producer: a
     * second producer with the same id would fence the first.
     */
    private Properties transactionalProducerConfig(String transactionalId) {
        Properties props = producerConfig("all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-" + transactionalId);
        return props;
    }

    private Properties consumerConfig(IsolationLevel isolation) {
        Properties props = new Properties();
        props.putAll(security);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    /**
     * Commits, or fails the run saying which transaction and why: the client throws a TransactionAbortableException
     * whose message only says that retries are exhausted; the broker's answer is in its cause.
     */
    private static void commit(KafkaProducer<byte[], byte[]> producer, long transaction) {
        try {
            producer.commitTransaction();
        } catch (KafkaException e) {
            throw failCommit(e, transaction);
        }
    }

    private static IllegalStateException failCommit(KafkaException e, long transaction) {
        Throwable cause = e.getCause();
        return new IllegalStateException("commitTransaction of transaction " + transaction + " failed: " + e
                + (cause == null || cause == e ? "" : " (cause: " + cause + ")"), e);
    }

    private static Callback failuresInto(AtomicReference<Exception> firstError) {
        return (metadata, e) -> {
            if (e != null) {
                firstError.compareAndSet(null, e);
            }
        };
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    private static void throwIfFailed(AtomicReference<Exception> firstError, String phase) throws Exception {
        Exception e = firstError.get();
        if (e != null) {
            throw new IllegalStateException(phase + " failed: " + e, e);
        }
    }
}
