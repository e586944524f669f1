package io.herald.broker.group;

import io.herald.group.GroupConfig;
import io.herald.group.OffsetsTopic;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.TopicImage;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates {@code __consumer_offsets} the first time a group needs it, as Kafka does: with
 * {@code offsets.topic.num.partitions} partitions, a replication factor of {@code offsets.topic.replication.factor}
 * capped at the number of registered brokers, compaction, and {@code offsets.topic.segment.bytes}.
 *
 * <p>Creation runs on the given executor, at most one attempt at a time: the request that asked answers at once
 * (COORDINATOR_NOT_AVAILABLE, which clients retry) and never waits for the controller. A failed attempt is
 * logged; the next request that needs the topic tries again.
 *
 * <p>Thread-safe.
 */
public final class OffsetsTopicCreator {
    private static final Logger log = LoggerFactory.getLogger(OffsetsTopicCreator.class);

    /** The controller's topic creation (MetadataController#createTopic, not validate-only); may block. */
    @FunctionalInterface
    public interface TopicCreation {
        void create(String name, int partitions, int replicationFactor, Map<String, String> configs);
    }

    private final Supplier<ClusterImage> images;
    private final TopicCreation creation;
    private final GroupConfig config;
    private final Executor executor;
    private final AtomicBoolean creating = new AtomicBoolean();

    public OffsetsTopicCreator(Supplier<ClusterImage> images, TopicCreation creation, GroupConfig config,
                               Executor executor) {
        this.images = images;
        this.creation = creation;
        this.config = config;
        this.executor = executor;
    }

    /** The topic in {@code image}; when it is absent, starts creating it (unless under way) and returns empty. */
    public Optional<TopicImage> topicOrCreate(ClusterImage image) {
        Optional<TopicImage> topic = image.topic(OffsetsTopic.NAME);
        if (topic.isEmpty()) {
            maybeCreate();
        }
        return topic;
    }

    /** Starts creating the topic unless it exists or an attempt is under way; returns at once. */
    public void maybeCreate() {
        if (images.get().topic(OffsetsTopic.NAME).isPresent() || !creating.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::create);
        } catch (RejectedExecutionException e) {
            creating.set(false); // shutting down
        }
    }

    /** Whether an attempt is under way. */
    public boolean isCreating() {
        return creating.get();
    }

    private void create() {
        try {
            ClusterImage image = images.get();
            if (image.topic(OffsetsTopic.NAME).isPresent()) {
                return;
            }
            int brokers = (int) image.brokers().values().stream().filter(b -> !b.fenced()).count();
            if (brokers == 0) {
                log.warn("Cannot create {} yet: no broker is registered", OffsetsTopic.NAME);
                return;
            }
            int wanted = config.offsetsTopicReplicationFactor();
            int replicationFactor = Math.min(wanted, brokers);
            if (replicationFactor < wanted) {
                log.info("Creating {} with replication factor {} instead of offsets.topic.replication.factor={}: "
                        + "only {} broker(s) registered", OffsetsTopic.NAME, replicationFactor, wanted, brokers);
            }
            creation.create(OffsetsTopic.NAME, config.offsetsTopicPartitions(), replicationFactor,
                    Map.of("cleanup.policy", "compact",
                            "segment.bytes", Integer.toString(config.offsetsTopicSegmentBytes())));
            log.info("Created internal topic {} with {} partitions, replication factor {}", OffsetsTopic.NAME,
                    config.offsetsTopicPartitions(), replicationFactor);
        } catch (TopicExistsException raced) {
            // created concurrently (another broker's request): fine
        } catch (RuntimeException e) {
            log.warn("Creating {} failed; the next request that needs it tries again: {}", OffsetsTopic.NAME,
                    e.toString());
        } finally {
            creating.set(false);
        }
    }
}
