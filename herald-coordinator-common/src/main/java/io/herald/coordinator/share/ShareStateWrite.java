package io.herald.coordinator.share;

import java.util.List;

/**
 * WriteShareGroupState's content for one share-partition: the leader's new start offset and the state of the
 * in-flight records it changed (the share coordinator merges them into what it holds).
 *
 * @param stateEpoch            the epoch the leader read; an older one than the coordinator's is fenced
 * @param leaderEpoch           the partition leader's epoch; an older one than the last writer's is fenced
 * @param deliveryCompleteCount records in the window that are acknowledged or archived (v1), -1 when unknown
 */
public record ShareStateWrite(int stateEpoch, int leaderEpoch, long startOffset, int deliveryCompleteCount,
                              List<PersistedBatch> batches) {
    public ShareStateWrite {
        batches = List.copyOf(batches);
    }
}
