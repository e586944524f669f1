package io.herald.broker.coordinator;

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
 * Creates a coordinator's internal topic the first time a client needs it (FindCoordinator), as Kafka does for
 * {@code __consumer_offsets} and {@code __transaction_state}: with the configured partitions, the configured
 * replication factor capped at the number of registered brokers (Herald's rule, so a single node works with the
 * defaults), and the topic configs of the {@link Spec}.
 *
 * <p>Creation runs on the given executor, at most one attempt at a time: the request that asked answers at once
 * (COORDINATOR_NOT_AVAILABLE, which clients retry) and never waits for the controller. A failed attempt is
 * logged; the next request that needs the topic tries again.
 *
 * <p>Thread-safe.
 */
public final class InternalTopicCreator {
    private static final Logger log = LoggerFactory.getLogger(InternalTopicCreator.class);

    /**
     * One internal topic.
     *
     * @param replicationFactorConfig the config that sets {@code replicationFactor}, for log lines
     * @param configs                 its topic configs (compaction, segment size, ...)
     */
    public record Spec(String name, int partitions, int replicationFactor, String replicationFactorConfig,
                       Map<String, String> configs) {
        public Spec {
            configs = Map.copyOf(configs);
        }
    }

    /** The controller's topic creation (MetadataController#createTopic, not validate-only); may block. */
    @FunctionalInterface
    public interface TopicCreation {
        void create(String name, int partitions, int replicationFactor, Map<String, String> configs);
    }

    private final Supplier<ClusterImage> images;
    private final TopicCreation creation;
    private final Spec spec;
    private final Executor executor;
    private final AtomicBoolean creating = new AtomicBoolean();

    public InternalTopicCreator(Supplier<ClusterImage> images, TopicCreation creation, Spec spec, Executor executor) {
        this.images = images;
        this.creation = creation;
        this.spec = spec;
        this.executor = executor;
    }

    /** The name of the topic this creates. */
    public String topicName() {
        return spec.name();
    }

    /** The topic in {@code image}; when it is absent, starts creating it (unless under way) and returns empty. */
    public Optional<TopicImage> topicOrCreate(ClusterImage image) {
        Optional<TopicImage> topic = image.topic(spec.name());
        if (topic.isEmpty()) {
            maybeCreate();
        }
        return topic;
    }

    /** Starts creating the topic unless it exists or an attempt is under way; returns at once. */
    public void maybeCreate() {
        if (images.get().topic(spec.name()).isPresent() || !creating.compareAndSet(false, true)) {
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
            if (image.topic(spec.name()).isPresent()) {
                return;
            }
            int brokers = (int) image.brokers().values().stream().filter(b -> !b.fenced()).count();
            if (brokers == 0) {
                log.warn("Cannot create {} yet: no broker is registered", spec.name());
                return;
            }
            int wanted = spec.replicationFactor();
            int replicationFactor = Math.min(wanted, brokers);
            if (replicationFactor < wanted) {
                log.info("Creating {} with replication factor {} instead of {}={}: only {} broker(s) registered",
                        spec.name(), replicationFactor, spec.replicationFactorConfig(), wanted, brokers);
            }
            creation.create(spec.name(), spec.partitions(), replicationFactor, spec.configs());
            log.info("Created internal topic {} with {} partitions, replication factor {}", spec.name(),
                    spec.partitions(), replicationFactor);
        } catch (TopicExistsException raced) {
            // created concurrently (another broker's request): fine
        } catch (RuntimeException e) {
            log.warn("Creating {} failed; the next request that needs it tries again: {}", spec.name(),
                    e.toString());
        } finally {
            creating.set(false);
        }
    }
}
