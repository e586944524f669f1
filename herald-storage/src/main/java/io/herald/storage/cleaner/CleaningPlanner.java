package io.herald.storage.cleaner;

import java.util.List;

/**
 * Whether a compacted log is due for cleaning, and how much of it may be cleaned: a pure function of the
 * segments' metadata, the log's offsets, the cleaner's progress, the compaction settings and the time.
 *
 * <p>Cleanable: a prefix of the inactive segments, ending before the first segment that is not wholly below
 * the last stable offset (Kafka cleans nothing above it: not what may still be truncated, not an ongoing
 * transaction's batches, whose fate is unknown), and before the first <em>dirty</em> segment (one at or after the cleaner's first dirty offset)
 * holding a record younger than {@code min.compaction.lag.ms}. The active segment never is.
 *
 * <p>Due, as in Kafka, when there is something cleanable and one of: the dirty share of the cleanable bytes is
 * more than {@code min.cleanable.dirty.ratio}; the first dirty segment's first batch is older than
 * {@code max.compaction.lag.ms} (and some dirty bytes are cleanable); or a tombstone kept by an earlier cleaning
 * has passed its delete horizon ({@code delete.retention.ms}), so that cleaning again removes it.
 *
 * <p>Thread-safety: stateless.
 */
final class CleaningPlanner {
    private CleaningPlanner() {
    }

    /**
     * What the planner needs to know of an inactive segment.
     *
     * @param endOffset           the next segment's base offset: everything in this one lies below it
     * @param largestTimestamp    the largest record timestamp (or the file's mtime when there is none)
     * @param firstBatchTimestamp the first batch's max timestamp, or -1
     */
    record SegmentInfo(long baseOffset, long endOffset, int sizeInBytes, long largestTimestamp,
                       long firstBatchTimestamp) {}

    /** The compaction settings of a log. */
    record Rules(long minCompactionLagMs, long maxCompactionLagMs, double minCleanableDirtyRatio) {}

    /**
     * The plan: clean the first {@code segments} inactive segments, which end at {@code cleanableEndOffset}.
     *
     * @param due whether the log should be cleaned now (false: only {@code segments} may be cleaned on demand)
     */
    record Plan(int segments, long cleanableEndOffset, double dirtyRatio, boolean due) {}

    /**
     * @param inactive             the inactive segments, oldest first
     * @param firstDirtyOffset     where the last cleaning ended (below it everything has been cleaned once)
     * @param pendingDeleteHorizon the earliest delete horizon of a tombstone kept so far, or Long.MAX_VALUE
     */
    static Plan plan(List<SegmentInfo> inactive, long lastStableOffset, long firstDirtyOffset, Rules rules,
                     long pendingDeleteHorizon, long nowMs) {
        int cleanable = 0;
        long cleanBytes = 0;
        long dirtyBytes = 0;
        long firstDirtyBatchTimestamp = -1;
        boolean seenDirty = false;
        for (SegmentInfo s : inactive) {
            boolean dirty = s.endOffset() > firstDirtyOffset;
            boolean tooYoung = dirty && rules.minCompactionLagMs() > 0
                && s.largestTimestamp() > nowMs - rules.minCompactionLagMs();
            if (s.endOffset() > lastStableOffset || tooYoung) {
                break;
            }
            if (dirty) {
                if (!seenDirty) {
                    firstDirtyBatchTimestamp = s.firstBatchTimestamp();
                    seenDirty = true;
                }
                dirtyBytes += s.sizeInBytes();
            } else {
                cleanBytes += s.sizeInBytes();
            }
            cleanable++;
        }
        long end = cleanable == 0 ? firstDirtyOffset : inactive.get(cleanable - 1).endOffset();
        long total = cleanBytes + dirtyBytes;
        double ratio = total == 0 ? 0 : (double) dirtyBytes / total;
        boolean lagExceeded = firstDirtyBatchTimestamp >= 0
            && nowMs - firstDirtyBatchTimestamp > rules.maxCompactionLagMs();
        boolean tombstonesDue = pendingDeleteHorizon <= nowMs;
        boolean due = cleanable > 0
            && (ratio > rules.minCleanableDirtyRatio() || (lagExceeded && dirtyBytes > 0) || tombstonesDue);
        return new Plan(cleanable, end, ratio, due);
    }
}
