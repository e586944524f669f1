package io.herald.storage.txn;

import org.apache.kafka.common.record.internal.ControlRecordType;

/**
 * An end-transaction marker the transaction coordinator asks a partition leader to write (one entry of a
 * WriteTxnMarkers request), in storage's terms; storage builds the control batch from it.
 *
 * @param coordinatorEpoch   the epoch of the {@code __transaction_state} partition leader that sent the marker; a
 *                           marker older than the last one seen for the producer is fenced
 * @param type               {@link ControlRecordType#COMMIT} or {@link ControlRecordType#ABORT}
 * @param transactionVersion the request's TransactionVersion (WriteTxnMarkers v2+, KIP-890); 0 and 1 fence a marker
 *                           whose producer epoch is below the producer's current one, 2 and above also one equal to
 *                           it (the coordinator bumps the epoch on every transaction end)
 */
public record TransactionMarker(long producerId, short producerEpoch, int coordinatorEpoch, ControlRecordType type,
                                short transactionVersion) {
    public TransactionMarker {
        if (producerId < 0) {
            throw new IllegalArgumentException("producerId: " + producerId + " (expected: >= 0)");
        }
        if (producerEpoch < 0) {
            throw new IllegalArgumentException("producerEpoch: " + producerEpoch + " (expected: >= 0)");
        }
        if (type != ControlRecordType.COMMIT && type != ControlRecordType.ABORT) {
            throw new IllegalArgumentException("type: " + type + " (expected: COMMIT or ABORT)");
        }
        if (transactionVersion < 0) {
            throw new IllegalArgumentException("transactionVersion: " + transactionVersion + " (expected: >= 0)");
        }
    }

    /** A marker of a WriteTxnMarkers request below v2, which carries no transaction version (version 0). */
    public TransactionMarker(long producerId, short producerEpoch, int coordinatorEpoch, ControlRecordType type) {
        this(producerId, producerEpoch, coordinatorEpoch, type, (short) 0);
    }

    public boolean isAbort() {
        return type == ControlRecordType.ABORT;
    }
}
