package io.herald.group;

import io.herald.group.classic.ClassicMember;
import io.herald.group.record.GroupRecord;
import io.herald.group.classic.ClassicGroup;
import io.herald.group.classic.ClassicGroupManager;
import io.herald.group.classic.GroupState;
import io.herald.group.offsets.OffsetStore;
import io.herald.group.consumer.ConsumerGroup;
import io.herald.group.share.ShareGroup;
import io.herald.group.share.ShareGroupManager;
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
 * The group admin APIs over every group type: ListGroups (classic, consumer and share groups), DescribeGroups
 * (classic groups only, as in Kafka) and DeleteGroups (which applies and writes tombstones for the group's offsets
 * and metadata; a share group's share state is deleted before, see {@link GroupCoordinatorShard#prepareDeleteGroup}).
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class GroupAdmin {
    static final String CLASSIC_TYPE = "classic";
    /** KIP-848 groups: their type, and the protocol type ListGroups shows for them (Kafka's). */
    static final String CONSUMER_TYPE = "consumer";
    /** KIP-932 groups: their type, and the protocol type ListGroups shows for them (Kafka's). */
    static final String SHARE_TYPE = "share";

    private final ClassicGroupManager groups;
    private final ConsumerGroups consumerGroups;
    private final ShareGroupManager shareGroups;
    private final OffsetStore store;
    private final RecordSink sink;

    GroupAdmin(ClassicGroupManager groups, ConsumerGroups consumerGroups, ShareGroupManager shareGroups,
               OffsetStore store, RecordSink sink) {
        this.groups = groups;
        this.consumerGroups = consumerGroups;
        this.shareGroups = shareGroups;
        this.store = store;
        this.sink = sink;
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
        for (ConsumerGroup g : consumerGroups.groups()) {
            String state = g.state().wireName();
            if ((!states.isEmpty() && !states.contains(state.toLowerCase(Locale.ROOT)))
                    || (!types.isEmpty() && !types.contains(CONSUMER_TYPE))) {
                continue;
            }
            listed.add(new ListGroupsResponseData.ListedGroup().setGroupId(g.groupId())
                    .setProtocolType(CONSUMER_TYPE).setGroupState(state).setGroupType(CONSUMER_TYPE));
        }
        for (ShareGroup g : shareGroups.groups()) {
            String state = g.state().wireName();
            if ((!states.isEmpty() && !states.contains(state.toLowerCase(Locale.ROOT)))
                    || (!types.isEmpty() && !types.contains(SHARE_TYPE))) {
                continue;
            }
            listed.add(new ListGroupsResponseData.ListedGroup().setGroupId(g.groupId())
                    .setProtocolType(SHARE_TYPE).setGroupState(state).setGroupType(SHARE_TYPE));
        }
        return listed;
    }

    /** Describes one group; members carry metadata only when the group is Stable, as in Kafka. */
    DescribeGroupsResponseData.DescribedGroup describe(String groupId, short version) {
        Optional<ClassicGroup> found = groups.group(groupId);
        if (found.isEmpty() || found.get().isInState(GroupState.DEAD)) {
            var dead = new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId)
                    .setGroupState(GroupState.DEAD.kafkaName()).setProtocolType("").setProtocolData("");
            // Kafka describes only classic groups here (ConsumerGroupDescribe and ShareGroupDescribe are for the
            // others): a consumer or share group is "not found" like an unknown group, with its own message.
            String message = consumerGroups.exists(groupId) || shareGroups.exists(groupId)
                    ? "Group " + groupId + " is not a classic group." : "Group " + groupId + " not found.";
            // v6 (KIP-1043) reports an unknown group as an error instead of an empty Dead group.
            return version >= 6 ? dead.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                    .setErrorMessage(message) : dead.setErrorCode(Errors.NONE.code());
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
        if (consumerGroups.exists(groupId)) {
            return result.setErrorCode(deleteConsumerGroup(groupId).code());
        }
        if (shareGroups.exists(groupId)) {
            // Its share state is gone already (GroupCoordinatorShard.prepareDeleteGroup); share groups have no offsets.
            return result.setErrorCode(shareGroups.delete(groupId).code());
        }
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
        records.forEach(sink::applyAndWrite);
        return result.setErrorCode(Errors.NONE.code());
    }

    /** Deletes an empty consumer group and its offsets, in one batch. */
    private Errors deleteConsumerGroup(String groupId) {
        Errors error = consumerGroups.delete(groupId);
        if (error != Errors.NONE) {
            return error;
        }
        List.copyOf(store.offsets(groupId).keySet()).forEach(tp -> sink.applyAndWrite(
                new GroupRecord.OffsetCommit(groupId, tp.topic(), tp.partition(), Optional.empty())));
        return Errors.NONE;
    }
}
