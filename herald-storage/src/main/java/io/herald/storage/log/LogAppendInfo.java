package io.herald.storage.log;

/**
 * Result of {@link PartitionLog#appendAsLeader}.
 *
 * @param logAppendTime the broker time stamped into the batches, or -1 when the topic uses CreateTime
 * @param duplicate     true when the batch is an idempotent retry of one already in the log; the
 *                      offsets are then those assigned originally and nothing was appended
 */
public record LogAppendInfo(long firstOffset, long lastOffset, long logAppendTime, long logStartOffset,
                            int numRecords, boolean duplicate) {
    /** An append without batches: nothing written. */
    static LogAppendInfo empty(long logEndOffset, long logStartOffset) {
        return new LogAppendInfo(logEndOffset, logEndOffset - 1, -1, logStartOffset, 0, false);
    }

    /** An idempotent retry: the offsets the batch got the first time. */
    static LogAppendInfo duplicate(long firstOffset, long lastOffset, long logStartOffset) {
        return new LogAppendInfo(firstOffset, lastOffset, -1, logStartOffset, (int) (lastOffset - firstOffset + 1), true);
    }
}
