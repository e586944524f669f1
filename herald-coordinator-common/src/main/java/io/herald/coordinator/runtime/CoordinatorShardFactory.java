package io.herald.coordinator.runtime;

/**
 * Builds the empty shard of a partition when the runtime starts loading it; the shard then sees every record of
 * the partition through {@link CoordinatorShard#replay}. A new shard is built for every load, so nothing of a
 * previous incarnation survives an unload or a reload.
 */
@FunctionalInterface
public interface CoordinatorShardFactory<S extends CoordinatorShard<R>, R> {
    S create(CoordinatorShardContext<R> context);
}
