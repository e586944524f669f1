package io.herald.coordinator.runtime;

import java.util.Objects;
import org.apache.kafka.common.requests.TransactionResult;

/**
 * How a producer's transaction ends on a coordinator's partition (one WriteTxnMarkers entry): the outcome, the
 * transaction coordinator's epoch (which fences markers of an older coordinator) and the transaction version the
 * transaction ran at (from 2 the marker's epoch is the bumped one, KIP-890).
 */
public record TransactionEnd(int coordinatorEpoch, TransactionResult result, short transactionVersion) {
    public TransactionEnd {
        Objects.requireNonNull(result, "result");
    }
}
