package io.herald.coordinator.share;

import java.util.List;
import org.apache.kafka.common.protocol.Errors;

/**
 * ReadShareGroupState's answer for one share-partition.
 *
 * @param error       NONE; or why there is no state to use: the share coordinator's error (after the persister's
 *                    own retries of NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS), FENCED_LEADER_EPOCH when a
 *                    newer partition leader read it, or the "not initialized" answer the share coordinator gives
 *                    for a key it has never seen
 * @param stateEpoch  bumped by every initialize (AlterShareGroupOffsets); writes of an older one are fenced
 * @param startOffset the share-partition start offset: every record below it is done; -1 before initialization
 * @param batches     the in-flight records from the start offset on that are not Available with count 0
 */
public record ShareStateRead(Errors error, int stateEpoch, long startOffset, List<PersistedBatch> batches) {
    public ShareStateRead {
        batches = List.copyOf(batches);
    }
}
