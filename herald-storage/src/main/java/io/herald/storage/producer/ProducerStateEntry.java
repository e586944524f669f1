package io.herald.storage.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the log remembers about one idempotent producer: its epoch and its last
 * {@value #NUM_BATCHES_TO_RETAIN} batches, oldest first. Immutable.
 *
 * <p>Five because a Kafka producer has at most {@code max.in.flight.requests.per.connection = 5}
 * batches in flight per partition, so any retry it can send is one of the last five appended.
 */
public record ProducerStateEntry(long producerId, short producerEpoch, List<BatchMetadata> batches) {
    public static final int NUM_BATCHES_TO_RETAIN = 5;

    public ProducerStateEntry {
        batches = List.copyOf(batches);
    }

    public Optional<BatchMetadata> lastBatch() {
        return batches.isEmpty() ? Optional.empty() : Optional.of(batches.get(batches.size() - 1));
    }

    /** The cached batch with exactly this sequence range, if any. */
    public Optional<BatchMetadata> findDuplicate(int firstSeq, int lastSeq) {
        return batches.stream().filter(b -> b.firstSeq() == firstSeq && b.lastSeq() == lastSeq).findFirst();
    }

    /** This entry after appending {@code batch} under {@code epoch}; a new epoch forgets older batches. */
    public ProducerStateEntry withBatch(short epoch, BatchMetadata batch) {
        List<BatchMetadata> next = new ArrayList<>(epoch == producerEpoch ? batches : List.of());
        next.add(batch);
        while (next.size() > NUM_BATCHES_TO_RETAIN) {
            next.remove(0);
        }
        return new ProducerStateEntry(producerId, epoch, next);
    }
}
