package io.herald.broker.share;

import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import java.util.Optional;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Finds the log of a partition this broker leads, for a new share-partition. */
@FunctionalInterface
public interface ShareLogs {

    /** A led partition's log and the leader epoch its share-partition state is read and written with. */
    record LeaderLog(ShareLog log, int leaderEpoch) {}

    /**
     * @throws NotLeaderOrFollowerException     the partition is not hosted here, or is led elsewhere
     * @throws UnknownTopicOrPartitionException the hosted partition is an earlier topic's of the same name
     */
    LeaderLog leaderLog(TopicIdPartition partition);

    /** The hosted partitions of {@code replicas}. */
    static ShareLogs of(ReplicaManager replicas) {
        return tp -> {
            Optional<Partition> hosted = replicas.partition(tp.topicPartition());
            if (hosted.isEmpty()) {
                // Kafka's answer for a partition the metadata has but this broker does not host.
                throw new NotLeaderOrFollowerException("Partition " + tp + " is not hosted on this broker");
            }
            if (!hosted.get().topicId().equals(tp.topicId())) {
                throw new UnknownTopicOrPartitionException("Partition " + tp + " is an earlier topic's here");
            }
            Partition p = hosted.get();
            if (!p.isLeader()) {
                throw new NotLeaderOrFollowerException("This broker does not lead " + tp.topicPartition());
            }
            return new LeaderLog(new PartitionShareLog(p), p.leaderEpoch());
        };
    }
}
