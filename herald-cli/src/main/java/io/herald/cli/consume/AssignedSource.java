package io.herald.cli.consume;

import io.herald.cli.Clients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads assigned partitions without a group (nothing committed), from a {@link StartPosition}. The end offsets are
 * taken when reading starts, so {@code --exit-at-end} stops at the records that existed then.
 *
 * <p>Not thread-safe, except {@link #wakeup}.
 */
public final class AssignedSource implements RecordSource {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, Long> ends;

    public AssignedSource(KafkaConsumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions,
                   StartPosition from) {
        this.consumer = consumer;
        consumer.assign(partitions);
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
        this.ends = Map.copyOf(consumer.endOffsets(partitions));
        Map<TopicPartition, Long> starts = starts(from, partitions, beginnings);
        starts.forEach(consumer::seek);
    }

    private Map<TopicPartition, Long> starts(StartPosition from, Collection<TopicPartition> partitions,
                                             Map<TopicPartition, Long> beginnings) {
        Map<TopicPartition, Long> starts = new HashMap<>();
        Map<TopicPartition, OffsetAndTimestamp> byTime = from instanceof StartPosition.Timestamp t
                ? consumer.offsetsForTimes(timestamps(partitions, t.epochMillis())) : Map.of();
        for (TopicPartition tp : partitions) {
            long first = beginnings.get(tp);
            long end = ends.get(tp);
            long start = switch (from) {
                case StartPosition.Beginning b -> first;
                case StartPosition.End e -> end;
                case StartPosition.Offset o -> o.offset();
                case StartPosition.FromEnd n -> end - n.count();
                case StartPosition.Timestamp t -> byTime.get(tp) == null ? end : byTime.get(tp).offset();
            };
            starts.put(tp, Math.max(first, Math.min(end, start)));
        }
        return starts;
    }

    private static Map<TopicPartition, Long> timestamps(Collection<TopicPartition> partitions, long epochMillis) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, epochMillis));
        return query;
    }

    @Override
    public List<ConsumerRecord<byte[], byte[]>> poll(Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        consumer.poll(timeout).forEach(out::add);
        return out;
    }

    @Override
    public void done(List<ConsumerRecord<byte[], byte[]>> printed, List<ConsumerRecord<byte[], byte[]>> unprinted) {
        // No group: nothing to commit.
    }

    @Override
    public boolean reachedEnd() {
        return ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
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
