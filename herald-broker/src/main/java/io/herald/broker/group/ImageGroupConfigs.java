package io.herald.broker.group;

import io.herald.group.GroupConfig;
import io.herald.group.config.ConsumerGroupConfigView;
import io.herald.group.config.ConsumerGroupSettings;
import io.herald.group.config.EffectiveGroupConfigs;
import io.herald.group.config.GroupConfigView;
import io.herald.group.config.ShareGroupSettings;
import io.herald.metadata.image.ClusterImage;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Every group's effective configs from the metadata image: its dynamic group configs (IncrementalAlterConfigs on a
 * GROUP resource) over the broker's group configs, as {@link EffectiveGroupConfigs} computes them. The share-partition
 * leaders read it as their {@link GroupConfigView}, the consumer group coordinator as its
 * {@link ConsumerGroupConfigView}; a change is seen by the first call after this node applied it.
 *
 * <p>Cost of a call: one image read, an identity check and a map lookup. A group's settings are computed once for
 * each version of the image's group configs, which changes only with a group config record (other records keep its
 * instance), and a group without configs gets the broker defaults, computed once.
 *
 * <p>Thread-safe: the cache is replaced as a whole when the group configs change; two threads that see the change
 * at once may both compute a group's settings, which are equal.
 */
public final class ImageGroupConfigs implements GroupConfigView, ConsumerGroupConfigView {
    private final Supplier<ClusterImage> image;
    private final GroupConfig broker;
    private final ShareGroupSettings shareDefaults;
    private final ConsumerGroupSettings consumerDefaults;
    private volatile Cache cache = new Cache(Map.of());

    /**
     * @param image  the current metadata image (the broker's {@code MetadataPublisher::image})
     * @param broker the broker's group configs, whose {@code group.share.*} / {@code group.consumer.*} values a
     *               group without its own falls back to
     */
    public ImageGroupConfigs(Supplier<ClusterImage> image, GroupConfig broker) {
        this.image = Objects.requireNonNull(image, "image");
        this.broker = Objects.requireNonNull(broker, "broker");
        this.shareDefaults = EffectiveGroupConfigs.share("", Map.of(), broker);
        this.consumerDefaults = EffectiveGroupConfigs.consumer("", Map.of(), broker);
    }

    @Override
    public ShareGroupSettings share(String groupId) {
        Cache c = current();
        Map<String, String> configs = c.groupConfigs().get(groupId);
        return configs == null ? shareDefaults
                : c.share().computeIfAbsent(groupId, id -> EffectiveGroupConfigs.share(id, configs, broker));
    }

    @Override
    public ConsumerGroupSettings consumer(String groupId) {
        Cache c = current();
        Map<String, String> configs = c.groupConfigs().get(groupId);
        return configs == null ? consumerDefaults
                : c.consumer().computeIfAbsent(groupId, id -> EffectiveGroupConfigs.consumer(id, configs, broker));
    }

    private Cache current() {
        Map<String, Map<String, String>> groupConfigs = image.get().groupConfigs();
        Cache c = cache;
        if (c.groupConfigs() != groupConfigs) {
            c = new Cache(groupConfigs);
            cache = c;
        }
        return c;
    }

    /** The settings computed so far from one version of the image's group configs. */
    private record Cache(Map<String, Map<String, String>> groupConfigs,
                         ConcurrentHashMap<String, ShareGroupSettings> share,
                         ConcurrentHashMap<String, ConsumerGroupSettings> consumer) {
        Cache(Map<String, Map<String, String>> groupConfigs) {
            this(groupConfigs, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        }
    }
}
