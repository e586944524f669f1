package io.herald.group.share;

import io.herald.coordinator.share.SharePartitionKey;
import io.herald.group.consumer.TopicsView;
import io.herald.group.record.ShareGroupRecord.GroupDeleted;
import io.herald.group.record.ShareGroupRecord.GroupEpoch;
import io.herald.group.record.ShareGroupRecord.StatePartitions;
import io.herald.group.record.ShareGroupRecord.StatePartitionsRemoved;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentEpochRemoved;
import io.herald.group.record.ShareGroupRecord.TopicPartitions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The admin side of share groups, as Kafka 4.3.1 answers it: ShareGroupDescribe, the first and last steps of
 * DeleteGroups, and the coordinator's part of AlterShareGroupOffsets and DeleteShareGroupOffsets (both only for
 * an empty group). The persister calls between the steps are the coordinator's ({@code ShareGroupService}); this
 * class decides and writes the records.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class ShareGroupAdmin {

    private final ShareGroupStore store;
    private final ShareGroupMembership membership;

    ShareGroupAdmin(ShareGroupStore store, ShareGroupMembership membership) {
        this.store = store;
        this.membership = membership;
    }

    /** One group of a ShareGroupDescribe: GROUP_ID_NOT_FOUND for unknown groups and groups of another type. */
    ShareGroupDescribeResponseData.DescribedGroup describe(String groupId, TopicsView topics) {
        ShareGroupDescribeResponseData.DescribedGroup described =
                new ShareGroupDescribeResponseData.DescribedGroup().setGroupId(groupId);
        ShareGroup group;
        try {
            group = membership.shareGroup(groupId);
        } catch (ShareGroupException e) {
            return described.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
        }
        described.setGroupState(group.state().wireName()).setGroupEpoch(group.groupEpoch())
                .setAssignmentEpoch(group.assignmentEpoch()).setAssignorName(SimpleAssignor.NAME);
        for (ShareGroup.Member m : group.members().values()) {
            List<ShareGroupDescribeResponseData.TopicPartitions> assigned = new ArrayList<>();
            m.current().assigned().forEach((topicId, partitions) -> topics.topic(topicId).ifPresent(t ->
                    assigned.add(new ShareGroupDescribeResponseData.TopicPartitions().setTopicId(topicId)
                            .setTopicName(t.name()).setPartitions(new ArrayList<>(partitions)))));
            described.members().add(new ShareGroupDescribeResponseData.Member()
                    .setMemberId(m.memberId())
                    .setRackId(m.metadata().rackId().orElse(null))
                    .setMemberEpoch(m.current().memberEpoch())
                    .setClientId(m.metadata().clientId())
                    .setClientHost(m.metadata().clientHost())
                    .setSubscribedTopicNames(new ArrayList<>(m.metadata().subscribedTopicNames()))
                    .setAssignment(new ShareGroupDescribeResponseData.Assignment().setTopicPartitions(assigned)));
        }
        return described;
    }

    // ---- DeleteGroups ----

    /**
     * Kafka's sharePartitionDeleteRequests: an empty group's initialized, initializing and earlier deleting
     * share-partitions all move to deleting, and are the state the persister deletes before {@link #delete}.
     */
    ShareGroupDeletion prepareDelete(ShareGroup group) {
        if (!group.members().isEmpty()) {
            return new ShareGroupDeletion(Errors.NON_EMPTY_GROUP, List.of());
        }
        if (!group.hasStatePartitions()) {
            return new ShareGroupDeletion(Errors.NONE, List.of());
        }
        StatePartitions next = ShareStatePartitions.allDeleting(group.statePartitions());
        store.write(next);
        return new ShareGroupDeletion(Errors.NONE, keys(group.groupId(), next.deleting()));
    }

    /** The group's tombstones (Kafka's ShareGroup.createGroupTombstoneRecords); NON_EMPTY_GROUP if a member came. */
    Errors delete(ShareGroup group) {
        if (!group.members().isEmpty()) {
            return Errors.NON_EMPTY_GROUP;
        }
        String groupId = group.groupId();
        store.write(new TargetAssignmentEpochRemoved(groupId));
        store.write(new StatePartitionsRemoved(groupId));
        store.write(new GroupDeleted(groupId));
        return Errors.NONE;
    }

    // ---- AlterShareGroupOffsets ----

    /**
     * Kafka's alterShareGroupOffsets: creates the group if it does not exist, refuses a group with members
     * (NON_EMPTY_GROUP), answers UNKNOWN_TOPIC_OR_PARTITION for unknown topics and partitions, and marks the others
     * initializing. Unlike Kafka (which initializes with the current group epoch), the group epoch is bumped first
     * and is the state epoch: it exceeds every state epoch the group initialized with before, so the share
     * coordinator fences any writer of the old state.
     */
    ShareOffsetsAlteration alter(AlterShareGroupOffsetsRequestData req, TopicsView topics) {
        String groupId = req.groupId();
        Optional<ShareGroup> existing;
        try {
            existing = membership.existingOrNew(groupId, true);
        } catch (ShareGroupException e) {
            return new ShareOffsetsAlteration(alterError(e.error(), e.getMessage()), List.of());
        }
        if (existing.isPresent() && !existing.get().members().isEmpty()) {
            return new ShareOffsetsAlteration(alterError(Errors.NON_EMPTY_GROUP, Errors.NON_EMPTY_GROUP.message()),
                    List.of());
        }
        var responses = new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopicCollection();
        Map<Uuid, TopicPartitions> initializing = new TreeMap<>();
        Map<Uuid, Map<Integer, Long>> startOffsets = new TreeMap<>();
        for (AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic topic : req.topics()) {
            Optional<TopicsView.TopicInfo> info = topics.topic(topic.topicName());
            var response = new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic()
                    .setTopicName(topic.topicName());
            info.ifPresent(t -> response.setTopicId(t.id()));
            Set<Integer> valid = new TreeSet<>();
            for (var p : topic.partitions()) {
                var pr = new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition()
                        .setPartitionIndex(p.partitionIndex());
                if (info.isPresent() && p.partitionIndex() >= 0 && p.partitionIndex() < info.get().partitionCount()) {
                    valid.add(p.partitionIndex());
                    startOffsets.computeIfAbsent(info.get().id(), k -> new TreeMap<>())
                            .put(p.partitionIndex(), p.startOffset());
                    pr.setErrorCode(Errors.NONE.code());
                } else {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage(Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
                }
                response.partitions().add(pr);
            }
            if (info.isPresent() && !valid.isEmpty()) {
                initializing.put(info.get().id(), new TopicPartitions(topic.topicName(), valid));
            }
            responses.add(response);
        }
        List<SharePartitionInit> initializations = new ArrayList<>();
        if (!initializing.isEmpty()) {
            int stateEpoch = existing.map(ShareGroup::groupEpoch).orElse(0) + 1;
            store.write(new GroupEpoch(groupId, stateEpoch, existing.map(ShareGroup::metadataHash).orElse(0L)));
            ShareGroup group = store.group(groupId).orElseThrow();
            store.write(ShareStatePartitions.withInitializing(group.statePartitions(), initializing));
            startOffsets.forEach((topicId, offsets) -> offsets.forEach((p, offset) -> initializations.add(
                    new SharePartitionInit(new SharePartitionKey(groupId, topicId, p),
                            initializing.get(topicId).topicName(), stateEpoch, offset))));
        }
        return new ShareOffsetsAlteration(new AlterShareGroupOffsetsResponseData().setResponses(responses),
                initializations);
    }

    private static AlterShareGroupOffsetsResponseData alterError(Errors error, String message) {
        return new AlterShareGroupOffsetsResponseData().setErrorCode(error.code()).setErrorMessage(message);
    }

    // ---- DeleteShareGroupOffsets ----

    /**
     * Kafka's initiateDeleteShareGroupOffsets: only for an empty share group; a topic's initialized
     * share-partitions (or those left deleting by an earlier attempt) move to deleting and are the state to
     * delete; other topics get UNKNOWN_TOPIC_OR_PARTITION.
     */
    ShareOffsetsDeletion prepareDeleteOffsets(DeleteShareGroupOffsetsRequestData req, TopicsView topics) {
        String groupId = req.groupId();
        ShareGroup group;
        try {
            group = membership.shareGroup(groupId);
        } catch (ShareGroupException e) {
            return ShareOffsetsDeletion.failed(deleteError(e.error(), e.getMessage()));
        }
        if (!group.members().isEmpty()) {
            return ShareOffsetsDeletion.failed(deleteError(Errors.NON_EMPTY_GROUP, Errors.NON_EMPTY_GROUP.message()));
        }
        if (!group.hasStatePartitions()) {
            // Kafka: no state metadata, nothing to delete and no answer per topic.
            return new ShareOffsetsDeletion(Optional.empty(), Map.of(), List.of());
        }
        StatePartitions current = group.statePartitions();
        Map<Uuid, ShareOffsetsDeletion.Topic> toDelete = new TreeMap<>();
        List<DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic> errors = new ArrayList<>();
        Set<Uuid> moving = new TreeSet<>();
        for (DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic topic : req.topics()) {
            Optional<TopicsView.TopicInfo> info = topics.topic(topic.topicName());
            if (info.isEmpty()) {
                errors.add(deleteTopicError(topic.topicName(), Errors.UNKNOWN_TOPIC_OR_PARTITION.message()));
                continue;
            }
            Uuid id = info.get().id();
            TopicPartitions tp = current.initialized().containsKey(id) ? current.initialized().get(id)
                    : current.deleting().get(id);
            if (tp == null) {
                errors.add(deleteTopicError(topic.topicName(), "There is no offset information to delete."));
                continue;
            }
            if (current.initialized().containsKey(id)) {
                moving.add(id);
            }
            List<SharePartitionKey> keys = new ArrayList<>();
            tp.partitions().forEach(p -> keys.add(new SharePartitionKey(groupId, id, p)));
            toDelete.put(id, new ShareOffsetsDeletion.Topic(topic.topicName(), keys));
        }
        if (!moving.isEmpty()) {
            store.write(ShareStatePartitions.topicsDeleting(current, moving));
        }
        return new ShareOffsetsDeletion(Optional.empty(), toDelete, errors);
    }

    /** Kafka's completeDeleteShareGroupOffsets: the persister deleted these topics' state; they leave deleting. */
    void completeDeleteOffsets(String groupId, Set<Uuid> deleted) {
        store.group(groupId).filter(ShareGroup::hasStatePartitions).ifPresent(group -> {
            StatePartitions next = ShareStatePartitions.topicsDeleted(group.statePartitions(), deleted);
            if (!next.equals(group.statePartitions())) {
                store.write(next);
            }
        });
    }

    private static DeleteShareGroupOffsetsResponseData deleteError(Errors error, String message) {
        return new DeleteShareGroupOffsetsResponseData().setErrorCode(error.code()).setErrorMessage(message);
    }

    private static DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic deleteTopicError(
            String topic, String message) {
        return new DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic().setTopicName(topic)
                .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage(message);
    }

    private static List<SharePartitionKey> keys(String groupId, Map<Uuid, TopicPartitions> topics) {
        List<SharePartitionKey> keys = new ArrayList<>();
        topics.forEach((id, tp) -> tp.partitions().forEach(p -> keys.add(new SharePartitionKey(groupId, id, p))));
        return keys;
    }
}
