package io.herald.broker.replica;

import io.herald.storage.epoch.EpochEndOffset;
import io.herald.storage.epoch.EpochEntry;
import io.herald.storage.log.PartitionLog;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;

/**
 * Leader epoch questions about a partition (KIP-320): whether a request's leader epoch is current, where an
 * epoch ends in this replica's log, and where a fetching follower's log diverges from it.
 *
 * <p>Thread-safety: thread-safe; it keeps no state of its own and reads the partition's current state and the
 * log's epoch cache. Divergence checks run under the partition's read lock (the caller's).
 */
final class EpochValidator {
    private final TopicPartition topicPartition;
    private final PartitionLog log;
    private final Supplier<PartitionState> state;

    EpochValidator(TopicPartition topicPartition, PartitionLog log, Supplier<PartitionState> state) {
        this.topicPartition = topicPartition;
        this.log = log;
        this.state = state;
    }

    /** -1 means the client does not know; an older epoch is fenced; a newer one is not known here yet. */
    void checkLeaderEpoch(int requestEpoch) {
        if (requestEpoch < 0) {
            return;
        }
        int current = state.get().leaderEpoch();
        if (requestEpoch < current) {
            throw new FencedLeaderEpochException("Request epoch " + requestEpoch + " is older than the current "
                    + "leader epoch " + current + " of " + topicPartition);
        }
        if (requestEpoch > current) {
            throw new UnknownLeaderEpochException("Request epoch " + requestEpoch + " is newer than the current "
                    + "leader epoch " + current + " of " + topicPartition);
        }
    }

    /**
     * Where {@code epoch} ends in this replica's log, with Kafka's answer for an epoch older than every epoch the
     * cache still has (its history was deleted): that epoch with the first known epoch's start offset, so a
     * follower truncates to where this log's known history begins. Otherwise the log's own answer: the largest
     * epoch {@code <= epoch} and the start of the next one (the log end offset for the latest), or
     * {@link EpochEndOffset#UNDEFINED} when the cache is empty.
     */
    EpochEndOffset endOffset(int epoch) {
        EpochEndOffset end = log.endOffsetForEpoch(epoch);
        if (end.epoch() >= 0 || epoch < 0) {
            return end;
        }
        List<EpochEntry> entries = log.epochEntries();
        if (!entries.isEmpty() && epoch < entries.get(0).epoch()) {
            return new EpochEndOffset(epoch, entries.get(0).startOffset());
        }
        return end;
    }

    /**
     * Where a follower's log diverges from this one, if it does: its last fetched epoch ends here before its
     * fetch offset. Empty when {@code lastFetchedEpoch} is unknown (-1): no check.
     *
     * @throws OffsetOutOfRangeException when the epoch's end is unknown here or the fetch offset is below the
     *                                   log start offset
     */
    Optional<EpochEndOffset> divergingEpoch(long fetchOffset, int lastFetchedEpoch) {
        if (lastFetchedEpoch < 0) {
            return Optional.empty();
        }
        EpochEndOffset end = endOffset(lastFetchedEpoch);
        if (end.epoch() < 0 || end.endOffset() < 0) {
            throw new OffsetOutOfRangeException("Could not determine the end offset of the last fetched epoch "
                    + lastFetchedEpoch + " of " + topicPartition);
        }
        if (fetchOffset < log.logStartOffset()) {
            throw new OffsetOutOfRangeException("Fetch offset " + fetchOffset + " is below the log start "
                    + "offset " + log.logStartOffset() + " of " + topicPartition);
        }
        return end.epoch() < lastFetchedEpoch || end.endOffset() < fetchOffset ? Optional.of(end) : Optional.empty();
    }
}
