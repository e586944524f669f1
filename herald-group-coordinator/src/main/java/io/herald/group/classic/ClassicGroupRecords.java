package io.herald.group.classic;

import io.herald.group.record.GroupRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Converts between a classic group and its {@link GroupRecord.GroupMetadata} record, Kafka's snapshot of a
 * completed generation: members, protocol, leader and each member's assignment. Only the selected protocol's
 * metadata is kept per member, so a group rebuilt from a record has exactly one protocol per member, and
 * in-flight state (parked requests, pending members, the rebalance in progress) is not in the record at all.
 *
 * <p>Stateless.
 */
final class ClassicGroupRecords {

    private ClassicGroupRecords() {
    }

    /**
     * The metadata record of {@code group} as it is now, with the assignments {@code assignmentOf} gives:
     * the leader's SyncGroup writes the assignment before the members hold it.
     */
    static GroupRecord.GroupMetadata metadataRecord(ClassicGroup group, Function<ClassicMember, byte[]> assignmentOf) {
        GroupRecord.GroupMetadataValue current = group.toRecordValue();
        List<GroupRecord.MemberValue> members = new ArrayList<>();
        for (GroupRecord.MemberValue mv : current.members()) {
            members.add(new GroupRecord.MemberValue(mv.memberId(), mv.groupInstanceId(), mv.clientId(),
                    mv.clientHost(), mv.rebalanceTimeoutMs(), mv.sessionTimeoutMs(), mv.subscription(),
                    assignmentOf.apply(group.member(mv.memberId()))));
        }
        return new GroupRecord.GroupMetadata(group.groupId(), Optional.of(new GroupRecord.GroupMetadataValue(
                current.protocolType(), current.generation(), current.protocolName(), current.leader(),
                current.currentStateTimestamp(), members)));
    }

    /** The group a (non-tombstone) metadata record describes: Stable with its members, or Empty without. */
    static ClassicGroup groupFrom(String groupId, GroupRecord.GroupMetadataValue v) {
        ClassicGroup group = new ClassicGroup(groupId, v.currentStateTimestamp());
        for (GroupRecord.MemberValue mv : v.members()) {
            ClassicMember m = new ClassicMember(mv.memberId(), Optional.ofNullable(mv.groupInstanceId()),
                    mv.clientId(), mv.clientHost(), mv.rebalanceTimeoutMs(), mv.sessionTimeoutMs(),
                    v.protocolName() == null ? List.of()
                            : List.of(new ClassicMember.Protocol(v.protocolName(), mv.subscription())));
            m.setAssignment(mv.assignment());
            group.add(m);
        }
        group.restore(v.members().isEmpty() ? GroupState.EMPTY : GroupState.STABLE, v.protocolType(),
                v.generation(), v.protocolName(), v.leader(), v.currentStateTimestamp());
        return group;
    }
}
