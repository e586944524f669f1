package io.herald.http.console;

import io.herald.broker.share.dlq.DeadLetterHeaders;
import io.herald.http.rest.LocalClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Dead-letter topics (KIP-1191: topics with {@code errors.deadletterqueue.group.enable=true}) and their replay:
 * each dead-lettered record is produced again to the topic its {@code __dlq.errors.topic} header names, into
 * the partition {@code __dlq.errors.partition} names while the topic has it (or to the topic given, partitioned
 * by key), with its key, value and own headers (the {@code __dlq.errors.*} ones dropped), and the
 * replay's position is committed in group {@value #GROUP}, so a second replay copies only what was dead-lettered
 * since. A replay copies what the topic held when it started and stops there.
 *
 * <p>Thread-safety: one replay per topic at a time is the caller's business; runs on an HTTP worker.
 */
final class DeadLetterReplay {
    static final String GROUP = "herald-dlq-replay";
    static final String ENABLE = "errors.deadletterqueue.group.enable";
    private static final Duration MAX_REPLAY = Duration.ofSeconds(60);

    /** A dead-letter topic: its records and those not yet replayed. */
    record DeadLetterTopic(String topic, long records, long pending) {}

    /** What a replay did: records copied, and records without a source topic (left where they are). */
    record Result(long replayed, long skipped) {}

    private final LocalClients clients;

    DeadLetterReplay(LocalClients clients) {
        this.clients = clients;
    }

    List<DeadLetterTopic> topics() throws Exception {
        var admin = clients.admin();
        List<ConfigResource> resources = await(admin.listTopics().names()).stream().sorted()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<ConfigResource, Config> configs = resources.isEmpty() ? Map.of()
                : await(admin.describeConfigs(resources).all());
        List<DeadLetterTopic> topics = new ArrayList<>();
        for (ConfigResource r : resources) {
            ConfigEntry enable = configs.get(r) == null ? null : configs.get(r).get(ENABLE);
            if (enable != null && "true".equalsIgnoreCase(enable.value())) {
                topics.add(counts(r.name()));
            }
        }
        return topics;
    }

    private DeadLetterTopic counts(String topic) throws Exception {
        try (KafkaConsumer<byte[], byte[]> consumer = clients.groupConsumer(GROUP)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
            long records = 0;
            long pending = 0;
            for (TopicPartition tp : partitions) {
                records += end.get(tp) - start.get(tp);
                OffsetAndMetadata done = committed.get(tp);
                pending += end.get(tp) - Math.max(start.get(tp), done == null ? 0 : done.offset());
            }
            return new DeadLetterTopic(topic, records, pending);
        }
    }

    /** Copies the records not replayed yet back to their source topics (or to {@code to}). */
    Result replay(String topic, Optional<String> to) throws Exception {
        long replayed = 0;
        long skipped = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = clients.groupConsumer(GROUP)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
            Map<String, Integer> partitionCounts = new HashMap<>();
            long deadline = System.nanoTime() + MAX_REPLAY.toNanos();
            while (!caughtUp(consumer, partitions, end) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= end.get(tp)) {
                        continue;
                    }
                    Optional<String> target = to.isPresent() ? to : header(r, DeadLetterHeaders.TOPIC);
                    if (target.isEmpty()) {
                        skipped++;
                    } else {
                        RecordHeaders headers = new RecordHeaders();
                        for (Header h : r.headers()) {
                            if (!h.key().startsWith("__dlq.errors.")) {
                                headers.add(h);
                            }
                        }
                        Integer partition = to.isPresent() ? null
                                : sourcePartition(r, target.get(), consumer, partitionCounts);
                        clients.producer().send(new ProducerRecord<>(target.get(), partition, r.key(), r.value(),
                                headers));
                        replayed++;
                    }
                    done.put(tp, new OffsetAndMetadata(r.offset() + 1));
                }
                clients.producer().flush();
                if (!done.isEmpty()) {
                    consumer.commitSync(done);
                }
            }
        }
        return new Result(replayed, skipped);
    }

    /**
     * The partition the record was dead-lettered from ({@code __dlq.errors.partition}) if the source topic still has
     * it, so a replayed record keeps its place in its key's order; else null (the producer's partitioner decides).
     */
    private static Integer sourcePartition(ConsumerRecord<byte[], byte[]> r, String target,
                                           KafkaConsumer<byte[], byte[]> consumer, Map<String, Integer> counts) {
        Optional<String> header = header(r, DeadLetterHeaders.PARTITION);
        if (header.isEmpty()) {
            return null;
        }
        int partition;
        try {
            partition = Integer.parseInt(header.get().trim());
        } catch (NumberFormatException e) {
            return null;
        }
        int count = counts.computeIfAbsent(target, t -> consumer.partitionsFor(t).size());
        return partition >= 0 && partition < count ? partition : null;
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                                    Map<TopicPartition, Long> end) {
        return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        return consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private static Optional<String> header(ConsumerRecord<byte[], byte[]> r, String name) {
        // The first: the dead-letter copy's own headers come before the original's (which may be a copy too).
        var found = r.headers().headers(name).iterator();
        Header h = found.hasNext() ? found.next() : null;
        return h == null || h.value() == null ? Optional.empty()
                : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }

    private static <T> T await(org.apache.kafka.common.KafkaFuture<T> f) throws Exception {
        return f.get(15, TimeUnit.SECONDS);
    }
}
