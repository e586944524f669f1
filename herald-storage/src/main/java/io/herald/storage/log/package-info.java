/**
 * Partition logs. {@link io.herald.storage.log.PartitionLog} owns a log's lock and offsets and appends, reads
 * and truncates; around it: {@link io.herald.storage.log.LogSegments} (the segment files, {@code .log} plus
 * sparse indexes and the transaction index), {@code LogLoader} (opening and crash recovery), {@code BatchValidator}
 * (checks and stamping of appended batches), {@code LogAppender} (the append pipeline, producer state included),
 * {@code LogGuard} (the lock, offline after an I/O error), {@code RetentionPlanner} (what retention deletes, a pure
 * function), {@code RecoveryPoint} (flushes) and {@code TimestampLookup} (ListOffsets). The
 * {@link io.herald.storage.log.LogManager} owns the log dirs, checkpoints and background tasks.
 * Knows nothing about the network or Kafka request classes; speaks record batches
 * ({@code MemoryRecords}) and {@link io.herald.storage.log.FileSlice}s for zero-copy reads.
 */
package io.herald.storage.log;
