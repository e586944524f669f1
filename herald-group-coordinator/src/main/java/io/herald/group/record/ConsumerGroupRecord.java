package io.herald.group.record;

import io.herald.group.consumer.MemberState;
import io.herald.group.consumer.TopicPartitionSets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * The durable facts of a KIP-848 consumer group. The coordinator changes a group's state only by
 * replaying these, so the same code serves live operation and loading {@code __consumer_offsets}.
 *
 * <p>Each record is a key/value pair for a compacted log ({@link #key()}, {@link #value()}; the
 * layout is in {@link ConsumerGroupRecordSerde}). A record replaces the previous record with the
 * same key; the {@code …Removed}/{@link GroupDeleted} records are tombstones (null value) for the
 * key of their live counterpart, so compaction eventually drops a deleted member or group.
 *
 * <p>Replay tolerates the orders compaction produces: a member's assignment may be replayed
 * before its metadata, and a group may be first seen through any of its records.
 */
public sealed interface ConsumerGroupRecord extends GroupCoordinatorRecord {

    String groupId();

    /** The compaction key: identifies what a later record replaces. */
    default byte[] key() {
        return ConsumerGroupRecordSerde.key(this);
    }

    /** The value, or null for a tombstone. */
    default byte[] value() {
        return ConsumerGroupRecordSerde.value(this);
    }

    /**
     * The group epoch, bumped when membership, subscriptions or subscribed topics change.
     *
     * @param metadataHash hash of (name, id, partition count) of every subscribed topic when the
     *     epoch was set; a heartbeat that sees a different hash bumps the epoch
     */
    record GroupEpoch(String groupId, int epoch, long metadataHash) implements ConsumerGroupRecord {
        public GroupEpoch {
            Objects.requireNonNull(groupId, "groupId");
        }
    }

    /** Tombstone of {@link GroupEpoch}: the group no longer exists. */
    record GroupDeleted(String groupId) implements ConsumerGroupRecord {
        public GroupDeleted {
            Objects.requireNonNull(groupId, "groupId");
        }
    }

    /** A member's subscription and identity, as last sent in its heartbeats. */
    record MemberMetadata(
            String groupId,
            String memberId,
            Optional<String> instanceId,
            Optional<String> rackId,
            String clientId,
            String clientHost,
            List<String> subscribedTopicNames,
            Optional<String> subscribedTopicRegex,
            Optional<String> serverAssignor,
            int rebalanceTimeoutMs) implements ConsumerGroupRecord {
        public MemberMetadata {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
            Objects.requireNonNull(instanceId, "instanceId");
            Objects.requireNonNull(rackId, "rackId");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientHost, "clientHost");
            subscribedTopicNames = subscribedTopicNames.stream().sorted().distinct().toList();
            Objects.requireNonNull(subscribedTopicRegex, "subscribedTopicRegex");
            Objects.requireNonNull(serverAssignor, "serverAssignor");
        }
    }

    /** Tombstone of {@link MemberMetadata}: the member left the group. */
    record MemberRemoved(String groupId, String memberId) implements ConsumerGroupRecord {
        public MemberRemoved {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
        }
    }

    /** The group epoch the current target assignment was computed for. */
    record TargetAssignmentEpoch(String groupId, int epoch) implements ConsumerGroupRecord {
        public TargetAssignmentEpoch {
            Objects.requireNonNull(groupId, "groupId");
        }
    }

    /** Tombstone of {@link TargetAssignmentEpoch}, written when the group is deleted. */
    record TargetAssignmentEpochRemoved(String groupId) implements ConsumerGroupRecord {
        public TargetAssignmentEpochRemoved {
            Objects.requireNonNull(groupId, "groupId");
        }
    }

    /** One member's target assignment. */
    record TargetAssignmentMember(String groupId, String memberId, Map<Uuid, Set<Integer>> partitions)
            implements ConsumerGroupRecord {
        public TargetAssignmentMember {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
            partitions = TopicPartitionSets.normalize(partitions);
        }
    }

    /** Tombstone of {@link TargetAssignmentMember}. */
    record TargetAssignmentMemberRemoved(String groupId, String memberId) implements ConsumerGroupRecord {
        public TargetAssignmentMemberRemoved {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
        }
    }

    /**
     * A member's current assignment: what it may consume now ({@code assigned}) and what it must
     * give up ({@code partitionsPendingRevocation}). Both count as owned by the member: no other
     * member is given them until a later record of this member drops them.
     *
     * @param memberEpoch the member's epoch; -2 while a static member is away
     */
    record CurrentAssignment(
            String groupId,
            String memberId,
            int memberEpoch,
            int previousMemberEpoch,
            MemberState state,
            Map<Uuid, Set<Integer>> assigned,
            Map<Uuid, Set<Integer>> partitionsPendingRevocation) implements ConsumerGroupRecord {
        public CurrentAssignment {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
            Objects.requireNonNull(state, "state");
            assigned = TopicPartitionSets.normalize(assigned);
            partitionsPendingRevocation = TopicPartitionSets.normalize(partitionsPendingRevocation);
        }

        /** Everything the member holds: assigned plus pending revocation. */
        public Map<Uuid, Set<Integer>> owned() {
            return TopicPartitionSets.union(assigned, partitionsPendingRevocation);
        }
    }

    /** Tombstone of {@link CurrentAssignment}: the member owns nothing any more. */
    record CurrentAssignmentRemoved(String groupId, String memberId) implements ConsumerGroupRecord {
        public CurrentAssignmentRemoved {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
        }
    }
}
