package io.herald.storage.log;

import io.herald.storage.config.LogConfig;

import java.util.random.RandomGenerator;

/**
 * When the active segment rolls: before an append that would take it past {@code segment.bytes}; once it is
 * older than {@link LogConfig#rollMs()} less its jitter ({@code segment.ms}, or {@code max.compaction.lag.ms} on
 * a compacted topic when sooner); when an index is full; or when the append's last offset would not fit the
 * indexes' 32-bit relative offsets. An empty segment never rolls.
 *
 * <p>Jitter ({@code segment.jitter.ms}, Kafka's rule): each segment draws a random amount below
 * {@code min(segment.jitter.ms, segment.ms)} when it is opened and rolls that much early, so that partitions
 * created together do not roll (and then get deleted) at the same moment.
 *
 * <p>Thread-safety: stateless.
 */
final class RollPolicy {
    private RollPolicy() {
    }

    static boolean shouldRoll(LogSegment active, int appendBytes, long lastOffset, LogConfig config, long nowMs) {
        if (active.sizeInBytes() == 0) {
            return false;
        }
        return (long) active.sizeInBytes() + appendBytes > config.segmentBytes()
            || nowMs - active.createdMs() >= config.rollMs() - active.rollJitterMs()
            || active.indexesFull()
            || lastOffset - active.baseOffset() > Integer.MAX_VALUE;
    }

    /** A segment's jitter: uniform in {@code [0, min(segment.jitter.ms, segment.ms))}, or 0 when disabled. */
    static long drawJitter(LogConfig config, RandomGenerator random) {
        long bound = Math.min(config.segmentJitterMs(), config.segmentMs());
        return bound <= 0 ? 0 : random.nextLong(bound);
    }
}
