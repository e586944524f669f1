package io.herald.group.share;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;

/**
 * What AlterShareGroupOffsets decided on the coordinator: the answer so far (per-partition errors of unknown
 * partitions, or a top-level error) and the share-partitions to initialize at their new start offsets, whose
 * persister errors the coordinator then adds to the answer.
 */
public record ShareOffsetsAlteration(AlterShareGroupOffsetsResponseData response,
                                     List<SharePartitionInit> initializations) {
    public ShareOffsetsAlteration {
        Objects.requireNonNull(response, "response");
        initializations = List.copyOf(initializations);
    }
}
