package io.herald.group.consumer;

import io.herald.group.record.ConsumerGroupRecord;
import io.herald.group.record.ConsumerGroupRecord.CurrentAssignment;
import io.herald.group.record.ConsumerGroupRecord.CurrentAssignmentRemoved;
import io.herald.group.record.ConsumerGroupRecord.GroupDeleted;
import io.herald.group.record.ConsumerGroupRecord.GroupEpoch;
import io.herald.group.record.ConsumerGroupRecord.MemberMetadata;
import io.herald.group.record.ConsumerGroupRecord.MemberRemoved;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentEpoch;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentEpochRemoved;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentMember;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentMemberRemoved;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * The replayed state of one consumer group: epochs, members (metadata, target and current
 * assignment) and the index of which member owns each partition.
 *
 * <p>Mutated only by {@link #replay}; everything else reads. Invariant (checked by the
 * simulation tests, kept by the reconciliation rules): no partition is in the current assignment
 * (assigned or pending revocation) of two members. Not thread-safe: confined to the coordinator
 * shard's thread.
 */
public final class ConsumerGroup {

    /** Kafka's group states, as ConsumerGroupDescribe and ListGroups print them. */
    public enum State {
        EMPTY("Empty"), ASSIGNING("Assigning"), RECONCILING("Reconciling"), STABLE("Stable");

        private final String wireName;

        State(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /** One member; the three parts come from three record keys and may be replayed in any order. */
    public static final class Member {
        private final String groupId;
        private final String memberId;
        private MemberMetadata metadata;
        private Map<Uuid, Set<Integer>> target = TopicPartitionSets.EMPTY;
        private CurrentAssignment current;

        Member(String groupId, String memberId) {
            this.groupId = groupId;
            this.memberId = memberId;
        }

        public String memberId() {
            return memberId;
        }

        /** Empty only transiently while loading a compacted log. */
        public Optional<MemberMetadata> metadata() {
            return Optional.ofNullable(metadata);
        }

        /** Whether a current assignment was replayed for the member. */
        public boolean hasCurrent() {
            return current != null;
        }

        public Map<Uuid, Set<Integer>> target() {
            return target;
        }

        /** The current assignment; a member that has none yet is at epoch 0 owning nothing. */
        public CurrentAssignment current() {
            return current != null
                    ? current
                    : new CurrentAssignment(groupId, memberId, 0, -1, MemberState.STABLE,
                            TopicPartitionSets.EMPTY, TopicPartitionSets.EMPTY);
        }
    }

    record PartitionKey(Uuid topicId, int partition) {
    }

    private final String groupId;
    private int groupEpoch;
    private long metadataHash;
    private int assignmentEpoch;
    private final NavigableMap<String, Member> members = new TreeMap<>();
    private final Map<String, String> memberIdByInstanceId = new HashMap<>();
    private final Map<PartitionKey, String> ownerByPartition = new HashMap<>();

    ConsumerGroup(String groupId) {
        this.groupId = groupId;
    }

    public String groupId() {
        return groupId;
    }

    public int groupEpoch() {
        return groupEpoch;
    }

    public long metadataHash() {
        return metadataHash;
    }

    public int assignmentEpoch() {
        return assignmentEpoch;
    }

    public NavigableMap<String, Member> members() {
        return Collections.unmodifiableNavigableMap(members);
    }

    public Optional<Member> member(String memberId) {
        return Optional.ofNullable(members.get(memberId));
    }

    public Optional<Member> memberByInstanceId(String instanceId) {
        return Optional.ofNullable(memberIdByInstanceId.get(instanceId)).map(members::get);
    }

    /** The member that owns (assigned or pending revocation) the partition, if any. */
    public Optional<String> owner(Uuid topicId, int partition) {
        return Optional.ofNullable(ownerByPartition.get(new PartitionKey(topicId, partition)));
    }

    public State state() {
        if (members.isEmpty()) {
            return State.EMPTY;
        }
        if (groupEpoch > assignmentEpoch) {
            return State.ASSIGNING;
        }
        for (Member m : members.values()) {
            CurrentAssignment c = m.current();
            if (c.state() != MemberState.STABLE || c.memberEpoch() != assignmentEpoch) {
                return State.RECONCILING;
            }
        }
        return State.STABLE;
    }

    /** Applies one record of this group. {@link GroupDeleted} is handled by the shard. */
    void replay(ConsumerGroupRecord record) {
        switch (record) {
            case GroupEpoch r -> {
                groupEpoch = r.epoch();
                metadataHash = r.metadataHash();
            }
            case GroupDeleted r -> throw new IllegalStateException("group deletion is replayed by the shard");
            case TargetAssignmentEpoch r -> assignmentEpoch = r.epoch();
            case TargetAssignmentEpochRemoved r -> assignmentEpoch = 0;
            case MemberMetadata r -> {
                Member m = members.computeIfAbsent(r.memberId(), id -> new Member(groupId, id));
                if (m.metadata != null) {
                    m.metadata.instanceId().ifPresent(id -> memberIdByInstanceId.remove(id, r.memberId()));
                }
                m.metadata = r;
                r.instanceId().ifPresent(id -> memberIdByInstanceId.put(id, r.memberId()));
            }
            case MemberRemoved r -> {
                Member m = members.remove(r.memberId());
                if (m != null) {
                    release(m);
                    if (m.metadata != null) {
                        m.metadata.instanceId().ifPresent(id -> memberIdByInstanceId.remove(id, r.memberId()));
                    }
                }
            }
            case TargetAssignmentMember r -> members.computeIfAbsent(r.memberId(), id -> new Member(groupId, id)).target = r.partitions();
            case TargetAssignmentMemberRemoved r -> {
                Member m = members.get(r.memberId());
                if (m != null) {
                    m.target = TopicPartitionSets.EMPTY;
                }
            }
            case CurrentAssignment r -> {
                Member m = members.computeIfAbsent(r.memberId(), id -> new Member(groupId, id));
                release(m);
                m.current = r;
                claim(m);
            }
            case CurrentAssignmentRemoved r -> {
                Member m = members.get(r.memberId());
                if (m != null) {
                    release(m);
                    m.current = null;
                }
            }
        }
    }

    private void release(Member m) {
        if (m.current == null) {
            return;
        }
        m.current.owned().forEach((topic, partitions) -> {
            for (int p : partitions) {
                ownerByPartition.remove(new PartitionKey(topic, p), m.memberId);
            }
        });
    }

    private void claim(Member m) {
        // A later record wins: after compaction of a log written by a correct coordinator the
        // latest records never overlap, so an overwrite here only happens on a corrupt log.
        m.current.owned().forEach((topic, partitions) -> {
            for (int p : partitions) {
                ownerByPartition.put(new PartitionKey(topic, p), m.memberId);
            }
        });
    }
}
