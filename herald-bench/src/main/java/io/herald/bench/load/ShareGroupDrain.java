package io.herald.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One share group draining a filled backlog: {@code consumers} stock {@link KafkaShareConsumer}s in one group, each
 * on its own platform thread (the client is not thread-safe), subscribed to the topic, in explicit acknowledgement
 * mode. A consumer acknowledges every record of a poll with ACCEPT, then {@code commitSync()} sends those
 * acknowledgements and waits for the broker's answer; the duration of that call is the acknowledgement latency.
 * Deliveries go into a {@link DeliveryLedger}.
 *
 * <p>The drain ends when the ledger holds every record, when {@code limit} has passed since the first record was
 * polled (the warm-up's end), when no new record arrived for {@link #STALL_TIMEOUT} (which also bounds the time to
 * the first record), or on the first error of any consumer, which {@link #drain} rethrows. Whether the result is
 * complete is the caller's to judge. One drain per instance; {@link #drain} is called from one thread.
 */
final class ShareGroupDrain {
    static final Duration STALL_TIMEOUT = LoadGenerator.NO_PROGRESS_TIMEOUT;
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final long MAX_COMMIT_MICROS = TimeUnit.MINUTES.toMicros(2);

    private final String bootstrapServers;
    private final String topic;
    private final String groupId;
    private final int consumers;
    private final int recordSize;
    private final DeliveryLedger ledger;
    private final AtomicLong firstRecordNanos = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastNewRecordNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicReference<Exception> firstError = new AtomicReference<>();
    private volatile boolean running = true;

    ShareGroupDrain(String bootstrapServers, String topic, String groupId, int consumers, int recordSize,
                    DeliveryLedger ledger) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.groupId = groupId;
        this.consumers = consumers;
        this.recordSize = recordSize;
        this.ledger = ledger;
    }

    /** Runs the consumers until the drain ends (see the class comment), closes them and returns what they saw. */
    ShareDrain drain(Duration limit) throws Exception {
        List<Member> members = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            Member m = new Member(i);
            members.add(m);
            threads.add(Thread.ofPlatform().name("bench-share-" + groupId + "-" + i).start(m));
        }
        try {
            awaitEnd(limit);
        } finally {
            running = false;
            for (Thread t : threads) {
                // A consumer's close() sends what it has not acknowledged back and leaves the group.
                if (!t.join(COMMIT_TIMEOUT.plus(CLOSE_TIMEOUT).plus(POLL_TIMEOUT))) {
                    firstError.compareAndSet(null, new IllegalStateException(t.getName() + " did not stop"));
                }
            }
        }
        Exception e = firstError.get();
        if (e != null) {
            throw new IllegalStateException("share group " + groupId + " failed: " + e, e);
        }
        Histogram commits = new Histogram(MAX_COMMIT_MICROS, 3);
        long redelivered = 0;
        long failedAcks = 0;
        int withRecords = 0;
        long shareFetches = 0;
        for (Member m : members) {
            shareFetches += m.shareFetches;
            commits.add(m.commitMicros);
            redelivered += m.redelivered;
            failedAcks += m.failedAcks;
            withRecords += m.polledRecords ? 1 : 0;
        }
        long distinct = ledger.distinct();
        long nanos = distinct == 0 ? 1 : Math.max(1, lastNewRecordNanos.get() - firstRecordNanos.get());
        return new ShareDrain(new Throughput(distinct, distinct * recordSize, nanos,
                distinct == 0 ? Throughput.UNKNOWN_START : firstRecordNanos.get()), ledger.backlog(), distinct,
                ledger.deliveries(), redelivered, failedAcks, withRecords, consumers, shareFetches, commits,
                ledger.missing(5));
    }

    private void awaitEnd(Duration limit) throws InterruptedException {
        long lastDistinct = -1;
        long lastProgress = System.nanoTime();
        while (firstError.get() == null && !ledger.complete()) {
            long now = System.nanoTime();
            long distinct = ledger.distinct();
            if (distinct != lastDistinct) {
                lastDistinct = distinct;
                lastProgress = now;
            } else if (now - lastProgress > STALL_TIMEOUT.toNanos()) {
                return;
            }
            long first = firstRecordNanos.get();
            if (first != Long.MAX_VALUE && now - first >= limit.toNanos()) {
                return;
            }
            Thread.sleep(20);
        }
    }

    private Properties consumerConfig(int index) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-" + index);
        props.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
        return props;
    }

    /** One consumer's loop; its counters are read by {@link #drain} after its thread ended. */
    private final class Member implements Runnable {
        private final int index;
        private final Histogram commitMicros = new Histogram(MAX_COMMIT_MICROS, 3);
        private long redelivered;
        private long failedAcks;
        private long shareFetches;
        private boolean polledRecords;

        Member(int index) {
            this.index = index;
        }

        @Override
        public void run() {
            try {
                KafkaShareConsumer<byte[], byte[]> consumer = new KafkaShareConsumer<>(consumerConfig(index),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer());
                try {
                    consumer.subscribe(List.of(topic));
                    while (running && firstError.get() == null) {
                        ConsumerRecords<byte[], byte[]> batch = consumer.poll(POLL_TIMEOUT);
                        if (!batch.isEmpty()) {
                            onBatch(consumer, batch);
                        }
                    }
                } finally {
                    shareFetches = fetchRequests(consumer);
                    consumer.close(CLOSE_TIMEOUT); // bounded, unlike close()'s default of 30 s
                }
            } catch (Exception e) {
                firstError.compareAndSet(null, e);
            }
        }

        /** The client's count of ShareFetch requests sent (metric group share-fetch-manager-metrics). */
        private static long fetchRequests(KafkaShareConsumer<byte[], byte[]> consumer) {
            return consumer.metrics().entrySet().stream()
                    .filter(e -> e.getKey().name().equals("fetch-total")
                            && e.getKey().group().contains("share-fetch-manager"))
                    .mapToLong(e -> e.getValue().metricValue() instanceof Number n ? n.longValue() : 0).sum();
        }

        private void onBatch(KafkaShareConsumer<byte[], byte[]> consumer, ConsumerRecords<byte[], byte[]> batch) {
            firstRecordNanos.accumulateAndGet(System.nanoTime(), Math::min);
            polledRecords = true;
            boolean anyNew = false;
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                anyNew |= ledger.record(r.partition(), r.offset());
                if (r.deliveryCount().orElse((short) 1) > 1) {
                    redelivered++;
                }
                consumer.acknowledge(r, AcknowledgeType.ACCEPT);
            }
            long start = System.nanoTime();
            Map<TopicIdPartition, Optional<KafkaException>> answer = consumer.commitSync(COMMIT_TIMEOUT);
            long end = System.nanoTime();
            commitMicros.recordValue(Math.min(MAX_COMMIT_MICROS, (end - start) / 1000));
            failedAcks += answer.values().stream().filter(Optional::isPresent).count();
            if (anyNew) {
                lastNewRecordNanos.accumulateAndGet(end, Math::max);
            }
        }
    }
}
