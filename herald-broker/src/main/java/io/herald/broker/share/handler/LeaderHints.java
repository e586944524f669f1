package io.herald.broker.share.handler;

import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import java.util.Optional;
import org.apache.kafka.common.TopicIdPartition;

/**
 * KIP-951's hints for a NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH answer, as Kafka's share handlers give them:
 * the partition's current leader and epoch, and that leader's endpoint among the response's NodeEndpoints.
 */
final class LeaderHints {
    private LeaderHints() {
    }

    /** The leader the image knows, if any. */
    record Leader(int leaderId, int leaderEpoch, Optional<BrokerImage> broker) {}

    static Optional<Leader> of(ClusterImage image, TopicIdPartition tp) {
        Optional<PartitionImage> pi = image.topic(tp.topicId()).flatMap(t -> t.partition(tp.partition()));
        if (pi.isEmpty() || pi.get().leader() < 0) {
            return Optional.empty();
        }
        return Optional.of(new Leader(pi.get().leader(), pi.get().leaderEpoch(),
                Optional.ofNullable(image.brokers().get(pi.get().leader()))));
    }

    static boolean wanted(short errorCode) {
        return errorCode == org.apache.kafka.common.protocol.Errors.NOT_LEADER_OR_FOLLOWER.code()
                || errorCode == org.apache.kafka.common.protocol.Errors.FENCED_LEADER_EPOCH.code();
    }
}
