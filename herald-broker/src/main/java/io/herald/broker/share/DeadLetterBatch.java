package io.herald.broker.share;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.TopicIdPartition;

/**
 * One batch of a share-partition's records to copy to its group's dead-letter topic: ranges of offsets in offset
 * order, each with its delivery count and why it was archived, and the partition's log to read the records from.
 * A range may cover offsets without a record (compacted away, transaction markers); only records are copied.
 */
public record DeadLetterBatch(String groupId, TopicIdPartition source, ShareLog log, List<ArchivedRecords> ranges) {
    public DeadLetterBatch {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(log, "log");
        ranges = List.copyOf(ranges);
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("ranges: empty (expected: at least one)");
        }
    }

    /** Whether {@code offset} lies in one of the ranges. */
    public boolean covers(long offset) {
        for (ArchivedRecords r : ranges) {
            if (r.firstOffset() <= offset && offset <= r.lastOffset()) {
                return true;
            }
        }
        return false;
    }

    /** The offsets the ranges span. */
    public long offsetCount() {
        long n = 0;
        for (ArchivedRecords r : ranges) {
            n += r.lastOffset() - r.firstOffset() + 1;
        }
        return n;
    }
}
