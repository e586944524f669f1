package io.herald.storage.log;

/** Result of {@link PartitionLog#read}: the bytes (possibly empty) and the log's offsets at read time. */
public record LogReadResult(FileSlice slice, long logStartOffset, long logEndOffset, long highWatermark) {}
