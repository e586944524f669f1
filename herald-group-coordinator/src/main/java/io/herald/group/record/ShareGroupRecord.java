package io.herald.group.record;

import io.herald.group.consumer.TopicPartitionSets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The durable facts of a share group (KIP-932). The coordinator changes a share group only by replaying these,
 * so the same code serves live operation and loading {@code __consumer_offsets}. They are the facts Kafka 4.3
 * keeps in its {@code ShareGroup*} records, with Herald's own encoding ({@link ShareGroupRecordSerde}).
 *
 * <p>Each record is a key/value pair of a compacted log: a record replaces the previous one with the same key,
 * and the {@code …Removed}/{@link GroupDeleted} records are tombstones of their live counterpart's key. Replay
 * tolerates the orders compaction produces: a group may first be seen through any of its records.
 */
public sealed interface ShareGroupRecord extends GroupCoordinatorRecord {

    String groupId();

    /**
     * The group epoch, bumped when membership, a subscription or the subscribed topics change, and by
     * AlterShareGroupOffsets (so the state epoch it initializes with fences every earlier writer).
     *
     * @param metadataHash hash of (name, id, partition count) of every subscribed topic when the epoch was set
     */
    record GroupEpoch(String groupId, int epoch, long metadataHash) implements ShareGroupRecord {
        public GroupEpoch {
            Objects.requireNonNull(groupId, "groupId");
        }
    }

    /** Tombstone of {@link GroupEpoch}: the group no longer exists. */
    record GroupDeleted(String groupId) implements ShareGroupRecord {
        public GroupDeleted {
            Objects.requireNonNull(groupId, "groupId");
        }
    }

    /** A member's identity and subscription, as last sent in its heartbeats. */
    record MemberMetadata(String groupId, String memberId, Optional<String> rackId, String clientId,
                          String clientHost, List<String> subscribedTopicNames) implements ShareGroupRecord {
        public MemberMetadata {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
            Objects.requireNonNull(rackId, "rackId");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientHost, "clientHost");
            // A set in Kafka: order and repeats carry no meaning, so equal subscriptions give equal records.
            subscribedTopicNames = subscribedTopicNames.stream().sorted().distinct().toList();
        }
    }

    /** Tombstone of {@link MemberMetadata}: the member left or was fenced. */
    record MemberRemoved(String groupId, String memberId) implements ShareGroupRecord {
        public MemberRemoved {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
        }
    }

    /** The group epoch the current target assignment was computed for. */
    record TargetAssignmentEpoch(String groupId, int epoch) implements ShareGroupRecord {
        public TargetAssignmentEpoch {
            Objects.requireNonNull(groupId, "groupId");
        }
    }

    /** Tombstone of {@link TargetAssignmentEpoch}, written when the group is deleted. */
    record TargetAssignmentEpochRemoved(String groupId) implements ShareGroupRecord {
        public TargetAssignmentEpochRemoved {
            Objects.requireNonNull(groupId, "groupId");
        }
    }

    /** One member's target assignment; other members may share its partitions. */
    record TargetAssignmentMember(String groupId, String memberId, Map<Uuid, Set<Integer>> partitions)
            implements ShareGroupRecord {
        public TargetAssignmentMember {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
            partitions = TopicPartitionSets.normalize(partitions);
        }
    }

    /** Tombstone of {@link TargetAssignmentMember}. */
    record TargetAssignmentMemberRemoved(String groupId, String memberId) implements ShareGroupRecord {
        public TargetAssignmentMemberRemoved {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
        }
    }

    /**
     * A member's current assignment. A share member takes its target at once (nothing is revoked first: share
     * groups let several members fetch one partition), so it is always in Kafka's STABLE state.
     */
    record CurrentAssignment(String groupId, String memberId, int memberEpoch, int previousMemberEpoch,
                             Map<Uuid, Set<Integer>> assigned) implements ShareGroupRecord {
        public CurrentAssignment {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
            assigned = TopicPartitionSets.normalize(assigned);
        }
    }

    /** Tombstone of {@link CurrentAssignment}. */
    record CurrentAssignmentRemoved(String groupId, String memberId) implements ShareGroupRecord {
        public CurrentAssignmentRemoved {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
        }
    }

    /**
     * Which share-partitions of the group have state in the share coordinator (Kafka's
     * ShareGroupStatePartitionMetadata). A partition is handed to members only once initialized.
     *
     * @param initializing partitions whose InitializeShareGroupState is under way (or was, before a failover)
     * @param initialized  partitions whose state the share coordinator holds
     * @param deleting     partitions whose state is being deleted (DeleteShareGroupOffsets, DeleteGroups); kept
     *                     until the deletion is confirmed, so an interrupted deletion is retried
     */
    record StatePartitions(String groupId, Map<Uuid, TopicPartitions> initializing,
                           Map<Uuid, TopicPartitions> initialized, Map<Uuid, TopicPartitions> deleting)
            implements ShareGroupRecord {
        public StatePartitions {
            Objects.requireNonNull(groupId, "groupId");
            initializing = normalize(initializing);
            initialized = normalize(initialized);
            deleting = normalize(deleting);
        }

        private static Map<Uuid, TopicPartitions> normalize(Map<Uuid, TopicPartitions> in) {
            Map<Uuid, TopicPartitions> out = new TreeMap<>();
            in.forEach((id, tp) -> {
                if (!tp.partitions().isEmpty()) {
                    out.put(id, tp);
                }
            });
            return Collections.unmodifiableMap(out);
        }
    }

    /** Tombstone of {@link StatePartitions}, written when the group is deleted. */
    record StatePartitionsRemoved(String groupId) implements ShareGroupRecord {
        public StatePartitionsRemoved {
            Objects.requireNonNull(groupId, "groupId");
        }
    }

    /** Partitions of one topic, with the topic's name when they were recorded (for logs and admin answers). */
    record TopicPartitions(String topicName, Set<Integer> partitions) {
        public TopicPartitions {
            Objects.requireNonNull(topicName, "topicName");
            partitions = Collections.unmodifiableSet(new TreeSet<>(partitions));
        }
    }
}
