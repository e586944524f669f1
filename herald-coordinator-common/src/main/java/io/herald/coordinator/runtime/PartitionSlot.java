package io.herald.coordinator.runtime;

/**
 * One partition of a coordinator's internal topic in the {@link CoordinatorRuntime}: whether this broker leads
 * it, its lifecycle state, and the shard loaded for it.
 *
 * <p>Thread-safety: {@code leaderEpoch} is written by the leadership callbacks (any thread); {@code state} and
 * {@code loadedEpoch} are written on the runtime's loop and read from any thread; everything else is confined to
 * the loop.
 */
final class PartitionSlot<S, R> {
    final String topic;
    final int partition;
    /** The epoch this broker leads the partition at, or -1. */
    volatile int leaderEpoch = -1;
    volatile ShardState state = ShardState.UNLOADED;
    /** The leader epoch the shard was loaded at, or -1. */
    volatile int loadedEpoch = -1;
    S shard;
    ShardTimers<R> timers;
    /** Counts shard instances, so a timer of a dropped shard never fires into its successor. */
    long incarnation;
    /** The log end offset after the last append or load: what the next answer waits to see committed. */
    long lastWrittenOffset;

    PartitionSlot(String topic, int partition) {
        this.topic = topic;
        this.partition = partition;
    }

    void transitionTo(ShardState next) {
        if (!next.canTransitionFrom(state)) {
            throw new IllegalStateException(name() + ": illegal transition " + state + " -> " + next);
        }
        state = next;
    }

    String name() {
        return topic + "-" + partition;
    }
}
