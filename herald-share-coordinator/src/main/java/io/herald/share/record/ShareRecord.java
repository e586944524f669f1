package io.herald.share.record;

import io.herald.coordinator.share.SharePartitionKey;
import io.herald.share.state.SharePartitionState;
import io.herald.share.state.ShareStateUpdate;
import java.util.Objects;

/**
 * A record of {@code __share_group_state}, Kafka's three kinds: the full state of a share-partition
 * ({@link Snapshot}), a delta over it ({@link Update}), or the end of it ({@link Tombstone}, a snapshot key without
 * a value). Replayed in log order they give the share-partition's state: the last snapshot, then every update
 * after it merged in.
 */
public sealed interface ShareRecord {

    SharePartitionKey key();

    /** ShareSnapshot: the whole state, written by InitializeShareGroupState and every so many writes. */
    record Snapshot(SharePartitionKey key, SharePartitionState state) implements ShareRecord {
        public Snapshot {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(state, "state");
        }
    }

    /** ShareUpdate: one write, merged into the state on replay. */
    record Update(SharePartitionKey key, ShareStateUpdate update) implements ShareRecord {
        public Update {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(update, "update");
        }
    }

    /** A null value under the snapshot key: DeleteShareGroupState, or the topic was deleted. */
    record Tombstone(SharePartitionKey key) implements ShareRecord {
        public Tombstone {
            Objects.requireNonNull(key, "key");
        }
    }
}
