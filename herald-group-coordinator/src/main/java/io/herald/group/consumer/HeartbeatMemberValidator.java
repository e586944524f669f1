package io.herald.group.consumer;

import static io.herald.group.consumer.HeartbeatRequestValidator.LEAVE_GROUP_STATIC_MEMBER_EPOCH;

import io.herald.group.record.ConsumerGroupRecord.CurrentAssignment;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Checks the member a ConsumerGroupHeartbeat speaks for against the group's replayed state, after
 * {@link HeartbeatRequestValidator} has checked the request alone: unknown members, static members whose
 * instance id is held by another member id, and member epochs the coordinator does not agree with. Messages
 * follow Kafka's.
 *
 * <p>The shard runs every check before it emits its first record, so a failed check leaves no trace (see
 * {@link ConsumerGroupCoordinatorShard#heartbeat}). Stateless.
 */
final class HeartbeatMemberValidator {

    private HeartbeatMemberValidator() {
    }

    static GroupCoordinatorException unknownMember(String memberId, String groupId) {
        return new GroupCoordinatorException(Errors.UNKNOWN_MEMBER_ID,
                "Member " + memberId + " is not a member of group " + groupId + ".");
    }

    /** A joining static member may take over an instance id only once its holder left with epoch -2. */
    static void throwIfInstanceIdUnreleased(String groupId, String memberId, String instanceId,
                                            ConsumerGroup.Member holder) {
        if (holder.current().memberEpoch() != LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
            throw new GroupCoordinatorException(Errors.UNRELEASED_INSTANCE_ID, "Static member " + memberId
                    + " with instance id " + instanceId + " cannot join group " + groupId
                    + ": the instance id is still held by active member " + holder.memberId() + ".");
        }
    }

    static void throwIfInstanceIdFenced(ConsumerGroup group, String memberId, String instanceId) {
        Optional<ConsumerGroup.Member> holder = group.memberByInstanceId(instanceId);
        if (holder.isEmpty()) {
            throw new GroupCoordinatorException(Errors.UNKNOWN_MEMBER_ID,
                    "Instance id " + instanceId + " is unknown in group " + group.groupId() + ".");
        }
        if (!holder.get().memberId().equals(memberId)) {
            throw new GroupCoordinatorException(Errors.FENCED_INSTANCE_ID, "Static member " + memberId
                    + " with instance id " + instanceId + " was replaced by member " + holder.get().memberId() + ".");
        }
    }

    /**
     * A heartbeat may carry the member's epoch, or its previous epoch when the response that moved
     * it on was lost, provided it owns nothing beyond what it is assigned now. Anything else means
     * the member and the coordinator disagree about what it owns: it must drop everything and rejoin.
     */
    static void throwIfEpochFenced(
            CurrentAssignment current, int requestEpoch, Optional<Map<Uuid, Set<Integer>>> ownedByClient) {
        if (requestEpoch > current.memberEpoch()) {
            throw new GroupCoordinatorException(Errors.FENCED_MEMBER_EPOCH, "Member epoch " + requestEpoch
                    + " is newer than the coordinator's " + current.memberEpoch() + "; rejoin with epoch 0.");
        }
        if (requestEpoch < current.memberEpoch()) {
            boolean lostResponse = requestEpoch == current.previousMemberEpoch()
                    && ownedByClient.map(o -> TopicPartitionSets.isSubset(o, current.assigned())).orElse(false);
            if (!lostResponse) {
                throw new GroupCoordinatorException(Errors.FENCED_MEMBER_EPOCH, "Member epoch " + requestEpoch
                        + " is older than the coordinator's " + current.memberEpoch() + "; rejoin with epoch 0.");
            }
        }
    }
}
