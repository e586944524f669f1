package io.herald.cli;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Topic lookups several commands share, failing with the message a user expects:
 * {@code topic 'orders' does not exist} rather than the broker's "This server does not host this topic-partition".
 *
 * <p>Stateless; thread-safe as the given {@link Admin} is.
 */
public final class Topics {

    private Topics() {
    }

    /** The description of {@code topic}; a {@link CliException} if it does not exist. */
    public static TopicDescription describe(Admin admin, String topic) {
        try {
            return Failures.await(() -> admin.describeTopics(List.of(topic)).allTopicNames().get()).get(topic);
        } catch (UnknownTopicOrPartitionException e) {
            throw doesNotExist(topic);
        }
    }

    /** The partitions of {@code topic}, in order; a {@link CliException} if it does not exist. */
    public static List<TopicPartition> partitions(Admin admin, String topic) {
        return describe(admin, topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition))
                .toList();
    }

    /** The offsets {@code spec} names for each of {@code partitions}. */
    public static Map<TopicPartition, Long> offsets(Admin admin, Set<TopicPartition> partitions, OffsetSpec spec) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        return Failures.await(() -> admin.listOffsets(request).all().get()).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    public static CliException doesNotExist(String topic) {
        return new CliException("topic '" + topic + "' does not exist");
    }
}
