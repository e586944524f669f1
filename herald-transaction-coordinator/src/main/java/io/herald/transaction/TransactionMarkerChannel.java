package io.herald.transaction;

import java.util.concurrent.CompletableFuture;

/**
 * Writes transaction markers to the partitions of a transaction: the broker's inter-broker client
 * (WriteTxnMarkers to each partition's leader). The coordinator calls it once the PrepareCommit or PrepareAbort
 * record is committed, and writes CompleteCommit or CompleteAbort once the future completes.
 *
 * <p>Thread-safety: implementations are thread-safe; the future may complete on any thread.
 */
@FunctionalInterface
public interface TransactionMarkerChannel {
    /**
     * Writes the marker to every partition (retrying until written); completes when all are written or a
     * partition no longer exists; fails only if this coordinator epoch was fenced or on shutdown.
     */
    CompletableFuture<Void> writeMarkers(TransactionMarkers markers);
}
