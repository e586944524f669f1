package io.herald.storage.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What the log remembers about one producer id: its epoch, its last {@value #NUM_BATCHES_TO_RETAIN} data batches
 * (oldest first), the coordinator epoch of its last end marker, the timestamp of its last batch or marker, and the
 * first offset of its ongoing transaction. These are the fields Kafka's DescribeProducers reports. Immutable.
 *
 * <p>Five batches because a Kafka producer has at most {@code max.in.flight.requests.per.connection = 5}
 * batches in flight per partition, so any retry it can send is one of the last five appended.
 *
 * <p>Kafka's rules for the updates: a new producer epoch forgets the cached batches; a data batch sets the last
 * timestamp to its max timestamp; an end marker sets the epoch, the coordinator epoch and the last timestamp (the
 * marker record's) and ends the ongoing transaction.
 *
 * @param coordinatorEpoch      of the last end marker, -1 before the first
 * @param lastTimestamp         of the last batch or marker, -1 when unknown
 * @param currentTxnFirstOffset the first offset of the ongoing transaction, if one is ongoing
 */
public record ProducerStateEntry(long producerId, short producerEpoch, List<BatchMetadata> batches,
                                 int coordinatorEpoch, long lastTimestamp, OptionalLong currentTxnFirstOffset) {
    public static final int NUM_BATCHES_TO_RETAIN = 5;

    public ProducerStateEntry {
        batches = List.copyOf(batches);
    }

    /** An idempotent producer's entry without transaction state. */
    public ProducerStateEntry(long producerId, short producerEpoch, List<BatchMetadata> batches) {
        this(producerId, producerEpoch, batches, -1, RecordBatch.NO_TIMESTAMP, OptionalLong.empty());
    }

    /** A producer id the log has not seen: no epoch, no batches (Kafka's {@code ProducerStateEntry.empty}). */
    public static ProducerStateEntry empty(long producerId) {
        return new ProducerStateEntry(producerId, RecordBatch.NO_PRODUCER_EPOCH, List.of());
    }

    public Optional<BatchMetadata> lastBatch() {
        return batches.isEmpty() ? Optional.empty() : Optional.of(batches.get(batches.size() - 1));
    }

    /** The last sequence of the last cached batch, or -1. */
    public int lastSequence() {
        return lastBatch().map(BatchMetadata::lastSeq).orElse(RecordBatch.NO_SEQUENCE);
    }

    /** The last offset of the last cached data batch, or -1. */
    public long lastDataOffset() {
        return lastBatch().map(BatchMetadata::lastOffset).orElse(-1L);
    }

    public boolean hasOngoingTransaction() {
        return currentTxnFirstOffset.isPresent();
    }

    /** The cached batch with exactly this sequence range, if any. */
    public Optional<BatchMetadata> findDuplicate(int firstSeq, int lastSeq) {
        return batches.stream().filter(b -> b.firstSeq() == firstSeq && b.lastSeq() == lastSeq).findFirst();
    }

    /** This entry after a data batch under {@code epoch} with max timestamp {@code timestamp}. */
    public ProducerStateEntry withBatch(short epoch, BatchMetadata batch, long timestamp) {
        List<BatchMetadata> next = new ArrayList<>(epoch == producerEpoch ? batches : List.of());
        next.add(batch);
        while (next.size() > NUM_BATCHES_TO_RETAIN) {
            next.remove(0);
        }
        return new ProducerStateEntry(producerId, epoch, next, coordinatorEpoch, timestamp, currentTxnFirstOffset);
    }

    /** This entry with a transaction opened at {@code firstOffset}. */
    public ProducerStateEntry withTransactionStartedAt(long firstOffset) {
        return new ProducerStateEntry(producerId, producerEpoch, batches, coordinatorEpoch, lastTimestamp,
            OptionalLong.of(firstOffset));
    }

    /** This entry after an end marker: no transaction ongoing. */
    public ProducerStateEntry withEndMarker(short epoch, int markerCoordinatorEpoch, long timestamp) {
        return new ProducerStateEntry(producerId, epoch, epoch == producerEpoch ? batches : List.of(),
            markerCoordinatorEpoch, timestamp, OptionalLong.empty());
    }
}
