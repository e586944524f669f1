package io.herald.group.consumer;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A consumer that follows the KIP-848 client rules: joins with epoch 0, heartbeats with the epoch
 * it was given and the partitions it owns, takes newly assigned partitions at once, gives up
 * revoked ones (optionally only after some heartbeats, like a slow onPartitionsRevoked), and on
 * FENCED_MEMBER_EPOCH / UNKNOWN_MEMBER_ID drops everything and rejoins.
 */
final class SimulatedConsumer {

    final String memberId;
    final String[] topics;
    int epoch;
    Map<Uuid, Set<Integer>> owned = TopicPartitionSets.EMPTY;
    Map<Uuid, Set<Integer>> assignment = TopicPartitionSets.EMPTY;
    /** Heartbeats to wait before releasing revoked partitions. */
    int revocationDelay;
    int rebalanceTimeoutMs = 30_000;
    /** group.instance.id of a static member, or null. */
    String instanceId;
    private int revocationWaited;

    SimulatedConsumer(String memberId, String... topics) {
        this.memberId = memberId;
        this.topics = topics;
    }

    ConsumerGroupHeartbeatRequestData nextRequest() {
        if (epoch == 0) {
            return ShardHarness.join(memberId, topics).setRebalanceTimeoutMs(rebalanceTimeoutMs).setInstanceId(instanceId);
        }
        return ShardHarness.beat(memberId, epoch, owned).setInstanceId(instanceId);
    }

    ConsumerGroupHeartbeatRequestData leaveRequest() {
        return new ConsumerGroupHeartbeatRequestData()
                .setGroupId(ShardHarness.GROUP).setMemberId(memberId).setMemberEpoch(-1).setInstanceId(instanceId);
    }

    /** A static member shutting down to be replaced by a new process with the same instance id. */
    ConsumerGroupHeartbeatRequestData staticLeaveRequest() {
        return new ConsumerGroupHeartbeatRequestData()
                .setGroupId(ShardHarness.GROUP).setMemberId(memberId).setMemberEpoch(-2).setInstanceId(instanceId);
    }

    /** Sends one heartbeat and applies the response; returns the error, if any. */
    Optional<Errors> heartbeat(ShardHarness harness) {
        ConsumerGroupHeartbeatResponseData response = harness.heartbeat(nextRequest());
        Errors error = Errors.forCode(response.errorCode());
        if (error == Errors.FENCED_MEMBER_EPOCH || error == Errors.UNKNOWN_MEMBER_ID) {
            loseEverything();
            return Optional.of(error);
        }
        if (error != Errors.NONE) {
            return Optional.of(error);
        }
        epoch = response.memberEpoch();
        if (response.assignment() != null) {
            assignment = ShardHarness.fromResponse(response.assignment());
        }
        // New partitions are usable at once: the coordinator only sends released ones.
        Map<Uuid, Set<Integer>> revoked = TopicPartitionSets.minus(owned, assignment);
        if (!revoked.isEmpty() && revocationWaited < revocationDelay) {
            revocationWaited++;
            owned = TopicPartitionSets.union(TopicPartitionSets.intersect(owned, assignment), revoked);
            owned = TopicPartitionSets.union(owned, assignment);
        } else {
            revocationWaited = 0;
            owned = assignment;
        }
        return Optional.empty();
    }

    void loseEverything() {
        owned = TopicPartitionSets.EMPTY;
        assignment = TopicPartitionSets.EMPTY;
        epoch = 0;
        revocationWaited = 0;
    }
}
