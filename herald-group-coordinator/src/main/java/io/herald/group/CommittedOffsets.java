package io.herald.group;

import io.herald.group.offsets.OffsetAndMetadata;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * A group's committed offsets as an OffsetFetch sees them.
 *
 * @param offsets  the committed offset of each partition that has one
 * @param unstable partitions with offsets of a transaction not yet ended: an OffsetFetch with
 *                 {@code require_stable} answers UNSTABLE_OFFSET_COMMIT for them (KIP-447), and the client retries
 */
public record CommittedOffsets(Map<TopicPartition, OffsetAndMetadata> offsets, Set<TopicPartition> unstable) {
    public CommittedOffsets {
        offsets = Collections.unmodifiableMap(new LinkedHashMap<>(offsets)); // topic, partition order
        unstable = Set.copyOf(unstable);
    }
}
