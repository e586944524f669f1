package io.herald.broker.share.dlq;

import io.herald.group.config.GroupConfigView;
import io.herald.group.config.ShareGroupSettings;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.storage.config.TopicConfigs;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Utils;

/**
 * Decides where a share group's dead-letter records go, from the metadata image and the group's configs, with
 * KIP-1191's rules: the group names a topic ({@code errors.deadletterqueue.topic.name}) that starts with the
 * cluster's prefix ({@code errors.deadletterqueue.topic.name.prefix}), is not internal and not the record's own
 * topic, and has {@code errors.deadletterqueue.group.enable=true}; a missing one is created when
 * {@code errors.deadletterqueue.auto.create.topics.enable} is on. Anything else makes the topic unusable: the records
 * are archived without a copy.
 *
 * <p>The partition is fixed by the source partition (a hash of its topic and index), so all copies of one
 * share-partition go to one dead-letter partition, in order: what the check for copies in doubt relies on. Growing
 * the dead-letter topic moves later copies to another partition; a check after that misses copies left in the old
 * one.
 *
 * <p>Thread-safety: thread-safe; creating a topic blocks until the metadata quorum committed it.
 */
public final class DeadLetterTopics {

    /** Creates a topic (the metadata controller's CreateTopics). */
    @FunctionalInterface
    public interface TopicCreator {
        /** @throws TopicExistsException when it raced another creation */
        void create(String name, int partitions, short replicationFactor, Map<String, String> configs);
    }

    /**
     * The cluster's rules.
     *
     * @param topicNamePrefix   {@code errors.deadletterqueue.topic.name.prefix}
     * @param autoCreateTopics  {@code errors.deadletterqueue.auto.create.topics.enable}
     * @param partitions        {@code num.partitions}, for created topics
     * @param replicationFactor {@code default.replication.factor}, for created topics
     */
    public record Settings(String topicNamePrefix, boolean autoCreateTopics, int partitions, short replicationFactor) {
        public Settings {
            Objects.requireNonNull(topicNamePrefix, "topicNamePrefix");
        }
    }

    /** Where a batch goes. */
    public sealed interface Target {
        /** Write to {@code partition}, led by broker {@code leader}. */
        record Ready(TopicPartition partition, int leader, boolean copyRecord) implements Target {}

        /** The group has no usable dead-letter topic: archive without a copy; {@code reason} says why (or is empty
         *  when the group simply has none). */
        record Unusable(Optional<String> reason) implements Target {}

        /** Not writable yet (a created topic without leaders): nothing written, try again. */
        record NotReady(String reason) implements Target {}
    }

    private final Supplier<ClusterImage> images;
    private final GroupConfigView groups;
    private final Settings settings;
    private final TopicCreator creator;
    private final Map<String, String> staticBrokerConfigs;

    public DeadLetterTopics(Supplier<ClusterImage> images, GroupConfigView groups, Settings settings,
                            TopicCreator creator, Map<String, String> staticBrokerConfigs) {
        this.images = Objects.requireNonNull(images, "images");
        this.groups = Objects.requireNonNull(groups, "groups");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.creator = Objects.requireNonNull(creator, "creator");
        this.staticBrokerConfigs = Map.copyOf(staticBrokerConfigs);
    }

    /** Where {@code groupId}'s records of {@code source} go now; may create the topic. */
    public Target resolve(String groupId, TopicIdPartition source) {
        ShareGroupSettings group = groups.share(groupId);
        if (group.deadLetterTopic().isEmpty()) {
            return new Target.Unusable(Optional.empty());
        }
        String name = group.deadLetterTopic().get();
        if (!name.startsWith(settings.topicNamePrefix())) {
            return unusable(name, "does not start with errors.deadletterqueue.topic.name.prefix '"
                    + settings.topicNamePrefix() + "'");
        }
        if (Topic.isInternal(name)) {
            return unusable(name, "is an internal topic");
        }
        if (name.equals(source.topic())) {
            return unusable(name, "is the topic the records come from");
        }
        ClusterImage image = images.get();
        Optional<TopicImage> topic = image.topic(name);
        if (topic.isEmpty()) {
            return create(name);
        }
        String enabled = TopicConfigs.resolve(TopicConfigs.ERRORS_DEADLETTERQUEUE_GROUP_ENABLE,
                topic.get().configs(), image.brokerConfigs(), staticBrokerConfigs).value();
        if (!"true".equalsIgnoreCase(enabled == null ? "" : enabled.trim())) {
            return unusable(name, "does not have " + TopicConfigs.ERRORS_DEADLETTERQUEUE_GROUP_ENABLE + "=true");
        }
        int index = partitionFor(source.topicPartition(), topic.get().partitionCount());
        Optional<PartitionImage> partition = topic.get().partition(index);
        if (partition.isEmpty() || partition.get().leader() == PartitionImage.NO_LEADER) {
            return new Target.NotReady("dead-letter partition " + name + "-" + index + " has no leader");
        }
        return new Target.Ready(new TopicPartition(name, index), partition.get().leader(),
                group.deadLetterCopyRecord());
    }

    private Target create(String name) {
        if (!settings.autoCreateTopics()) {
            return unusable(name, "does not exist and errors.deadletterqueue.auto.create.topics.enable is false");
        }
        try {
            creator.create(name, settings.partitions(), settings.replicationFactor(),
                    Map.of(TopicConfigs.ERRORS_DEADLETTERQUEUE_GROUP_ENABLE, "true"));
        } catch (TopicExistsException raced) {
            return new Target.NotReady("dead-letter topic " + name + " is being created");
        } catch (RuntimeException e) {
            return unusable(name, "does not exist and could not be created: " + e.getMessage());
        }
        return new Target.NotReady("dead-letter topic " + name + " was just created");
    }

    private static Target unusable(String name, String why) {
        return new Target.Unusable(Optional.of("dead-letter topic " + name + " " + why));
    }

    /** The dead-letter partition for the records of {@code source}, among {@code partitions}. */
    static int partitionFor(TopicPartition source, int partitions) {
        byte[] key = (source.topic() + "-" + source.partition()).getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(key)) % Math.max(1, partitions);
    }
}
