package io.herald.storage.log;

import io.herald.storage.epoch.EpochEntry;
import io.herald.storage.epoch.LeaderEpochCache;

import java.io.IOException;
import java.util.Collection;
import java.util.Optional;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The ListOffsets lookup of a log: by timestamp through the segments' time indexes, plus Kafka's special
 * timestamps -1 (latest: the log end offset), -2 (earliest) and -4 (earliest local: the log start offset,
 * Herald having no remote tier), -3 (the record with the largest timestamp).
 *
 * <p>Thread-safety: stateless; reads segments the way fetches do, without the partition lock.
 */
final class TimestampLookup {
    private TimestampLookup() {
    }

    static Optional<TimestampAndOffset> find(TopicPartition tp, Collection<LogSegment> segments, long logStartOffset,
                                             long logEndOffset, LeaderEpochCache epochs, long targetTimestamp) {
        try {
            if (targetTimestamp == -2L || targetTimestamp == -4L) {
                return Optional.of(new TimestampAndOffset(RecordBatch.NO_TIMESTAMP, logStartOffset,
                    epochAt(epochs, logStartOffset)));
            }
            if (targetTimestamp == -1L) {
                int latest = epochs.latestEpoch();
                return Optional.of(new TimestampAndOffset(RecordBatch.NO_TIMESTAMP, logEndOffset,
                    latest >= 0 ? Optional.of(latest) : Optional.empty()));
            }
            if (targetTimestamp == -3L) {
                return maxTimestampRecord(segments);
            }
            if (targetTimestamp < 0) {
                throw new InvalidRequestException(tp + ": unsupported timestamp " + targetTimestamp);
            }
            for (LogSegment s : segments) {
                if (s.maxTimestamp() >= targetTimestamp) {
                    Optional<TimestampAndOffset> found = s.findOffsetByTimestamp(targetTimestamp, logStartOffset);
                    if (found.isPresent()) {
                        return found;
                    }
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new KafkaStorageException(tp + ": timestamp lookup failed", e);
        }
    }

    private static Optional<TimestampAndOffset> maxTimestampRecord(Collection<LogSegment> segments) throws IOException {
        LogSegment best = null;
        for (LogSegment s : segments) {
            if (s.maxTimestamp() >= 0 && (best == null || s.maxTimestamp() > best.maxTimestamp())) {
                best = s;
            }
        }
        return best == null ? Optional.empty() : best.maxTimestampRecord();
    }

    /** The epoch of the leader that wrote {@code offset}, if the cache knows it. */
    private static Optional<Integer> epochAt(LeaderEpochCache epochs, long offset) {
        Optional<Integer> out = Optional.empty();
        for (EpochEntry e : epochs.entries()) {
            if (e.startOffset() <= offset) {
                out = Optional.of(e.epoch());
            }
        }
        return out;
    }
}
