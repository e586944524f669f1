package io.herald.broker.share.handler;

import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import java.util.Optional;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicIdPartition;

/**
 * KIP-951's hints for a NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH answer, as Kafka's share handlers give them:
 * the partition's current leader and epoch, and that leader's endpoint on the request's listener among the
 * response's NodeEndpoints (none if it has no endpoint there, see {@link BrokerImage#node}).
 */
final class LeaderHints {
    private LeaderHints() {
    }

    /** The leader the image knows, if any, and where a client of the request's listener reaches it. */
    record Leader(int leaderId, int leaderEpoch, Optional<Node> node) {}

    static Optional<Leader> of(ClusterImage image, TopicIdPartition tp, String listener) {
        Optional<PartitionImage> pi = image.topic(tp.topicId()).flatMap(t -> t.partition(tp.partition()));
        if (pi.isEmpty() || pi.get().leader() < 0) {
            return Optional.empty();
        }
        return Optional.of(new Leader(pi.get().leader(), pi.get().leaderEpoch(),
                Optional.ofNullable(image.brokers().get(pi.get().leader())).flatMap(b -> b.node(listener))));
    }

    static boolean wanted(short errorCode) {
        return errorCode == org.apache.kafka.common.protocol.Errors.NOT_LEADER_OR_FOLLOWER.code()
                || errorCode == org.apache.kafka.common.protocol.Errors.FENCED_LEADER_EPOCH.code();
    }
}
