package io.herald.cli.consume;

import io.herald.cli.Clients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a topic as a member of a consumer group and commits, after each poll, the offsets of the records printed:
 * a {@code --count} that stops in the middle of a poll leaves the rest for the group's next reader.
 *
 * <p>{@link #reachedEnd} compares each assigned partition's position with its end offset, taken when the
 * partition was first assigned here. Not thread-safe, except {@link #wakeup}.
 */
final class GroupSource implements RecordSource {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, Long> ends = new HashMap<>();

    GroupSource(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        this.consumer = consumer;
        consumer.subscribe(List.of(topic));
    }

    @Override
    public List<ConsumerRecord<byte[], byte[]>> poll(Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        consumer.poll(timeout).forEach(out::add);
        return out;
    }

    @Override
    public void done(List<ConsumerRecord<byte[], byte[]>> printed, List<ConsumerRecord<byte[], byte[]>> unprinted) {
        if (printed.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : printed) {
            next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        consumer.commitSync(next);
    }

    @Override
    public boolean reachedEnd() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return false;
        }
        List<TopicPartition> unknown = assigned.stream().filter(tp -> !ends.containsKey(tp)).toList();
        if (!unknown.isEmpty()) {
            ends.putAll(consumer.endOffsets(unknown));
        }
        return assigned.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
    }

    @Override
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Clients.CLOSE_TIMEOUT));
    }
}
