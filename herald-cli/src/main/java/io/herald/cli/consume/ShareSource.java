package io.herald.cli.consume;

import io.herald.cli.CliException;
import io.herald.cli.Clients;
import io.herald.cli.Failures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;

/**
 * Reads a topic as a member of a share group (KIP-932) with explicit acknowledgement: each printed record is
 * acknowledged as {@code --ack} says, records left over when {@code --count} was reached are released for the
 * next consumer, and the acknowledgements are committed before the next poll (explicit mode requires every record
 * of a poll to be acknowledged before the next one).
 *
 * <p>A share group has no end to reach: {@link #reachedEnd} is always false. Not thread-safe, except
 * {@link #wakeup}.
 */
final class ShareSource implements RecordSource {

    private final KafkaShareConsumer<byte[], byte[]> consumer;
    private final AcknowledgeType ack;

    ShareSource(KafkaShareConsumer<byte[], byte[]> consumer, String topic, ShareAck ack) {
        this.consumer = consumer;
        this.ack = ack.type;
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
        printed.forEach(r -> consumer.acknowledge(r, ack));
        unprinted.forEach(r -> consumer.acknowledge(r, AcknowledgeType.RELEASE));
        Map<TopicIdPartition, Optional<KafkaException>> results = consumer.commitSync(Clients.API_TIMEOUT);
        for (Map.Entry<TopicIdPartition, Optional<KafkaException>> result : results.entrySet()) {
            if (result.getValue().isPresent()) {
                throw new CliException("acknowledging records of " + result.getKey().topicPartition() + " failed: "
                        + Failures.message(result.getValue().get()), result.getValue().get());
            }
        }
    }

    @Override
    public boolean reachedEnd() {
        return false;
    }

    @Override
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(Clients.CLOSE_TIMEOUT);
    }
}
