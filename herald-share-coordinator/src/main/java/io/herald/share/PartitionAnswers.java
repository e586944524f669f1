package io.herald.share;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import org.apache.kafka.common.Uuid;

/**
 * The answers of one ShareGroupState request, one per share-partition, grouped back into the request's topics. The
 * request's order is kept; a partition named twice in a topic answers once, with its last operation (Kafka's
 * behaviour: both run, the later answer wins).
 *
 * <p>Not thread-safe: filled by the caller's thread, then read once every answer is in.
 *
 * @param <P> the partition result message
 */
final class PartitionAnswers<P> {
    private final Map<Uuid, Map<Integer, CompletableFuture<P>>> byTopic = new LinkedHashMap<>();

    /** @param answer completes normally: failures are already partition results */
    void add(Uuid topicId, int partition, CompletableFuture<P> answer) {
        byTopic.computeIfAbsent(topicId, t -> new LinkedHashMap<>()).put(partition, answer);
    }

    /** Once every partition answered: one topic result per topic, built by {@code topicResult}. */
    <T> CompletableFuture<List<T>> collect(BiFunction<Uuid, List<P>, T> topicResult) {
        CompletableFuture<?>[] all = byTopic.values().stream().flatMap(m -> m.values().stream())
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(all).thenApply(done -> {
            List<T> topics = new ArrayList<>(byTopic.size());
            byTopic.forEach((topicId, partitions) -> topics.add(topicResult.apply(topicId,
                    partitions.values().stream().map(CompletableFuture::join).toList())));
            return topics;
        });
    }
}
