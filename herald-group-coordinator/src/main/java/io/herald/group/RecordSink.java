package io.herald.group;

import io.herald.group.record.GroupCoordinatorRecord;

/**
 * Where an operation of a {@code __consumer_offsets} partition puts the records that describe its effect. They
 * are appended as one batch when the operation ends; if that append fails the coordinator runtime reloads the
 * partition from the log, so nothing written here can stay in memory without being in the log.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
public interface RecordSink {

    /** Replays {@code record} into the partition's state now, and writes it. State changes only this way. */
    void applyAndWrite(GroupCoordinatorRecord record);

    /**
     * Writes a record whose effect is already in memory: a KIP-848 record the consumer group shard replayed
     * while it computed, or a classic group's metadata, which snapshots the in-memory group as Kafka's classic
     * groups do (its live membership is soft state, rebuilt from the last snapshot on load).
     */
    void writeApplied(GroupCoordinatorRecord record);
}
