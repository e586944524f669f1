package io.herald.it.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A consumer group member that reads a topic and commits after every poll that returned records, from a
 * background thread. After each successful commit it asks the group coordinator for the committed offsets and
 * records them per partition, in order: what the broker says the group has committed must never go backwards
 * ({@link FaultChecker} checks it), through coordinator failover included.
 *
 * <p>Commit and fetch failures during a fault are expected (coordinator moving, node isolated): they are counted
 * and the loop goes on. Every call is bounded; {@link #close()} wakes the consumer and joins the thread.
 *
 * <p>Thread-safe: the test thread reads what the consumer thread records.
 */
final class GroupCommitter implements AutoCloseable {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final String topic;
    private final KafkaConsumer<String, String> consumer;
    private final Map<Integer, List<Long>> committed = new ConcurrentHashMap<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    GroupCommitter(String bootstrapServers, String topic, String group) {
        this.topic = topic;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "200");
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        this.consumer = new KafkaConsumer<>(props);
        this.thread = new Thread(this::run, "group-committer-" + group);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (running.get()) {
                try {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                    if (records.isEmpty()) {
                        continue;
                    }
                    consumer.commitSync(CALL_TIMEOUT);
                    record(consumer.committed(Set.copyOf(records.partitions()), CALL_TIMEOUT));
                } catch (WakeupException e) {
                    return;
                } catch (RuntimeException e) {
                    failures.incrementAndGet(); // a fault is in progress; the next poll retries
                }
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void record(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, offset) -> {
            if (offset != null) {
                committed.computeIfAbsent(tp.partition(), p -> Collections.synchronizedList(new ArrayList<>()))
                        .add(offset.offset());
            }
        });
    }

    /** The committed offsets of {@code partition} as the coordinator returned them, in the order seen. */
    List<Long> committed(int partition) {
        List<Long> list = committed.getOrDefault(partition, List.of());
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    int commits() {
        return committed.values().stream().mapToInt(List::size).sum();
    }

    int failures() {
        return failures.get();
    }

    /** Stops the member: wakes a blocked call, waits (bounded) for the thread to close the consumer. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        consumer.wakeup();
        thread.join(20_000);
    }
}
