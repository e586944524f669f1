package io.herald.group;

import io.herald.coordinator.share.SharePartitionKey;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.message.DeleteGroupsResponseData;

/** What the first step of a DeleteGroups left to do for one group. */
sealed interface GroupDeletionStep {

    /** Nothing: the group is deleted, or the deletion failed; this is its answer. */
    record Done(DeleteGroupsResponseData.DeletableGroupResult result) implements GroupDeletionStep {
        public Done {
            Objects.requireNonNull(result, "result");
        }
    }

    /** A share group: delete these share-partitions' state, then the group ({@code GroupCoordinatorShard#deleteGroup}). */
    record DeleteShareState(List<SharePartitionKey> keys) implements GroupDeletionStep {
        public DeleteShareState {
            keys = List.copyOf(keys);
        }
    }
}
