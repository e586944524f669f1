package io.herald.group.share;

import io.herald.coordinator.share.SharePartitionKey;
import java.util.Objects;

/**
 * One share-partition whose state the coordinator asks the persister to initialize
 * ({@code ShareStatePersister.initialize}) once the operation that decided it is committed.
 *
 * @param topicName   the topic's name when this was decided (kept with the initialized partitions, as Kafka)
 * @param stateEpoch  the state epoch to initialize with: the group epoch of the heartbeat that decided it, or
 *                    AlterShareGroupOffsets' bumped group epoch
 * @param startOffset -1 for a new share-partition (its leader places the start by share.auto.offset.reset), else
 *                    the offset AlterShareGroupOffsets sets
 */
public record SharePartitionInit(SharePartitionKey key, String topicName, int stateEpoch, long startOffset) {
    /** Kafka's PartitionFactory.UNINITIALIZED_START_OFFSET. */
    public static final long UNINITIALIZED_START_OFFSET = -1;

    public SharePartitionInit {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(topicName, "topicName");
    }
}
