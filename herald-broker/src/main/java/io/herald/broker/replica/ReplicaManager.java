package io.herald.broker.replica;

import io.herald.broker.config.TopicConfigs;
import io.herald.metadata.controller.MetadataController;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.storage.log.LogConfig;
import io.herald.storage.log.LogManager;
import io.herald.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker hosts, kept in step with the metadata image: a partition assigned to this node
 * gets a log, a deleted topic loses its logs, a config change reaches the log.
 *
 * <p>Each partition directory holds {@code partition.metadata} with its topic id (as Kafka does), so a
 * directory left by a deleted topic of the same name is recognised and removed rather than served.
 *
 * <p>Thread-safety: {@link #onImage} runs on the controller's thread (serialized); lookups are lock-free
 * reads of a concurrent map from any thread.
 */
public final class ReplicaManager implements MetadataController.Listener {
    private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);
    private static final String PARTITION_METADATA = "partition.metadata";

    private final int nodeId;
    private final LogManager logManager;
    private final Map<String, String> staticBrokerConfigs;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private final List<Consumer<TopicPartition>> appendListeners = new CopyOnWriteArrayList<>();

    public ReplicaManager(int nodeId, LogManager logManager, Map<String, String> staticBrokerConfigs) {
        this.nodeId = nodeId;
        this.logManager = logManager;
        this.staticBrokerConfigs = Map.copyOf(staticBrokerConfigs);
    }

    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    public Collection<Partition> partitions() {
        return partitions.values();
    }

    /** Told after every successful append, on the appending thread (wakes parked fetches). */
    public void addAppendListener(Consumer<TopicPartition> listener) {
        appendListeners.add(listener);
    }

    public void onAppend(TopicPartition tp) {
        for (Consumer<TopicPartition> listener : appendListeners) {
            listener.accept(tp);
        }
    }

    /** The effective storage config of a topic under the given image. */
    public LogConfig logConfig(ClusterImage image, TopicImage topic) {
        return TopicConfigs.toLogConfig(topic.configs(), image.brokerConfigs(), staticBrokerConfigs);
    }

    /** Brings hosted partitions in line with the image; at startup, also drops logs the image no longer has. */
    public synchronized void startup(ClusterImage image) {
        onImage(ClusterImage.empty(image.clusterId()), image);
        for (PartitionLog orphan : new ArrayList<>(logManager.allLogs())) {
            if (!partitions.containsKey(orphan.topicPartition())) {
                log.info("Deleting log {}: its topic no longer exists", orphan.topicPartition());
                logManager.deleteLog(orphan.topicPartition());
            }
        }
    }

    @Override
    public synchronized void onImage(ClusterImage previous, ClusterImage current) {
        for (TopicImage topic : previous.topics().values()) {
            Optional<TopicImage> now = current.topic(topic.name());
            if (now.isEmpty() || !now.get().topicId().equals(topic.topicId())) {
                removeTopic(topic);
            }
        }
        for (TopicImage topic : current.topics().values()) {
            LogConfig config = logConfig(current, topic);
            for (PartitionImage p : topic.partitions().values()) {
                if (p.replicas().contains(nodeId)) {
                    ensurePartition(topic, p, config);
                }
            }
        }
    }

    private void ensurePartition(TopicImage topic, PartitionImage image, LogConfig config) {
        TopicPartition tp = new TopicPartition(topic.name(), image.partition());
        Partition existing = partitions.get(tp);
        if (existing != null) {
            existing.updateLeadership(image.leader(), image.leaderEpoch(), image.isr());
            if (!existing.log().config().equals(config)) {
                existing.log().updateConfig(config);
            }
            return;
        }
        Optional<PartitionLog> loaded = logManager.log(tp);
        if (loaded.isPresent() && !topic.topicId().equals(readTopicId(loaded.get().dir()).orElse(topic.topicId()))) {
            log.info("Deleting log {}: it belongs to an earlier topic of the same name", tp);
            logManager.deleteLog(tp);
            loaded = Optional.empty();
        }
        PartitionLog partitionLog = loaded.orElseGet(() -> logManager.getOrCreateLog(tp, config));
        if (!partitionLog.config().equals(config)) {
            partitionLog.updateConfig(config);
        }
        writeTopicId(partitionLog.dir(), topic.topicId());
        Partition partition = new Partition(tp, topic.topicId(), partitionLog, image.leader(), image.leaderEpoch(),
                image.isr());
        partition.maybeIncrementHighWatermark();
        partitions.put(tp, partition);
    }

    private void removeTopic(TopicImage topic) {
        for (int p : topic.partitions().keySet()) {
            TopicPartition tp = new TopicPartition(topic.name(), p);
            if (partitions.remove(tp) != null) {
                logManager.deleteLog(tp);
            }
        }
        log.info("Deleted topic {} ({})", topic.name(), topic.topicId());
    }

    private static Optional<Uuid> readTopicId(Path dir) {
        Path file = dir.resolve(PARTITION_METADATA);
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("topic_id:")) {
                    return Optional.of(Uuid.fromString(line.substring("topic_id:".length()).trim()));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static void writeTopicId(Path dir, Uuid topicId) {
        Path file = dir.resolve(PARTITION_METADATA);
        try {
            if (readTopicId(dir).filter(topicId::equals).isEmpty()) {
                Path tmp = dir.resolve(PARTITION_METADATA + ".tmp");
                Files.writeString(tmp, "version: 0\ntopic_id: " + topicId + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            log.warn("Could not write {}: {}", file, e.toString());
        }
    }
}
