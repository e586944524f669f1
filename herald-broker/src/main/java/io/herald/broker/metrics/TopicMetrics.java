package io.herald.broker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Traffic per topic as counters: {@code herald_topic_bytes_in_total}, {@code herald_topic_messages_in_total},
 * {@code herald_topic_bytes_out_total} and {@code herald_topic_messages_out_total}, each with a {@code topic} tag. A topic's counters are made on its first
 * traffic and removed by {@link #retainTopics} once the topic is gone, so a deleted topic's series end.
 *
 * <p>Thread-safe: counters are looked up in a concurrent map and incremented without locks.
 */
public final class TopicMetrics implements TopicTraffic {
    private record Meters(Counter bytesIn, Counter messagesIn, Counter bytesOut, Counter messagesOut) {}

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
    public void sentToConsumer(String topic, long bytes, long offsets) {
        if (bytes > 0) {
            Meters meters = meters(topic);
            meters.bytesOut().increment(bytes);
            meters.messagesOut().increment(offsets);
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
                registry.remove(gone.messagesOut());
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
                        .description("Bytes of records sent to consumers").register(registry),
                Counter.builder("herald.topic.messages.out").tag("topic", t)
                        .description("Records sent to consumers: offsets from the fetch offset to the end of the last "
                                + "batch sent").register(registry)));
    }
}
