package io.herald.broker.txn;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest.TxnMarkerEntry;

/**
 * Writes one producer's transaction markers to partitions this broker leads: what WriteTxnMarkers does on the
 * partition leader, and what this broker's own transaction coordinator calls directly for its local partitions.
 *
 * <p>Thread-safety: implementations are thread-safe.
 */
@FunctionalInterface
public interface MarkerWriter {
    /**
     * Writes the marker of {@code entry} to each of its partitions and completes, once each marker is replicated as
     * acks=all requires (or failed), with every partition's error: NONE, NOT_LEADER_OR_FOLLOWER,
     * UNKNOWN_TOPIC_OR_PARTITION, TRANSACTION_COORDINATOR_FENCED (an older coordinator epoch than the producer's
     * last marker), INVALID_PRODUCER_EPOCH, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, ... Never fails exceptionally.
     */
    CompletableFuture<Map<TopicPartition, Errors>> write(TxnMarkerEntry entry);
}
