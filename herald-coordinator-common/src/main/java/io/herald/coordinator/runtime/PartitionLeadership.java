package io.herald.coordinator.runtime;

/**
 * Hears which partitions of a coordinator's internal topic this broker leads. The broker calls it after a
 * partition changed role (from the thread that applies metadata); implementations only record the change and
 * queue the work.
 */
public interface PartitionLeadership {
    void onBecomeLeader(int partition, int leaderEpoch);

    void onResign(int partition, int leaderEpoch);
}
