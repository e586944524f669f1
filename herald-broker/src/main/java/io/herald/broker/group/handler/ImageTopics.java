package io.herald.broker.group.handler;

import io.herald.group.consumer.TopicsView;
import io.herald.metadata.image.ClusterImage;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;

/**
 * The consumer group coordinator's {@link TopicsView} of the current metadata image: topic names, ids and
 * partition counts, without internal topics (a regex never matches them, a name subscription to one resolves to
 * nothing). The view of the latest image is kept, so a burst of heartbeats builds it once.
 *
 * <p>Thread-safe.
 */
final class ImageTopics {
    private record Cached(ClusterImage image, TopicsView view) {}

    private final Supplier<ClusterImage> images;
    private volatile Cached cached;

    ImageTopics(Supplier<ClusterImage> images) {
        this.images = images;
    }

    TopicsView current() {
        ClusterImage image = images.get();
        Cached c = cached;
        if (c != null && c.image() == image) {
            return c.view();
        }
        TopicsView view = TopicsView.of(image.topics().values().stream()
                .filter(t -> !Topic.isInternal(t.name()))
                .map(t -> new TopicsView.TopicInfo(t.name(), t.topicId(), t.partitionCount()))
                .toList());
        cached = new Cached(image, view);
        return view;
    }

    /**
     * {@code view}, with regex subscriptions resolving only to the topics {@code describable} accepts: Kafka resolves
     * a consumer group's regexes with the DESCRIBE ACLs of the member whose heartbeat triggered the refresh
     * ({@code GroupMetadataManager.refreshRegularExpressions}); Herald resolves them on every heartbeat, so with the
     * heartbeating member's. Topics named explicitly still resolve, whoever asks: KafkaApis checks those names
     * itself, and other members' names are theirs. The names are filtered on first use, once, since most
     * heartbeats resolve no regex.
     *
     * <p>Not thread-safe: for one call into the coordinator, as the view itself.
     */
    static TopicsView regexVisible(TopicsView view, Predicate<String> describable) {
        return new TopicsView() {
            private List<String> names;

            @Override
            public Optional<TopicInfo> topic(String name) {
                return view.topic(name);
            }

            @Override
            public Optional<TopicInfo> topic(Uuid id) {
                return view.topic(id);
            }

            @Override
            public Collection<String> topicNames() {
                if (names == null) {
                    names = view.topicNames().stream().filter(describable).toList();
                }
                return names;
            }
        };
    }
}
