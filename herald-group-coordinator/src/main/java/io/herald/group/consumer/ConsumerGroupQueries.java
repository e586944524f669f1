package io.herald.group.consumer;

import io.herald.group.record.ConsumerGroupRecord.CurrentAssignment;
import io.herald.group.record.ConsumerGroupRecord.MemberMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.Errors;

/**
 * The read-only requests over the consumer groups of a partition: ConsumerGroupDescribe, and the member
 * checks of OffsetCommit and OffsetFetch (the offsets themselves are the integrator's). Answers come from
 * the replayed state as it is; nothing here emits a record or changes a group.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop (it reads the shard's groups, which only the
 * shard changes).
 */
final class ConsumerGroupQueries {

    private final Map<String, ConsumerGroup> groups;
    private final Predicate<String> classicGroupExists;
    private final TargetAssignmentBuilder targetAssignment;

    /** @param groups a read-only view of the shard's groups, by id */
    ConsumerGroupQueries(
            Map<String, ConsumerGroup> groups, Predicate<String> classicGroupExists,
            TargetAssignmentBuilder targetAssignment) {
        this.groups = groups;
        this.classicGroupExists = classicGroupExists;
        this.targetAssignment = targetAssignment;
    }

    /** One group of a ConsumerGroupDescribe response; GROUP_ID_NOT_FOUND for classic and unknown groups. */
    DescribedGroup describe(String groupId, TopicsView topics) {
        DescribedGroup described = new DescribedGroup().setGroupId(groupId);
        ConsumerGroup group = groups.get(groupId);
        if (classicGroupExists.test(groupId)) {
            return described.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                    .setErrorMessage("Group " + groupId + " is not a consumer group.");
        }
        if (group == null) {
            return described.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                    .setErrorMessage("Group " + groupId + " not found.");
        }
        described.setGroupState(group.state().wireName())
                .setGroupEpoch(group.groupEpoch())
                .setAssignmentEpoch(group.assignmentEpoch())
                .setAssignorName(targetAssignment.preferredAssignor(group));
        for (ConsumerGroup.Member m : group.members().values()) {
            if (m.metadata().isEmpty()) {
                continue;
            }
            MemberMetadata md = m.metadata().get();
            CurrentAssignment c = m.current();
            described.members().add(new ConsumerGroupDescribeResponseData.Member()
                    .setMemberId(m.memberId())
                    .setInstanceId(md.instanceId().orElse(null))
                    .setRackId(md.rackId().orElse(null))
                    .setMemberEpoch(c.memberEpoch())
                    .setClientId(md.clientId())
                    .setClientHost(md.clientHost())
                    .setSubscribedTopicNames(new ArrayList<>(md.subscribedTopicNames()))
                    .setSubscribedTopicRegex(md.subscribedTopicRegex().orElse(null))
                    .setAssignment(toDescribeAssignment(c.assigned(), topics))
                    .setTargetAssignment(toDescribeAssignment(m.target(), topics))
                    .setMemberType((byte) 1));
        }
        return described;
    }

    private static ConsumerGroupDescribeResponseData.Assignment toDescribeAssignment(
            Map<Uuid, Set<Integer>> partitions, TopicsView topics) {
        List<ConsumerGroupDescribeResponseData.TopicPartitions> out = new ArrayList<>();
        partitions.forEach((topicId, ps) -> topics.topic(topicId).ifPresent(t ->
                out.add(new ConsumerGroupDescribeResponseData.TopicPartitions()
                        .setTopicId(topicId)
                        .setTopicName(t.name())
                        .setPartitions(new ArrayList<>(ps)))));
        return new ConsumerGroupDescribeResponseData.Assignment().setTopicPartitions(out);
    }

    /** See {@link ConsumerGroupCoordinatorShard#validateOffsetCommit}. */
    Errors validateOffsetCommit(String groupId, String memberId, int memberEpoch) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (memberEpoch < 0 && (memberId == null || memberId.isEmpty())) {
            return group.members().isEmpty() ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
        }
        return validateMemberEpoch(group, memberId, memberEpoch);
    }

    /** See {@link ConsumerGroupCoordinatorShard#validateOffsetFetch}. */
    Errors validateOffsetFetch(String groupId, String memberId, int memberEpoch) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (memberEpoch < 0) {
            return Errors.NONE;
        }
        return validateMemberEpoch(group, memberId, memberEpoch);
    }

    private static Errors validateMemberEpoch(ConsumerGroup group, String memberId, int memberEpoch) {
        Optional<ConsumerGroup.Member> member = group.member(memberId == null ? "" : memberId);
        if (member.isEmpty()) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return member.get().current().memberEpoch() == memberEpoch ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
    }
}
