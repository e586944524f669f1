package io.herald.broker.group.handler;

import io.herald.group.consumer.TopicsView;
import io.herald.metadata.image.ClusterImage;
import java.util.function.Supplier;
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
}
