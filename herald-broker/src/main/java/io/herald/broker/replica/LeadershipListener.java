package io.herald.broker.replica;

import org.apache.kafka.common.TopicPartition;

/** Told when this broker becomes leader of a partition or stops leading it (follower, or removed). Called on
 *  the metadata apply thread, after the Partition's role has changed; must not block. */
public interface LeadershipListener {
    void onBecomeLeader(TopicPartition tp, int leaderEpoch);
    void onResign(TopicPartition tp, int leaderEpoch);
}
