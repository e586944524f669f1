package io.herald.storage.producer;

import org.apache.kafka.common.record.internal.ControlRecordType;

/** What producer state needs to know of one batch with a producer id, at its final offsets. */
public sealed interface ProducerBatch {
    long producerId();

    short producerEpoch();

    /** A data batch (idempotent or transactional). */
    record Data(long producerId, short producerEpoch, int baseSequence, int lastSequence, long baseOffset,
                long lastOffset, long maxTimestamp, boolean transactional) implements ProducerBatch {
        BatchMetadata metadata() {
            return new BatchMetadata(baseSequence, lastSequence, baseOffset, lastOffset);
        }
    }

    /**
     * An end-transaction marker (a control batch whose record is COMMIT or ABORT).
     *
     * @param timestamp          the marker record's timestamp
     * @param transactionVersion of the WriteTxnMarkers request for a coordinator append, 0 for one read from a log
     */
    record Marker(long producerId, short producerEpoch, long offset, int coordinatorEpoch, ControlRecordType type,
                  long timestamp, short transactionVersion) implements ProducerBatch {}
}
