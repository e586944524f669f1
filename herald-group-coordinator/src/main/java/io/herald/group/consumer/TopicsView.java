package io.herald.group.consumer;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;

/**
 * The coordinator's narrow view of the cluster's topics: just enough to resolve subscriptions
 * into partitions. The integrator backs it with the current metadata snapshot; it must not change
 * during one call into the shard.
 */
public interface TopicsView {

    /** A topic as the assignors see it. */
    record TopicInfo(String name, Uuid id, int partitionCount) {
        public TopicInfo {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(id, "id");
            if (partitionCount < 0) {
                throw new IllegalArgumentException("partitionCount: " + partitionCount + " (expected: >= 0)");
            }
        }
    }

    Optional<TopicInfo> topic(String name);

    Optional<TopicInfo> topic(Uuid id);

    /** All topic names, for regex subscriptions. */
    Collection<String> topicNames();

    /** An immutable view over the given topics. */
    static TopicsView of(Collection<TopicInfo> topics) {
        Map<String, TopicInfo> byName = new TreeMap<>(
                topics.stream().collect(Collectors.toMap(TopicInfo::name, Function.identity())));
        Map<Uuid, TopicInfo> byId = topics.stream().collect(Collectors.toMap(TopicInfo::id, Function.identity()));
        List<String> names = List.copyOf(byName.keySet());
        return new TopicsView() {
            @Override
            public Optional<TopicInfo> topic(String name) {
                return Optional.ofNullable(byName.get(name));
            }

            @Override
            public Optional<TopicInfo> topic(Uuid id) {
                return Optional.ofNullable(byId.get(id));
            }

            @Override
            public Collection<String> topicNames() {
                return names;
            }
        };
    }
}
