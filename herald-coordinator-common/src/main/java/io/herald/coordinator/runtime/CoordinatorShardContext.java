package io.herald.coordinator.runtime;

import io.herald.common.time.Time;

/**
 * What the runtime gives a shard: which partition it is, the clock, and timers whose tasks run as operations
 * of this shard on the event loop.
 *
 * @param partition the partition of the internal topic this shard owns
 * @param time      the node's clock (a manual one in tests)
 * @param timer     keyed timers of this shard, cancelled when it is unloaded
 */
public record CoordinatorShardContext<R>(int partition, Time time, CoordinatorTimer<R> timer) {
}
