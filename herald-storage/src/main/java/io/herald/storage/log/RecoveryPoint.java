package io.herald.storage.log;

import io.herald.common.time.Time;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A log's recovery point: every byte below it has been fsynced, so recovery after a crash re-validates only
 * what lies above it. Moved forward by flushes, moved back (never past the log end) by truncation.
 *
 * <p>A flush reads its range {@code [recoveryPoint, logEndOffset)} under the partition lock, fsyncs without
 * it, and takes the lock again to publish. A truncation in between bumps a counter, and the flush then leaves
 * the recovery point alone: the bytes it fsynced may not be the ones the log now holds at those offsets.
 *
 * <p>Thread-safety: thread-safe. {@link #onTruncation}, {@link #resetTo} and {@link #flushHoldingLock} must be
 * called with the partition lock held; {@link #flush} must be called without it. Lock order: the flush lock
 * before the partition lock, so concurrent flushes queue instead of fsyncing the same range twice.
 */
final class RecoveryPoint {
    /** Fsyncs the segments holding {@code [from, to)}. */
    @FunctionalInterface
    interface Fsync {
        void fsync(long from, long to) throws IOException;
    }

    /** The bytes a flush makes durable, and the truncation count when it started. */
    private record Range(long from, long to, long truncations) {}

    private final ReentrantLock partitionLock;
    private final Time time;
    private final FlushStats stats;
    private final Object flushLock = new Object();
    private volatile long offset;
    private volatile long lastFlushMs;
    /** Guarded by the partition lock. */
    private long truncations;

    RecoveryPoint(ReentrantLock partitionLock, Time time, long offset, FlushStats stats) {
        this.partitionLock = partitionLock;
        this.stats = stats;
        this.time = time;
        this.offset = offset;
        this.lastFlushMs = time.milliseconds();
    }

    long offset() {
        return offset;
    }

    /** Wall-clock ({@link Time#milliseconds()}) of the last completed flush. */
    long lastFlushMs() {
        return lastFlushMs;
    }

    /** Whether {@code flush.messages} is reached: that many messages (offsets) are not yet fsynced. */
    boolean flushDue(long logEndOffset, long flushMessages) {
        return logEndOffset - offset >= flushMessages;
    }

    /** Bytes at or above {@code newLogEndOffset} are gone; call before changing any segment. */
    void onTruncation(long newLogEndOffset) {
        truncations++;
        offset = Math.min(offset, newLogEndOffset);
    }

    /** The log restarted empty at {@code newOffset}. */
    void resetTo(long newOffset) {
        truncations++;
        offset = newOffset;
    }

    /**
     * Fsyncs up to the log end offset read at the start, then publishes it as the recovery point unless a
     * truncation happened meanwhile. Must not be called with the partition lock held.
     */
    void flush(LongSupplier logEndOffset, Fsync fsync) throws IOException {
        synchronized (flushLock) {
            Range range = locked(() -> new Range(offset, logEndOffset.getAsLong(), truncations));
            if (range.to() > range.from()) {
                timed(fsync, range);
            }
            locked(() -> publish(range));
        }
    }

    /** A flush by a caller that holds the partition lock (closing the log: nothing may be appended meanwhile). */
    void flushHoldingLock(long logEndOffset, Fsync fsync) throws IOException {
        Range range = new Range(offset, logEndOffset, truncations);
        if (range.to() > range.from()) {
            timed(fsync, range);
        }
        publish(range);
    }

    private void timed(Fsync fsync, Range range) throws IOException {
        long start = System.nanoTime();
        fsync.fsync(range.from(), range.to());
        stats.record(System.nanoTime() - start);
    }

    private Range publish(Range range) {
        if (range.truncations() == truncations && range.to() > offset) {
            offset = range.to();
        }
        lastFlushMs = time.milliseconds();
        return range;
    }

    private Range locked(java.util.function.Supplier<Range> body) {
        partitionLock.lock();
        try {
            return body.get();
        } finally {
            partitionLock.unlock();
        }
    }
}
