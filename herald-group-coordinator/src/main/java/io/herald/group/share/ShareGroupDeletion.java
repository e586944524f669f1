package io.herald.group.share;

import io.herald.coordinator.share.SharePartitionKey;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.protocol.Errors;

/**
 * The first step of deleting a share group (DeleteGroups): NONE and the share-partitions whose state the persister
 * must delete before the group's tombstones are written, or the error that stops the deletion (NON_EMPTY_GROUP).
 */
public record ShareGroupDeletion(Errors error, List<SharePartitionKey> stateToDelete) {
    public ShareGroupDeletion {
        Objects.requireNonNull(error, "error");
        stateToDelete = List.copyOf(stateToDelete);
    }
}
