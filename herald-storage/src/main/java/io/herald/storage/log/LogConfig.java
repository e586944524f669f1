package io.herald.storage.log;

/**
 * Per-partition storage configuration, named after Kafka's topic configs.
 *
 * <p>Durability: {@code flushIntervalMessages}/{@code flushIntervalMs} are the only fsync
 * triggers besides roll, close and explicit {@link PartitionLog#flush()}. With Kafka's defaults
 * ({@link Long#MAX_VALUE}) an acknowledged write survives a process crash (it is in the page
 * cache) but not a power loss; durability against machine loss comes from replication.
 *
 * @param segmentBytes          {@code segment.bytes}: roll when the active segment would exceed this
 * @param segmentMs             {@code segment.ms}: roll a non-empty segment older than this
 * @param retentionMs           {@code retention.ms}; negative disables time retention
 * @param retentionBytes        {@code retention.bytes}; negative disables size retention
 * @param maxMessageBytes       {@code max.message.bytes}: largest accepted batch
 * @param indexIntervalBytes    {@code index.interval.bytes}
 * @param segmentIndexBytes     {@code segment.index.bytes}: preallocated size of each index
 * @param flushIntervalMessages {@code flush.messages}
 * @param flushIntervalMs       {@code flush.ms}
 * @param compact               {@code cleanup.policy} contains {@code compact}
 * @param delete                {@code cleanup.policy} contains {@code delete}
 * @param deleteRetentionMs     {@code delete.retention.ms}: how long tombstones survive compaction
 * @param logAppendTime         {@code message.timestamp.type=LogAppendTime}
 * @param fileDeleteDelayMs     {@code file.delete.delay.ms}: grace period before deleted segment files are removed
 */
public record LogConfig(int segmentBytes, long segmentMs, long retentionMs, long retentionBytes, int maxMessageBytes,
                        int indexIntervalBytes, int segmentIndexBytes, long flushIntervalMessages, long flushIntervalMs,
                        boolean compact, boolean delete, long deleteRetentionMs, boolean logAppendTime,
                        long fileDeleteDelayMs) {

    public LogConfig {
        if (segmentBytes < 14) {
            throw new IllegalArgumentException("segmentBytes: " + segmentBytes + " (expected: >= 14)");
        }
        if (segmentMs <= 0) {
            throw new IllegalArgumentException("segmentMs: " + segmentMs + " (expected: > 0)");
        }
        if (maxMessageBytes < 0) {
            throw new IllegalArgumentException("maxMessageBytes: " + maxMessageBytes + " (expected: >= 0)");
        }
        if (indexIntervalBytes < 0) {
            throw new IllegalArgumentException("indexIntervalBytes: " + indexIntervalBytes + " (expected: >= 0)");
        }
        if (segmentIndexBytes < 12) {
            throw new IllegalArgumentException("segmentIndexBytes: " + segmentIndexBytes + " (expected: >= 12)");
        }
        if (flushIntervalMessages < 1) {
            throw new IllegalArgumentException("flushIntervalMessages: " + flushIntervalMessages + " (expected: >= 1)");
        }
        if (fileDeleteDelayMs < 0) {
            throw new IllegalArgumentException("fileDeleteDelayMs: " + fileDeleteDelayMs + " (expected: >= 0)");
        }
    }

    /** Kafka's defaults. */
    public static LogConfig defaults() {
        return new LogConfig(1 << 30, 7L * 24 * 3600 * 1000, 7L * 24 * 3600 * 1000, -1, 1048588, 4096,
            10 * 1024 * 1024, Long.MAX_VALUE, Long.MAX_VALUE, false, true, 86400000L, false, 60000L);
    }

    public LogConfig withSegmentBytes(int v) {
        return new LogConfig(v, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes, segmentIndexBytes,
            flushIntervalMessages, flushIntervalMs, compact, delete, deleteRetentionMs, logAppendTime, fileDeleteDelayMs);
    }

    public LogConfig withRetention(long ms, long bytes) {
        return new LogConfig(segmentBytes, segmentMs, ms, bytes, maxMessageBytes, indexIntervalBytes, segmentIndexBytes,
            flushIntervalMessages, flushIntervalMs, compact, delete, deleteRetentionMs, logAppendTime, fileDeleteDelayMs);
    }

    public LogConfig withIndex(int intervalBytes, int indexBytes) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, intervalBytes, indexBytes,
            flushIntervalMessages, flushIntervalMs, compact, delete, deleteRetentionMs, logAppendTime, fileDeleteDelayMs);
    }

    public LogConfig withCleanupPolicy(boolean compact, boolean delete) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes, segmentIndexBytes,
            flushIntervalMessages, flushIntervalMs, compact, delete, deleteRetentionMs, logAppendTime, fileDeleteDelayMs);
    }

    public LogConfig withDeleteRetentionMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes, segmentIndexBytes,
            flushIntervalMessages, flushIntervalMs, compact, delete, v, logAppendTime, fileDeleteDelayMs);
    }

    public LogConfig withMaxMessageBytes(int v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, v, indexIntervalBytes, segmentIndexBytes,
            flushIntervalMessages, flushIntervalMs, compact, delete, deleteRetentionMs, logAppendTime, fileDeleteDelayMs);
    }

    public LogConfig withSegmentMs(long v) {
        return new LogConfig(segmentBytes, v, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes, segmentIndexBytes,
            flushIntervalMessages, flushIntervalMs, compact, delete, deleteRetentionMs, logAppendTime, fileDeleteDelayMs);
    }

    public LogConfig withLogAppendTime(boolean v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes, segmentIndexBytes,
            flushIntervalMessages, flushIntervalMs, compact, delete, deleteRetentionMs, v, fileDeleteDelayMs);
    }

    public LogConfig withFlush(long messages, long ms) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes, segmentIndexBytes,
            messages, ms, compact, delete, deleteRetentionMs, logAppendTime, fileDeleteDelayMs);
    }

    public LogConfig withFileDeleteDelayMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes, segmentIndexBytes,
            flushIntervalMessages, flushIntervalMs, compact, delete, deleteRetentionMs, logAppendTime, v);
    }
}
