package io.herald.storage.log;

import io.herald.storage.config.LogConfig;

import java.util.List;

/**
 * Which segments retention deletes: a pure function of the segments' metadata, the log's offsets, the
 * retention settings and the time, so that the rules can be tested against a model without files.
 *
 * <p>The rules are Kafka's, applied in Kafka's order, each to the segments the previous one left:
 * <ol>
 *   <li><b>log start</b>: a segment goes when the next one starts at or below the log start offset
 *       (DeleteRecords moved the start past it). Applies whatever the cleanup policy.</li>
 *   <li><b>size</b> ({@code retention.bytes} &ge; 0, {@code cleanup.policy} has {@code delete}): while the
 *       log is larger than {@code retention.bytes} by at least the oldest segment's size, that segment goes.</li>
 *   <li><b>time</b> ({@code retention.ms} &ge; 0, {@code delete} policy): a segment goes when its largest
 *       timestamp is more than {@code retention.ms} before now.</li>
 * </ol>
 * Each rule stops at the first segment it keeps, so what goes is always a prefix of the log. Two guards hold
 * for every rule: a segment goes only if everything in it is below the high watermark (its successor's base
 * offset, or the log end offset for the last segment, is &le; the high watermark), so the log start offset
 * never passes the high watermark; and an empty last segment is never deleted. When every segment goes, the
 * log rolls first, so that a fresh empty segment at the log end offset remains (this is how an expired active
 * segment is deleted, as in Kafka).
 *
 * <p>Thread-safety: stateless.
 */
final class RetentionPlanner {
    private RetentionPlanner() {
    }

    /**
     * What retention needs to know about one segment.
     *
     * @param largestTimestamp the largest record timestamp, or the file's mtime when it has none
     */
    record SegmentInfo(long baseOffset, int sizeInBytes, long largestTimestamp) {}

    /** The retention settings of a log; negative {@code ms} or {@code bytes} disable that rule. */
    record Rules(boolean delete, long ms, long bytes) {
        /** Only the log start rule: what DeleteRecords needs. */
        static final Rules LOG_START_ONLY = new Rules(false, -1, -1);

        static Rules of(LogConfig config) {
            return new Rules(config.delete(), config.retentionMs(), config.retentionBytes());
        }
    }

    /**
     * The outcome: delete the oldest {@code segmentsToDelete} segments, rolling first when that is all of them.
     */
    record Plan(int segmentsToDelete, boolean rollFirst) {
        static final Plan NOTHING = new Plan(0, false);
    }

    private enum Rule { LOG_START, SIZE, TIME, DONE }

    /**
     * Plans one retention pass.
     *
     * @param segments the log's segments, oldest first (the last is the active one); not empty
     */
    static Plan plan(List<SegmentInfo> segments, long logStartOffset, long highWatermark, long logEndOffset,
                     Rules rules, long nowMs) {
        int n = segments.size();
        long remainingBytes = 0;
        for (SegmentInfo s : segments) {
            remainingBytes += s.sizeInBytes();
        }
        // One walk over the prefix: a segment that the current rule keeps moves the walk on to the next rule,
        // which is how the three passes Kafka makes in sequence compose.
        Rule rule = Rule.LOG_START;
        long sizeExcess = 0;
        int deleted = 0;
        while (deleted < n && rule != Rule.DONE) {
            SegmentInfo s = segments.get(deleted);
            boolean last = deleted == n - 1;
            long upperBound = last ? logEndOffset : segments.get(deleted + 1).baseOffset();
            boolean eligible = upperBound <= highWatermark && !(last && s.sizeInBytes() == 0);
            boolean goes = switch (rule) {
                case LOG_START -> !last && segments.get(deleted + 1).baseOffset() <= logStartOffset;
                case SIZE -> sizeExcess - s.sizeInBytes() >= 0;
                case TIME -> nowMs - s.largestTimestamp() > rules.ms();
                case DONE -> false;
            };
            if (eligible && goes) {
                if (rule == Rule.SIZE) {
                    sizeExcess -= s.sizeInBytes();
                }
                remainingBytes -= s.sizeInBytes();
                deleted++;
            } else {
                rule = next(rule, rules, remainingBytes);
                sizeExcess = remainingBytes - rules.bytes();
            }
        }
        return deleted == 0 ? Plan.NOTHING : new Plan(deleted, deleted == n);
    }

    /** The rule after {@code rule} that applies to this log, or DONE. */
    private static Rule next(Rule rule, Rules rules, long remainingBytes) {
        if (!rules.delete()) {
            return Rule.DONE;
        }
        if (rule == Rule.LOG_START && rules.bytes() >= 0 && remainingBytes >= rules.bytes()) {
            return Rule.SIZE;
        }
        if (rule != Rule.TIME && rules.ms() >= 0) {
            return Rule.TIME;
        }
        return Rule.DONE;
    }
}
