package io.herald.metadata.controller;

import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.TopicImage;
import io.herald.metadata.log.MetadataLog;
import io.herald.metadata.record.MetadataRecord;
import io.herald.metadata.record.MetadataRecord.BrokerRecord;
import io.herald.metadata.record.MetadataRecord.ConfigRecord;
import io.herald.metadata.record.MetadataRecord.PartitionRecord;
import io.herald.metadata.record.MetadataRecord.ProducerIdsRecord;
import io.herald.metadata.record.MetadataRecord.RemoveTopicRecord;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import io.herald.metadata.record.MetadataRecord.TopicRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Decides metadata changes: validates a request against the current image, turns it into records, makes
 * them durable in the {@link MetadataLog}, then replays them into a new {@link ClusterImage} and publishes
 * it. State changes only through replay, so startup is the same replay of the whole log.
 *
 * <p>Placement is round-robin over the registered brokers, starting at a per-topic offset so leaders spread.
 *
 * <p>Thread-safety: mutations are serialized by this object's monitor (the single controller thread of a
 * Raft controller later); {@link #image()} is a volatile read and safe from any thread.
 */
public final class MetadataController implements AutoCloseable {

    /** Told about every new image, on the thread that made the change, before the change returns. */
    @FunctionalInterface
    public interface Listener {
        void onImage(ClusterImage previous, ClusterImage current);
    }

    private final MetadataLog log;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile ClusterImage image;

    private MetadataController(MetadataLog log, ClusterImage image) {
        this.log = log;
        this.image = image;
    }

    /** Replays the whole metadata log into the starting image. */
    public static MetadataController open(MetadataLog log, String clusterId) throws IOException {
        ClusterImage image = ClusterImage.empty(clusterId);
        for (MetadataRecord record : log.readAll()) {
            image = image.apply(record);
        }
        return new MetadataController(log, image);
    }

    public ClusterImage image() {
        return image;
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public synchronized void registerBroker(int brokerId, String host, int port, Optional<String> rack) {
        BrokerRecord record = new BrokerRecord(brokerId, host, port, rack);
        var current = image.brokers().get(brokerId);
        if (current == null || !current.host().equals(host) || current.port() != port
                || !current.rack().equals(rack)) {
            commit(List.of(record));
        }
    }

    /**
     * Creates a topic with {@code partitions} partitions of {@code replicationFactor} replicas each.
     *
     * @param validateOnly check everything, change nothing
     * @return the new topic
     */
    public synchronized TopicImage createTopic(String name, int partitions, int replicationFactor,
                                               Map<String, String> configs, boolean validateOnly) {
        if (image.topic(name).isPresent()) {
            throw new TopicExistsException("Topic '" + name + "' already exists.");
        }
        if (partitions <= 0) {
            throw new InvalidPartitionsException("Number of partitions must be larger than 0.");
        }
        List<Integer> brokerIds = brokerIds();
        if (replicationFactor <= 0 || replicationFactor > brokerIds.size()) {
            throw new InvalidReplicationFactorException("Replication factor: " + replicationFactor
                    + " larger than available brokers: " + brokerIds.size() + ".");
        }
        Uuid topicId = Uuid.randomUuid();
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new TopicRecord(name, topicId));
        int start = Math.floorMod(name.hashCode(), brokerIds.size());
        for (int p = 0; p < partitions; p++) {
            records.add(newPartition(topicId, p, brokerIds, start, replicationFactor));
        }
        configs.forEach((key, value) ->
                records.add(new ConfigRecord(ResourceKind.TOPIC, name, key, Optional.of(value))));
        if (validateOnly) {
            ClusterImage preview = image;
            for (MetadataRecord r : records) {
                preview = preview.apply(r);
            }
            return preview.topic(name).orElseThrow();
        }
        commit(records);
        return image.topic(name).orElseThrow();
    }

    public synchronized void deleteTopic(Uuid topicId) {
        if (image.topic(topicId).isEmpty()) {
            throw new UnknownTopicOrPartitionException("Topic id " + topicId + " does not exist.");
        }
        commit(List.of(new RemoveTopicRecord(topicId)));
    }

    /** Grows a topic to {@code newCount} partitions; Kafka never shrinks a topic. */
    public synchronized void createPartitions(String name, int newCount, boolean validateOnly) {
        TopicImage topic = image.topic(name).orElseThrow(() ->
                new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
        int current = topic.partitionCount();
        if (newCount <= current) {
            throw new InvalidPartitionsException("Topic currently has " + current + " partitions, which is "
                    + (newCount == current ? "equal to" : "higher than") + " the requested " + newCount + ".");
        }
        int replicationFactor = topic.partitions().get(0).replicas().size();
        List<Integer> brokerIds = brokerIds();
        int start = Math.floorMod(name.hashCode(), brokerIds.size());
        List<MetadataRecord> records = new ArrayList<>();
        for (int p = current; p < newCount; p++) {
            records.add(newPartition(topic.topicId(), p, brokerIds, start, replicationFactor));
        }
        if (!validateOnly) {
            commit(records);
        }
    }

    /** Sets (value present) or removes (empty) config overrides of one resource, atomically. */
    public synchronized void alterConfigs(ResourceKind kind, String resourceName,
                                          Map<String, Optional<String>> changes) {
        if (kind == ResourceKind.TOPIC && image.topic(resourceName).isEmpty()) {
            throw new UnknownTopicOrPartitionException("Topic '" + resourceName + "' does not exist.");
        }
        List<MetadataRecord> records = new ArrayList<>();
        changes.forEach((key, value) -> records.add(new ConfigRecord(kind, resourceName, key, value)));
        if (!records.isEmpty()) {
            commit(records);
        }
    }

    /**
     * Reserves {@code blockSize} producer ids for a broker, durably, so no id is handed out twice even across
     * restarts (the unused rest of a block is simply skipped).
     *
     * @return the first id of the block
     */
    public synchronized long reserveProducerIds(int brokerId, int blockSize) {
        long start = image.nextProducerId();
        commit(List.of(new ProducerIdsRecord(brokerId, start + blockSize)));
        return start;
    }

    private List<Integer> brokerIds() {
        return image.brokers().keySet().stream().sorted().toList();
    }

    private static PartitionRecord newPartition(Uuid topicId, int partition, List<Integer> brokerIds, int start,
                                                int replicationFactor) {
        List<Integer> replicas = new ArrayList<>(replicationFactor);
        for (int r = 0; r < replicationFactor; r++) {
            replicas.add(brokerIds.get((start + partition + r) % brokerIds.size()));
        }
        return new PartitionRecord(topicId, partition, replicas, replicas, replicas.get(0), 0, 0);
    }

    private void commit(List<MetadataRecord> records) {
        try {
            log.append(records);
        } catch (IOException e) {
            throw new UncheckedIOException("metadata log append failed", e);
        }
        ClusterImage previous = image;
        ClusterImage next = previous;
        for (MetadataRecord record : records) {
            next = next.apply(record);
        }
        image = next;
        for (Listener listener : listeners) {
            listener.onImage(previous, next);
        }
    }

    @Override
    public void close() throws IOException {
        log.close();
    }
}
