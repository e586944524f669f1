package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An idempotent acks=all producer streaming values {@code prefix-0, prefix-1, ...} round-robin over a topic's
 * partitions from a background thread, recording every acknowledgement (partition, offset, value, when it was
 * sent, when it was acknowledged) in callback order, which for one partition is offset order.
 *
 * <p>Records in flight are bounded, so a stall (no leader, not enough replicas) backs the sender up instead of
 * buffering without limit. Any send error is kept and stops the stream: the tests require none.
 *
 * <p>Thread-safe: the test thread reads the counters and acks while the sender and the producer's I/O thread
 * write them.
 */
public final class AckingProducer implements AutoCloseable {

    private static final int IN_FLIGHT_LIMIT = 2_000;

    /** One acknowledged record. */
    public record Ack(int partition, long offset, String value, long sentNanos, long ackedNanos) {
    }

    private final String topic;
    private final int partitions;
    private final String prefix;
    private final KafkaProducer<String, String> producer;
    private final Map<Integer, List<Ack>> acks = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Exception> errors = new ConcurrentLinkedQueue<>();
    private final AtomicInteger acked = new AtomicInteger();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT_LIMIT);
    private final Thread sender;

    /** Starts streaming at once. */
    public AckingProducer(String bootstrapServers, String topic, int partitions, String prefix) {
        this.topic = topic;
        this.partitions = partitions;
        this.prefix = prefix;
        this.producer = new KafkaProducer<>(props(bootstrapServers));
        this.sender = new Thread(this::run, "acking-producer-" + prefix);
        sender.setDaemon(true);
        sender.start();
    }

    /** Idempotent, acks=all, and patient enough to ride out a leader's death and a broker's pause. */
    public static Properties props(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // A request to a paused broker is abandoned (and retried elsewhere) after this long.
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
        return props;
    }

    private void run() {
        int next = 0;
        while (producing.get() && errors.isEmpty()) {
            try {
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                int partition = next % partitions;
                String value = prefix + "-" + next;
                long sentNanos = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, partition, null, value), (metadata, exception) -> {
                    if (exception != null) {
                        errors.add(exception);
                    } else {
                        acks.computeIfAbsent(metadata.partition(), p -> Collections.synchronizedList(new ArrayList<>()))
                                .add(new Ack(metadata.partition(), metadata.offset(), value, sentNanos, System.nanoTime()));
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
    }

    public int acked() {
        return acked.get();
    }

    public List<Exception> errors() {
        return List.copyOf(errors);
    }

    /** A copy of the acknowledgements of one partition, in callback (= offset) order. */
    public List<Ack> acks(int partition) {
        List<Ack> list = acks.getOrDefault(partition, List.of());
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    /**
     * The first acknowledgement on {@code partition} of a record sent after {@code nanos}. Such a record cannot
     * have been acknowledged by a leader that was already dead at {@code nanos}.
     */
    public Optional<Ack> firstAckSentAfter(int partition, long nanos) {
        return acks(partition).stream().filter(ack -> ack.sentNanos() > nanos).findFirst();
    }

    /** Waits for {@link #firstAckSentAfter}: records already in flight at {@code nanos} are acknowledged first. */
    public Ack awaitAckSentAfter(int partition, long nanos, Duration timeout, String what) throws InterruptedException {
        awaitTrue(() -> firstAckSentAfter(partition, nanos).isPresent() || !errors.isEmpty(), timeout);
        assertThat(errors).as("send errors while waiting for %s", what).isEmpty();
        return firstAckSentAfter(partition, nanos).orElseThrow(() -> new AssertionError(what + ": no record sent "
                + "afterwards was acknowledged on partition " + partition + " within " + timeout.toSeconds() + " s"));
    }

    /** Waits until {@code more} records beyond now are acknowledged on {@code partition} (-1: any partition). */
    public void awaitProgress(int partition, int more, Duration timeout, String what) throws InterruptedException {
        int start = partition < 0 ? acked() : acks(partition).size();
        awaitTrue(() -> (partition < 0 ? acked() : acks(partition).size()) >= start + more || !errors.isEmpty(),
                timeout);
        assertThat(errors).as("send errors while waiting for %s", what).isEmpty();
        int now = partition < 0 ? acked() : acks(partition).size();
        assertThat(now - start).as("%s: acks on %s within %d s", what, partition < 0 ? "the topic" : "partition "
                + partition, timeout.toSeconds()).isGreaterThanOrEqualTo(more);
    }

    /** Stops sending, waits for every record in flight, and requires that every one was acknowledged. */
    public void stopAndFlush() throws InterruptedException {
        producing.set(false);
        sender.join(10_000);
        assertThat(sender.isAlive()).as("sender thread stopped").isFalse();
        producer.flush();
        assertThat(errors).as("the producer must ride out every fault without an error").isEmpty();
        assertThat(acked.get()).as("every send acknowledged").isEqualTo(sent.get());
    }

    @Override
    public void close() {
        producing.set(false);
        sender.interrupt();
        producer.close(Duration.ofSeconds(10));
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}
