package io.herald.share.state;

import io.herald.coordinator.share.PersistedBatch;
import java.util.List;

/**
 * Everything the share coordinator holds for one share-partition, and the value of its ShareSnapshot record.
 *
 * @param snapshotEpoch         counts the snapshots of this share-partition since it was first initialized; the
 *                              updates written after a snapshot carry its epoch
 * @param stateEpoch            set by InitializeShareGroupState (a new share-partition, AlterShareGroupOffsets);
 *                              writes of an older one are fenced
 * @param leaderEpoch           the epoch of the share-partition leader that last read the state
 * @param startOffset           the share-partition start offset (every record below it is done); -1 when
 *                              initialized without one
 * @param deliveryCompleteCount records at or above the start offset whose delivery is complete (KIP-1226), -1
 *                              when unknown
 * @param createTimestamp       when this snapshot's state was created (ms)
 * @param writeTimestamp        when it was last written as a snapshot (ms)
 * @param batches               the in-flight records from the start offset on that are not plain Available with
 *                              delivery count 0, ascending and without overlap
 */
public record SharePartitionState(int snapshotEpoch, int stateEpoch, int leaderEpoch, long startOffset,
                                  int deliveryCompleteCount, long createTimestamp, long writeTimestamp,
                                  List<PersistedBatch> batches) {
    public SharePartitionState {
        batches = List.copyOf(batches);
    }
}
