package io.herald.share.state;

import io.herald.coordinator.share.PersistedBatch;
import java.util.List;

/**
 * The value of a ShareUpdate record: one WriteShareGroupState (or a read by a new leader) as a delta over the
 * share-partition's state ({@link ShareStateStore#replay} merges it).
 *
 * @param snapshotEpoch         the epoch of the snapshot this update follows
 * @param leaderEpoch           the leader epoch to record, or -1 to keep the held one
 * @param startOffset           the new start offset, or -1 to keep the held one
 * @param deliveryCompleteCount the new delivery-complete count (replaces the held one, -1 included)
 * @param batches               the batches the write changed, merged among themselves
 */
public record ShareStateUpdate(int snapshotEpoch, int leaderEpoch, long startOffset, int deliveryCompleteCount,
                               List<PersistedBatch> batches) {
    public ShareStateUpdate {
        batches = List.copyOf(batches);
    }
}
