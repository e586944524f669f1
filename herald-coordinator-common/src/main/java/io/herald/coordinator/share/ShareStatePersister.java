package io.herald.coordinator.share;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;

/**
 * Persists share-partition state (Kafka's {@code Persister}). Each call answers once the share coordinator has the
 * change on every in-sync replica of its {@code __share_group_state} partition, or with the error that stopped it.
 * Implementations find the key's coordinator and retry NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE and
 * COORDINATOR_LOAD_IN_PROGRESS themselves for a bounded time; other errors reach the caller. Futures never fail
 * exceptionally: the error is in the answer.
 *
 * <p>Thread-safety: implementations are thread-safe; futures may complete on any thread.
 */
public interface ShareStatePersister {

    /**
     * Sets a share-partition's state afresh (a new share-partition, or AlterShareGroupOffsets): start offset
     * {@code startOffset}, nothing in flight, state epoch {@code stateEpoch} (which fences writes of older epochs).
     */
    CompletableFuture<Errors> initialize(SharePartitionKey key, int stateEpoch, long startOffset);

    /** The state a new share-partition leader starts from; records its leader epoch, fencing older writers. */
    CompletableFuture<ShareStateRead> read(SharePartitionKey key, int leaderEpoch);

    /** A leader's change: FENCED_STATE_EPOCH or FENCED_LEADER_EPOCH when a newer epoch owns the state. */
    CompletableFuture<Errors> write(SharePartitionKey key, ShareStateWrite write);

    /** The start offset and progress, for DescribeShareGroupOffsets; no fencing. */
    CompletableFuture<ShareStateSummary> readSummary(SharePartitionKey key, int leaderEpoch);

    /** Forgets the share-partition (DeleteShareGroupOffsets, DeleteGroups). */
    CompletableFuture<Errors> delete(SharePartitionKey key);
}
