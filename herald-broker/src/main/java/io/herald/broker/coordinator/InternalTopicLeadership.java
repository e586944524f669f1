package io.herald.broker.coordinator;

import io.herald.broker.replica.LeadershipListener;
import io.herald.coordinator.runtime.PartitionLeadership;
import org.apache.kafka.common.TopicPartition;

/**
 * Passes the leadership changes of one internal topic's partitions to its coordinator; other topics are ignored.
 * Runs on the thread that applies metadata; the coordinator only records the change and queues its work.
 */
public record InternalTopicLeadership(String topic, PartitionLeadership coordinator) implements LeadershipListener {

    @Override
    public void onBecomeLeader(TopicPartition tp, int leaderEpoch) {
        if (tp.topic().equals(topic)) {
            coordinator.onBecomeLeader(tp.partition(), leaderEpoch);
        }
    }

    @Override
    public void onResign(TopicPartition tp, int leaderEpoch) {
        if (tp.topic().equals(topic)) {
            coordinator.onResign(tp.partition(), leaderEpoch);
        }
    }
}
