package io.herald.broker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Traffic per topic as counters: {@code herald_topic_bytes_in_total}, {@code herald_topic_messages_in_total} and
 * {@code herald_topic_bytes_out_total}, each with a {@code topic} tag. A topic's counters are made on its first
 * traffic and removed by {@link #retainTopics} once the topic is gone, so a deleted topic's series end.
 *
 * <p>Thread-safe: counters are looked up in a concurrent map and incremented without locks.
 */
public final class TopicMetrics implements TopicTraffic {
    private record Meters(Counter bytesIn, Counter messagesIn, Counter bytesOut) {}

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Meters> topics = new ConcurrentHashMap<>();

    public TopicMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void appended(String topic, long bytes, long records) {
        Meters meters = meters(topic);
        meters.bytesIn().increment(bytes);
        meters.messagesIn().increment(records);
    }

    @Override
    public void sentToConsumer(String topic, long bytes) {
        if (bytes > 0) {
            meters(topic).bytesOut().increment(bytes);
        }
    }

    /** Removes the counters of topics not in {@code existing}. */
    public void retainTopics(Set<String> existing) {
        topics.keySet().removeIf(topic -> {
            if (existing.contains(topic)) {
                return false;
            }
            Meters gone = topics.get(topic);
            if (gone != null) {
                registry.remove(gone.bytesIn());
                registry.remove(gone.messagesIn());
                registry.remove(gone.bytesOut());
            }
            return true;
        });
    }

    private Meters meters(String topic) {
        Meters meters = topics.get(topic);
        return meters != null ? meters : topics.computeIfAbsent(topic, t -> new Meters(
                Counter.builder("herald.topic.bytes.in").tag("topic", t)
                        .description("Bytes of produced batches appended by this broker as leader").register(registry),
                Counter.builder("herald.topic.messages.in").tag("topic", t)
                        .description("Records appended by this broker as leader").register(registry),
                Counter.builder("herald.topic.bytes.out").tag("topic", t)
                        .description("Bytes of records sent to consumers").register(registry)));
    }
}
