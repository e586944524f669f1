package io.herald.group.share;

import io.herald.group.consumer.TopicPartitionSets;
import io.herald.group.record.ShareGroupRecord;
import io.herald.group.record.ShareGroupRecord.CurrentAssignment;
import io.herald.group.record.ShareGroupRecord.CurrentAssignmentRemoved;
import io.herald.group.record.ShareGroupRecord.GroupDeleted;
import io.herald.group.record.ShareGroupRecord.GroupEpoch;
import io.herald.group.record.ShareGroupRecord.MemberMetadata;
import io.herald.group.record.ShareGroupRecord.MemberRemoved;
import io.herald.group.record.ShareGroupRecord.StatePartitions;
import io.herald.group.record.ShareGroupRecord.StatePartitionsRemoved;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentEpoch;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentEpochRemoved;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentMember;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentMemberRemoved;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * The replayed state of one share group: its epochs, its members (metadata, target and current assignment) and
 * which of its share-partitions have state in the share coordinator ({@link #statePartitions}).
 *
 * <p>Mutated only by {@link #replay}; everything else reads. Unlike a consumer group's, a share group's members
 * may hold the same partition: the records carry no exclusive ownership and replay checks none.
 *
 * <p>Soft state: {@link #initializingSinceMs} is the time the last {@link StatePartitions} record was replayed,
 * as in Kafka (it stamps its initializing topics at replay). A partition initializing for longer than the retry
 * interval is initialized again by the next heartbeat, which is how an initialization lost in a failover is
 * retried.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
public final class ShareGroup {

    /** Kafka's share group states, as ShareGroupDescribe and ListGroups name them. */
    public enum State {
        EMPTY("Empty"), STABLE("Stable");

        private final String wireName;

        State(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /** One member; its three parts come from three record keys and may be replayed in any order. */
    public static final class Member {
        private final String groupId;
        private final String memberId;
        private MemberMetadata metadata;
        private Map<Uuid, Set<Integer>> target = TopicPartitionSets.EMPTY;
        private CurrentAssignment current;

        private Member(String groupId, String memberId) {
            this.groupId = groupId;
            this.memberId = memberId;
        }

        public String memberId() {
            return memberId;
        }

        /** The member's metadata; a member that has none yet (a compacted log mid-replay) subscribes to nothing. */
        public MemberMetadata metadata() {
            return metadata != null ? metadata
                    : new MemberMetadata(groupId, memberId, Optional.empty(), "", "", List.of());
        }

        public Map<Uuid, Set<Integer>> target() {
            return target;
        }

        /** The current assignment; a member that has none yet is at epoch 0 (previous -1), as Kafka's new member. */
        public CurrentAssignment current() {
            return current != null ? current
                    : new CurrentAssignment(groupId, memberId, 0, -1, TopicPartitionSets.EMPTY);
        }
    }

    private final String groupId;
    private int groupEpoch;
    private long metadataHash;
    private int assignmentEpoch;
    private final NavigableMap<String, Member> members = new TreeMap<>();
    private StatePartitions statePartitions;
    private boolean hasStatePartitions;
    private long initializingSinceMs;

    ShareGroup(String groupId) {
        this.groupId = groupId;
        this.statePartitions = new StatePartitions(groupId, Map.of(), Map.of(), Map.of());
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

    public State state() {
        return members.isEmpty() ? State.EMPTY : State.STABLE;
    }

    /** The share-partitions initialized, initializing and being deleted (empty maps when none were recorded). */
    public StatePartitions statePartitions() {
        return statePartitions;
    }

    /**
     * Whether a {@link StatePartitions} record is live for the group (Kafka keeps no entry otherwise, which some
     * admin answers show: DeleteShareGroupOffsets of such a group answers nothing per topic).
     */
    public boolean hasStatePartitions() {
        return hasStatePartitions;
    }

    /** When the initializing partitions were last stamped (soft state, see the class comment). */
    long initializingSinceMs() {
        return initializingSinceMs;
    }

    /** The initialized share-partitions, by topic id. */
    public Map<Uuid, Set<Integer>> initializedPartitions() {
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        statePartitions.initialized().forEach((id, tp) -> out.put(id, tp.partitions()));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Applies one record of this group at {@code nowMs} (which stamps initializing partitions).
     * {@link GroupDeleted} is handled by the group's owner.
     */
    void replay(ShareGroupRecord record, long nowMs) {
        switch (record) {
            case GroupEpoch r -> {
                groupEpoch = r.epoch();
                metadataHash = r.metadataHash();
            }
            case GroupDeleted r -> throw new IllegalStateException("group deletion is replayed by the group's owner");
            case TargetAssignmentEpoch r -> assignmentEpoch = r.epoch();
            case TargetAssignmentEpochRemoved r -> assignmentEpoch = 0;
            case MemberMetadata r -> memberOf(r.memberId()).metadata = r;
            case MemberRemoved r -> members.remove(r.memberId());
            case TargetAssignmentMember r -> memberOf(r.memberId()).target = r.partitions();
            case TargetAssignmentMemberRemoved r -> {
                Member m = members.get(r.memberId());
                if (m != null) {
                    m.target = TopicPartitionSets.EMPTY;
                }
            }
            case CurrentAssignment r -> memberOf(r.memberId()).current = r;
            case CurrentAssignmentRemoved r -> {
                Member m = members.get(r.memberId());
                if (m != null) {
                    m.current = null;
                }
            }
            case StatePartitions r -> {
                statePartitions = r;
                hasStatePartitions = true;
                initializingSinceMs = nowMs;
            }
            case StatePartitionsRemoved r -> {
                statePartitions = new StatePartitions(groupId, Map.of(), Map.of(), Map.of());
                hasStatePartitions = false;
            }
        }
    }

    private Member memberOf(String memberId) {
        return members.computeIfAbsent(memberId, id -> new Member(groupId, id));
    }
}
