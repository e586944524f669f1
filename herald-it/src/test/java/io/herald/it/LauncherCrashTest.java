package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker as launched by {@code bin/herald}, under the faults an operator's machine sees:
 * kill -9 in the middle of an idempotent acks=all stream, and SIGTERM.
 *
 * <p>Without {@code log.flush.interval.*}, an acknowledged record is in the page cache only; a
 * process kill (unlike a power loss) keeps the page cache, so nothing acknowledged may be lost,
 * and the restarted broker's recovered producer state must let the same idempotent producer
 * carry on with no duplicate and no gap (KIP-98 sequence numbers).
 */
class LauncherCrashTest {

    private static final int PARTITIONS = 4;
    private static final int IN_FLIGHT_LIMIT = 5_000;
    private static final int RECORDS_PER_PHASE = 20_000;
    private static final int CRASHES = 2;

    @TempDir
    Path workDir;

    private LaunchedBroker broker;

    /** One acknowledged record, in callback order. */
    private record Ack(int partition, long offset, String value) {
    }

    @BeforeEach
    void createBroker() {
        broker = new LaunchedBroker(workDir, Map.of(
                "num.partitions", String.valueOf(PARTITIONS),
                "auto.create.topics.enable", "true"));
    }

    @AfterEach
    void destroyBroker() {
        broker.close();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void killMinusNineMidStreamLosesNoAcknowledgedRecordAndDuplicatesNone() throws Exception {
        String topic = "crash-stream";
        broker.start();

        Map<Integer, List<Ack>> acks = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Exception> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger acked = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean producing = new AtomicBoolean(true);
        // Bounds what the producer buffers while the broker is down, so the test's memory and
        // the catch-up after the restart stay small.
        Semaphore inFlight = new Semaphore(IN_FLIGHT_LIMIT);

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
            Thread sender = new Thread(() -> {
                int next = 0;
                while (producing.get() && errors.isEmpty()) {
                    try {
                        if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                        int partition = next % PARTITIONS;
                        String value = "v" + next;
                        producer.send(new ProducerRecord<>(topic, partition, null, value), (metadata, exception) -> {
                            if (exception != null) {
                                errors.add(exception);
                            } else {
                                acks.computeIfAbsent(metadata.partition(), p -> Collections.synchronizedList(new ArrayList<>()))
                                        .add(new Ack(metadata.partition(), metadata.offset(), value));
                                acked.incrementAndGet();
                            }
                            inFlight.release();
                        });
                        sent.incrementAndGet();
                        next++;
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        errors.add(e);
                        inFlight.release();
                    }
                }
            }, "crash-test-sender");
            sender.setDaemon(true);
            sender.start();

            // Two crashes: the second recovers a log whose producer state was itself recovered.
            for (int crash = 1; crash <= CRASHES; crash++) {
                int ackedBefore = acked.get();
                await("acks before crash " + crash).atMost(Duration.ofSeconds(60))
                        .until(() -> acked.get() >= ackedBefore + RECORDS_PER_PHASE || !errors.isEmpty());
                assertThat(errors).as("send errors before crash %d", crash).isEmpty();

                broker.kill();
                int ackedAtKill = acked.get();
                Thread.sleep(500); // the producer sees its connection fail and starts retrying
                broker.start();

                await("acks after restart " + crash).atMost(Duration.ofSeconds(120))
                        .until(() -> acked.get() >= ackedAtKill + RECORDS_PER_PHASE || !errors.isEmpty());
                assertThat(errors).as("send errors after restart %d", crash).isEmpty();
            }
            producing.set(false);
            sender.join(10_000);
            assertThat(sender.isAlive()).as("sender thread stopped").isFalse();
            producer.flush();
            assertThat(errors).as("the producer must ride out the restart without an error").isEmpty();
            assertThat(acked.get()).as("every send acknowledged").isEqualTo(sent.get());
        }

        Map<Integer, List<ConsumerRecord<String, String>>> consumed = readAll(topic);
        for (int partition = 0; partition < PARTITIONS; partition++) {
            List<Ack> partitionAcks = acks.getOrDefault(partition, List.of());
            assertThat(partitionAcks).as("partition %d got records", partition).isNotEmpty();
            assertThat(partitionAcks).as("acknowledged offsets increase in callback order, partition %d", partition)
                    .extracting(Ack::offset)
                    .isSorted()
                    .doesNotHaveDuplicates();
            List<ConsumerRecord<String, String>> records = consumed.getOrDefault(partition, List.of());
            assertThat(records).as("values in partition %d, in log order: each acknowledged value exactly once, "
                            + "in acknowledgement order", partition)
                    .extracting(ConsumerRecord::value)
                    .containsExactlyElementsOf(partitionAcks.stream().map(Ack::value).toList());
            Map<Long, String> valueAtOffset = new HashMap<>();
            records.forEach(record -> valueAtOffset.put(record.offset(), record.value()));
            for (Ack ack : partitionAcks) {
                assertThat(valueAtOffset.get(ack.offset()))
                        .as("value at acknowledged offset %d of partition %d", ack.offset(), partition)
                        .isEqualTo(ack.value());
            }
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void sigtermStopsWithinTenSecondsAndWritesCleanShutdownMarker() throws Exception {
        String topic = "sigterm-topic";
        broker.start();
        List<String> values = IntStream.range(0, 100).mapToObj(i -> "s" + i).toList();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, 0, null, value));
            }
            producer.flush();
        }

        OptionalInt exit = broker.stop(Duration.ofSeconds(10));

        assertThat(exit).as("broker exits within 10 s of SIGTERM; output:%n%s", broker.output()).isPresent();
        Path marker = broker.logDir().resolve(LaunchedBroker.CLEAN_SHUTDOWN_MARKER);
        assertThat(marker).as("clean-shutdown marker").exists();
        assertThat(broker.output()).contains("Herald started").contains("Herald stopped");

        broker.start();
        // The marker is consumed at startup: left in place, a later kill -9 would be mistaken
        // for a clean shutdown and skip log recovery.
        await("clean-shutdown marker removed after restart").atMost(Duration.ofSeconds(10))
                .until(() -> !marker.toFile().exists());
        assertThat(readAll(topic).getOrDefault(0, List.of()))
                .extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(values);
    }

    private Properties producerProps() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // Long enough to ride out the broker's restart; everything else stays at its default.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        return props;
    }

    /** Every record of every partition, from the beginning to the end offset, no group. */
    private Map<Integer, List<ConsumerRecord<String, String>>> readAll(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<Integer, List<ConsumerRecord<String, String>>> consumed = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            // A plain loop, not awaitility: KafkaConsumer must stay on this thread.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!partitions.stream().allMatch(tp -> consumer.position(tp, Duration.ofSeconds(10)) >= end.get(tp))) {
                assertThat(System.nanoTime() - deadline).as("read %s to the end offsets %s within 60 s", topic, end)
                        .isNegative();
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    consumed.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
                }
            }
        }
        return consumed;
    }
}
