package io.herald.transaction;

import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Utils;

/**
 * The internal topics the transaction coordinator places state by: {@code __transaction_state}, and
 * {@code __consumer_offsets} for the partition AddOffsetsToTxn adds. Kafka's placement, so an id lands on the
 * same partition number as in Kafka, without depending on the group coordinator.
 */
public final class TransactionTopic {
    public static final String NAME = Topic.TRANSACTION_STATE_TOPIC_NAME;
    public static final String OFFSETS_TOPIC = Topic.GROUP_METADATA_TOPIC_NAME;

    private TransactionTopic() {
    }

    /** The partition of {@code __transaction_state} (or of {@code __consumer_offsets} for a group id). */
    public static int partitionFor(String id, int partitions) {
        return Utils.abs((id == null ? "" : id).hashCode()) % partitions;
    }
}
