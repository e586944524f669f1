package io.herald.broker.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The group admin APIs: ListGroups, DescribeGroups and DeleteGroups (which writes tombstones for the group's
 * offsets and metadata, then replays them).
 *
 * <p>Not thread-safe: confined to the coordinator thread.
 */
final class GroupAdmin {
    /** The only group type served so far (KIP-848 consumer groups and share groups will add theirs). */
    static final String CLASSIC_TYPE = "classic";

    private final ClassicGroupManager groups;
    private final OffsetStore store;
    private final GroupRecordWriter writer;

    GroupAdmin(ClassicGroupManager groups, OffsetStore store, GroupRecordWriter writer) {
        this.groups = groups;
        this.store = store;
        this.writer = writer;
    }

    /**
     * @param statesFilter case-insensitive state names; empty means all
     * @param typesFilter  case-insensitive group types; empty means all
     */
    List<ListGroupsResponseData.ListedGroup> list(List<String> statesFilter, List<String> typesFilter) {
        Set<String> states = statesFilter.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        Set<String> types = typesFilter.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        List<ListGroupsResponseData.ListedGroup> listed = new ArrayList<>();
        for (ClassicGroup g : groups.groups()) {
            String state = g.state().kafkaName();
            if (g.isInState(GroupState.DEAD)
                    || (!states.isEmpty() && !states.contains(state.toLowerCase(Locale.ROOT)))
                    || (!types.isEmpty() && !types.contains(CLASSIC_TYPE))) {
                continue;
            }
            listed.add(new ListGroupsResponseData.ListedGroup().setGroupId(g.groupId())
                    .setProtocolType(g.protocolType().orElse("")).setGroupState(state).setGroupType(CLASSIC_TYPE));
        }
        return listed;
    }

    /** Describes one group; members carry metadata only when the group is Stable, as in Kafka. */
    DescribeGroupsResponseData.DescribedGroup describe(String groupId, short version) {
        Optional<ClassicGroup> found = groups.group(groupId);
        if (found.isEmpty() || found.get().isInState(GroupState.DEAD)) {
            var dead = new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId)
                    .setGroupState(GroupState.DEAD.kafkaName()).setProtocolType("").setProtocolData("");
            // v6 (KIP-1043) reports an unknown group as an error instead of an empty Dead group.
            return version >= 6 ? dead.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                    .setErrorMessage("Group " + groupId + " not found.") : dead.setErrorCode(Errors.NONE.code());
        }
        ClassicGroup g = found.get();
        boolean stable = g.isInState(GroupState.STABLE);
        var described = new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId)
                .setErrorCode(Errors.NONE.code()).setGroupState(g.state().kafkaName())
                .setProtocolType(g.protocolType().orElse(""))
                .setProtocolData(stable ? g.protocolName().orElse("") : "");
        for (ClassicMember m : g.members()) {
            described.members().add(new DescribeGroupsResponseData.DescribedGroupMember()
                    .setMemberId(m.memberId()).setGroupInstanceId(m.groupInstanceId().orElse(null))
                    .setClientId(m.clientId()).setClientHost(m.clientHost())
                    .setMemberMetadata(stable ? g.protocolName().flatMap(m::metadata).orElse(new byte[0]) : new byte[0])
                    .setMemberAssignment(stable ? m.assignment() : new byte[0]));
        }
        return described;
    }

    DeleteGroupsResponseData.DeletableGroupResult delete(String groupId) {
        var result = new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(groupId);
        Optional<ClassicGroup> found = groups.group(groupId);
        if (found.isEmpty() || found.get().isInState(GroupState.DEAD)) {
            return result.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
        }
        if (!found.get().isInState(GroupState.EMPTY)) {
            return result.setErrorCode(Errors.NON_EMPTY_GROUP.code());
        }
        List<GroupRecord> records = new ArrayList<>();
        store.offsets(groupId).keySet().forEach(tp -> records.add(
                new GroupRecord.OffsetCommit(groupId, tp.topic(), tp.partition(), Optional.empty())));
        records.add(new GroupRecord.GroupMetadata(groupId, Optional.empty()));
        try {
            writer.append(groupId, List.copyOf(records));
        } catch (RuntimeException e) {
            return result.setErrorCode(Errors.forException(e).code());
        }
        for (GroupRecord r : records) {
            switch (r) {
                case GroupRecord.OffsetCommit oc -> store.replay(oc);
                case GroupRecord.GroupMetadata gm -> groups.replay(gm);
            }
        }
        return result.setErrorCode(Errors.NONE.code());
    }
}
