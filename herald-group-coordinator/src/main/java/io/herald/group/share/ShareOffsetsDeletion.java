package io.herald.group.share;

import io.herald.coordinator.share.SharePartitionKey;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic;

/**
 * What DeleteShareGroupOffsets decided on the coordinator (Kafka's DeleteShareGroupOffsetsResultHolder): a
 * top-level error, or the topics whose share state to delete (their partitions moved to deleting) and the topics
 * that failed already.
 *
 * @param topLevelError the whole answer when the request fails as a whole (unknown group, non-empty group)
 */
public record ShareOffsetsDeletion(Optional<DeleteShareGroupOffsetsResponseData> topLevelError,
                                   Map<Uuid, Topic> toDelete, List<DeleteShareGroupOffsetsResponseTopic> errors) {

    /** One topic whose share-partitions' state is deleted. */
    public record Topic(String name, List<SharePartitionKey> keys) {
        public Topic {
            Objects.requireNonNull(name, "name");
            keys = List.copyOf(keys);
        }
    }

    public ShareOffsetsDeletion {
        Objects.requireNonNull(topLevelError, "topLevelError");
        toDelete = Collections.unmodifiableMap(new TreeMap<>(toDelete)); // by topic id: a stable answer order
        errors = List.copyOf(errors);
    }

    static ShareOffsetsDeletion failed(DeleteShareGroupOffsetsResponseData response) {
        return new ShareOffsetsDeletion(Optional.of(response), Map.of(), List.of());
    }
}
