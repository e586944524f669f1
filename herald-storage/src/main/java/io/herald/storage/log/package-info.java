/**
 * Partition logs: segments ({@code .log} + sparse indexes), the {@link io.herald.storage.log.PartitionLog}
 * that appends, reads, rolls, truncates, recovers and applies retention, and the
 * {@link io.herald.storage.log.LogManager} that owns the log dirs, checkpoints and background tasks.
 * Knows nothing about the network or Kafka request classes; speaks record batches
 * ({@code MemoryRecords}) and {@link io.herald.storage.log.FileSlice}s for zero-copy reads.
 */
package io.herald.storage.log;
