package io.herald.cli.dlq;

import io.herald.cli.CliException;
import io.herald.cli.Topics;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Where a replay sends a dead-letter record: {@code --to TOPIC} if given (partitioned by its key there), else back
 * to its source topic from {@value DeadLetter#TOPIC}, into its source partition when that still exists (so records
 * of one source partition keep their relative order). A target topic is looked up once; one that does not exist
 * fails the replay before anything of the batch is sent.
 *
 * <p>Not thread-safe: one replay uses it.
 */
final class ReplayTargets {

    /** A record's destination; {@code partition} empty means "let the producer's partitioner choose". */
    record Target(String topic, Optional<Integer> partition) {}

    private final Admin admin;
    private final Optional<String> override;
    private final Map<String, Integer> partitionCounts = new HashMap<>();

    ReplayTargets(Admin admin, Optional<String> override) {
        this.admin = admin;
        this.override = override;
    }

    /** The target of {@code record}; empty when it names no source topic and there is no {@code --to}. */
    Optional<Target> of(ConsumerRecord<byte[], byte[]> record) {
        if (override.isPresent()) {
            partitions(override.get(), record);
            return Optional.of(new Target(override.get(), Optional.empty()));
        }
        DeadLetter dl = DeadLetter.of(record);
        if (dl.topic().isEmpty()) {
            return Optional.empty();
        }
        String topic = dl.topic().get();
        int count = partitions(topic, record);
        Optional<Integer> partition = dl.partition().isPresent() && dl.partition().getAsInt() < count
                ? Optional.of(dl.partition().getAsInt()) : Optional.empty();
        return Optional.of(new Target(topic, partition));
    }

    private int partitions(String topic, ConsumerRecord<byte[], byte[]> record) {
        Integer known = partitionCounts.get(topic);
        if (known != null) {
            return known;
        }
        int count;
        try {
            count = Topics.describe(admin, topic).partitions().size();
        } catch (CliException e) {
            throw new CliException("topic '" + topic + "' (the target of " + record.topic() + " "
                    + record.partition() + ":" + record.offset() + ") does not exist; create it, or replay "
                    + "elsewhere with --to TOPIC", e);
        }
        partitionCounts.put(topic, count);
        return count;
    }
}
