package io.herald.coordinator.runtime;

import io.herald.common.time.Time;

/**
 * What the runtime gives a shard: which partition it is, the leader epoch it was loaded at, the clock, and
 * timers whose tasks run as operations of this shard on the event loop.
 *
 * @param partition   the partition of the internal topic this shard owns
 * @param leaderEpoch the partition's leader epoch when this shard was loaded: the coordinator epoch that fences
 *                    an older coordinator's requests (transaction markers carry it, as in Kafka)
 * @param time        the node's clock (a manual one in tests)
 * @param timer       keyed timers of this shard, cancelled when it is unloaded
 */
public record CoordinatorShardContext<R>(int partition, int leaderEpoch, Time time, CoordinatorTimer<R> timer) {
}
