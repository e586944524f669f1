package io.herald.share.state;

import io.herald.coordinator.share.SharePartitionKey;
import io.herald.share.record.ShareRecord;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The share-partitions of one {@code __share_group_state} partition: the replay of its records. It holds only what
 * was written; an operation reads it, computes the record its change leads to, and the runtime replays that record
 * here.
 *
 * <p>Per share-partition, beside its {@link SharePartitionState}, the store keeps what Kafka 4.3 keeps in maps of
 * their own:
 * <ul>
 *   <li>the <b>fencing leader epoch</b>: the highest leader epoch of any record replayed (a snapshot's or an
 *       update's). It never goes down, even when an InitializeShareGroupState resets the state's own leader epoch
 *       to 0, so a leader fenced once stays fenced;</li>
 *   <li>the <b>fencing state epoch</b>: the highest state epoch of any snapshot replayed;</li>
 *   <li>the <b>updates since the last snapshot</b>, which decides when the next write is a snapshot. A snapshot
 *       resets it only once it has reached the threshold (Kafka's rule: an InitializeShareGroupState between two
 *       writes does not restart the count).</li>
 * </ul>
 * A tombstone forgets all of it.
 *
 * <p>Replay does not check epochs: the log is the truth, and the checks were made when the records were written.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
public final class ShareStateStore {

    /** What is held for one share-partition. */
    private static final class Entry {
        SharePartitionState state;
        int leaderEpochFence;
        /** Absent only for a share-partition whose first record was an update (a log Kafka never writes). */
        OptionalInt stateEpochFence = OptionalInt.empty();
        /** Absent until the first update after the share-partition appeared. */
        OptionalInt updatesSinceSnapshot = OptionalInt.empty();
    }

    private final int updatesPerSnapshot;
    private final Map<SharePartitionKey, Entry> entries = new HashMap<>();

    /** @param updatesPerSnapshot {@code share.coordinator.snapshot.update.records.per.snapshot} */
    public ShareStateStore(int updatesPerSnapshot) {
        this.updatesPerSnapshot = updatesPerSnapshot;
    }

    public void replay(ShareRecord record) {
        switch (record) {
            case ShareRecord.Snapshot s -> replaySnapshot(s.key(), s.state());
            case ShareRecord.Update u -> replayUpdate(u.key(), u.update());
            case ShareRecord.Tombstone t -> entries.remove(t.key());
        }
    }

    private void replaySnapshot(SharePartitionKey key, SharePartitionState state) {
        Entry e = entries.get(key);
        if (e == null) {
            e = new Entry();
            e.leaderEpochFence = state.leaderEpoch();
            entries.put(key, e);
        }
        e.leaderEpochFence = Math.max(e.leaderEpochFence, state.leaderEpoch());
        e.stateEpochFence = OptionalInt.of(Math.max(e.stateEpochFence.orElse(state.stateEpoch()), state.stateEpoch()));
        e.state = state;
        if (e.updatesSinceSnapshot.isPresent() && e.updatesSinceSnapshot.getAsInt() >= updatesPerSnapshot) {
            e.updatesSinceSnapshot = OptionalInt.of(0);
        }
    }

    private void replayUpdate(SharePartitionKey key, ShareStateUpdate update) {
        Entry e = entries.get(key);
        if (e == null) {
            e = new Entry();
            e.leaderEpochFence = update.leaderEpoch();
            entries.put(key, e);
        }
        e.leaderEpochFence = Math.max(e.leaderEpochFence, update.leaderEpoch());
        e.state = e.state == null ? fromUpdate(update) : merged(e.state, update);
        e.updatesSinceSnapshot = OptionalInt.of(e.updatesSinceSnapshot.orElse(0) + 1);
    }

    /** The state an update leads to: its start offset and leader epoch unless -1, its count, its batches merged. */
    public static SharePartitionState merged(SharePartitionState held, ShareStateUpdate update) {
        long startOffset = update.startOffset() == -1 ? held.startOffset() : update.startOffset();
        int leaderEpoch = update.leaderEpoch() == -1 ? held.leaderEpoch() : update.leaderEpoch();
        return new SharePartitionState(held.snapshotEpoch(), held.stateEpoch(), leaderEpoch, startOffset,
                update.deliveryCompleteCount(), held.createTimestamp(), held.writeTimestamp(),
                StateBatches.combine(held.batches(), update.batches(), startOffset));
    }

    /** An update without a snapshot before it: Kafka takes it as the state, with state epoch 0 and no times. */
    private static SharePartitionState fromUpdate(ShareStateUpdate update) {
        return new SharePartitionState(update.snapshotEpoch(), 0, update.leaderEpoch(), update.startOffset(),
                update.deliveryCompleteCount(), 0, 0, update.batches());
    }

    /** The state of an initialized share-partition. */
    public Optional<SharePartitionState> state(SharePartitionKey key) {
        Entry e = entries.get(key);
        return e == null ? Optional.empty() : Optional.of(e.state);
    }

    /** The highest leader epoch replayed for the share-partition: a read or write below it is fenced. */
    public OptionalInt leaderEpochFence(SharePartitionKey key) {
        Entry e = entries.get(key);
        return e == null ? OptionalInt.empty() : OptionalInt.of(e.leaderEpochFence);
    }

    /** The highest state epoch replayed for the share-partition: a write or initialize below it is fenced. */
    public OptionalInt stateEpochFence(SharePartitionKey key) {
        Entry e = entries.get(key);
        return e == null ? OptionalInt.empty() : e.stateEpochFence;
    }

    /** Whether the next write of the share-partition is a snapshot rather than an update. */
    public boolean snapshotDue(SharePartitionKey key) {
        Entry e = entries.get(key);
        int updates = e == null ? 0 : e.updatesSinceSnapshot.orElse(0);
        return updates >= updatesPerSnapshot;
    }

    public Set<SharePartitionKey> keys() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    public int size() {
        return entries.size();
    }
}
