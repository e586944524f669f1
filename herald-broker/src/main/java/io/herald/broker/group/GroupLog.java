package io.herald.broker.group;

import io.herald.broker.group.modern.ConsumerGroupRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The coordinator's narrow view of {@code __consumer_offsets}: append records to a partition, replay a
 * partition from its start. Classic records ({@link GroupRecord}) and KIP-848 consumer group records
 * ({@link ConsumerGroupRecord}) share each partition; their key types are disjoint, which is how replay tells
 * them apart.
 */
public interface GroupLog {
    /** Whether the partition is hosted here and can be read and appended. */
    boolean isAvailable(int partition);

    /** Appends the records as one batch; throws the Kafka exception of a failed append. */
    void append(int partition, List<GroupRecord> records);

    /** Appends consumer group records as one batch; throws the Kafka exception of a failed append. */
    void appendConsumerGroup(int partition, List<ConsumerGroupRecord> records);

    /**
     * Completes when everything appended to the partition so far is committed: replicated to every in-sync
     * replica (the high watermark reached the log end). Fails with NOT_LEADER_OR_FOLLOWER when leadership is
     * lost first, with a timeout after {@code timeoutMs}.
     */
    CompletableFuture<Void> awaitCommitted(int partition, long timeoutMs);

    /**
     * Feeds every record of the partition, oldest first, to the consumer of its kind: classic records to
     * {@code replay}, consumer group records to {@code replayConsumerGroup}; returns how many.
     */
    long replay(int partition, Consumer<GroupRecord> replay, Consumer<ConsumerGroupRecord> replayConsumerGroup);
}
