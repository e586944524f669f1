package io.herald.broker.share;

import io.herald.broker.replica.LeadershipListener;
import io.herald.coordinator.share.SharePartitionKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share-partitions this broker serves, one per (group, topic partition) it leads (Kafka's
 * {@code SharePartitionManager} and {@code SharePartitionCache}). A share-partition is created on its first fetch
 * and loads its state then; it is dropped when this broker stops leading the partition (it listens to the replica
 * manager's leadership changes), when it failed to load, or when its state was fenced by a newer leader or state
 * epoch, so that the next fetch loads it afresh.
 *
 * <p>Thread-safety: thread-safe; the share-partitions are in a concurrent map, and each is thread-safe itself.
 */
public final class SharePartitionManager implements LeadershipListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharePartitionManager.class);

    /** Told when a share-partition may have something new for a parked fetch. Must not block. */
    @FunctionalInterface
    public interface ChangeListener {
        void onChange(String groupId, TopicIdPartition partition);
    }

    private final ShareLogs logs;
    private final SharePartition.Context context;
    private final ChangeListener changes;
    private final Map<SharePartitionKey, SharePartition> partitions = new ConcurrentHashMap<>();

    private final Listener listener = new Listener();

    /** @param changes told when a share-partition may have something new for a parked fetch */
    public SharePartitionManager(ShareLogs logs, SharePartition.Context context, ChangeListener changes) {
        this.logs = logs;
        this.changes = changes;
        this.context = context;
    }

    private final class Listener implements SharePartition.Listener {
        @Override
        public void onChange(SharePartition partition) {
            changes.onChange(partition.groupId(), partition.partition());
        }

        @Override
        public void onFenced(SharePartition partition, ApiException cause) {
            drop(partition);
        }
    }

    /**
     * The share-partition of {@code groupId} on {@code partition}, created (not yet loaded) if this broker leads the
     * partition.
     *
     * @throws UnknownTopicOrPartitionException, NotLeaderOrFollowerException
     */
    public SharePartition getOrCreate(String groupId, TopicIdPartition partition) {
        SharePartitionKey key = key(groupId, partition);
        SharePartition existing = partitions.get(key);
        if (existing != null) {
            return existing;
        }
        ShareLogs.LeaderLog leader = logs.leaderLog(partition);
        return partitions.computeIfAbsent(key,
                k -> new SharePartition(k, partition, leader.leaderEpoch(), leader.log(), context, listener));
    }

    public Optional<SharePartition> get(String groupId, TopicIdPartition partition) {
        return Optional.ofNullable(partitions.get(key(groupId, partition)));
    }

    public Collection<SharePartition> partitions() {
        return partitions.values();
    }

    /**
     * Applies a member's acknowledgements per partition (Kafka's SharePartitionManager.acknowledge): a partition
     * with no share-partition here is UNKNOWN_TOPIC_OR_PARTITION; a fenced one is dropped and its error returned.
     *
     * @return each partition's outcome, empty when acknowledged and written
     */
    public CompletableFuture<Map<TopicIdPartition, Optional<ApiException>>> acknowledge(
            String groupId, String memberId, Map<TopicIdPartition, List<AcknowledgementBatch>> batches) {
        Map<TopicIdPartition, CompletableFuture<Optional<ApiException>>> futures = new LinkedHashMap<>();
        batches.forEach((tp, list) -> {
            Optional<SharePartition> sp = get(groupId, tp);
            if (sp.isEmpty()) {
                futures.put(tp, CompletableFuture.completedFuture(Optional.of(
                        new UnknownTopicOrPartitionException("No share-partition for " + tp + " here"))));
                return;
            }
            futures.put(tp, outcome(sp.get(), sp.get().acknowledge(memberId, list)));
        });
        return all(futures);
    }

    /**
     * A member's share session ended: its acquired records on {@code partitions} become available again (Kafka's
     * releaseSession).
     */
    public CompletableFuture<Map<TopicIdPartition, Optional<ApiException>>> release(
            String groupId, String memberId, Collection<TopicIdPartition> partitions) {
        Map<TopicIdPartition, CompletableFuture<Optional<ApiException>>> futures = new LinkedHashMap<>();
        for (TopicIdPartition tp : partitions) {
            Optional<SharePartition> sp = get(groupId, tp);
            if (sp.isEmpty()) {
                futures.put(tp, CompletableFuture.completedFuture(Optional.of(
                        new UnknownTopicOrPartitionException("No share-partition for " + tp + " here"))));
                continue;
            }
            futures.put(tp, outcome(sp.get(), sp.get().releaseAcquiredRecords(memberId)));
        }
        return all(futures);
    }

    private CompletableFuture<Optional<ApiException>> outcome(SharePartition sp, CompletableFuture<Void> change) {
        return change.handle((v, failure) -> {
            if (failure == null) {
                return Optional.empty();
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            ApiException error = cause instanceof ApiException api ? api
                    : new UnknownServerException("Acknowledging failed", cause);
            // Kafka's fencedSharePartitionHandler: the state here can no longer be trusted, load it afresh.
            if (error instanceof NotLeaderOrFollowerException || error instanceof GroupIdNotFoundException
                    || error instanceof UnknownTopicOrPartitionException
                    || Errors.forException(error) == Errors.FENCED_STATE_EPOCH) {
                drop(sp);
            }
            return Optional.of(error);
        });
    }

    private static <K, V> CompletableFuture<Map<K, V>> all(Map<K, CompletableFuture<V>> futures) {
        return CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<K, V> out = new LinkedHashMap<>();
            futures.forEach((k, f) -> out.put(k, f.join()));
            return out;
        });
    }

    /** The group has no member left (its last share session ended): its share-partitions go. */
    public void removeGroup(String groupId) {
        for (SharePartition sp : new ArrayList<>(partitions.values())) {
            if (sp.groupId().equals(groupId)) {
                drop(sp);
            }
        }
    }

    private void drop(SharePartition sp) {
        if (partitions.remove(sp.key(), sp)) {
            log.debug("Dropping share-partition {} {}", sp.groupId(), sp.partition());
        }
        sp.fence();
        changes.onChange(sp.groupId(), sp.partition()); // parked fetches answer for it now
    }

    @Override
    public void onBecomeLeader(TopicPartition tp, int leaderEpoch) {
        // Share-partitions are created on first use; nothing to do until then.
    }

    @Override
    public void onResign(TopicPartition tp, int leaderEpoch) {
        for (SharePartition sp : new ArrayList<>(partitions.values())) {
            if (sp.partition().topicPartition().equals(tp)) {
                log.info("Share-partition {} {} moves with the leadership of {}", sp.groupId(), sp.partition(), tp);
                drop(sp);
            }
        }
    }

    /** Fences every share-partition (shutdown); their pending writes fail. */
    @Override
    public void close() {
        for (SharePartition sp : new ArrayList<>(partitions.values())) {
            drop(sp);
        }
    }

    private static SharePartitionKey key(String groupId, TopicIdPartition tp) {
        return new SharePartitionKey(groupId, tp.topicId(), tp.partition());
    }
}
