package io.herald.broker.partition;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Any partition as a broker-side writer needs it, wherever its leader is (this broker's replica, {@link
 * LocalLeaderLog}, or requests to the leader, {@link RemoteLeaderLog}): an acks=all append, and reads of what is
 * committed (below the high watermark), which is all a check for copies may trust: a record above it can still be
 * truncated away by a leader change. Share groups write their dead-letter copies through it, and the timer log its
 * schedules and the released records.
 *
 * <p>Thread-safety: implementations are thread-safe and complete their futures off the caller's thread or at once.
 */
public interface LeaderLog {

    /** A partition's committed offsets: {@code [logStartOffset, highWatermark)}. */
    record Bounds(long logStartOffset, long highWatermark) {}

    /**
     * Appends {@code records} as one batch, answered once on every in-sync replica.
     *
     * @return completes exceptionally with {@link AppendFailedException}
     */
    CompletableFuture<Void> append(TopicPartition partition, MemoryRecords records);

    /**
     * The committed offsets, once everything appended by the time of the call is committed: an append still
     * replicating is not taken for absent. Completes exceptionally when that does not happen within the
     * implementation's timeout.
     */
    CompletableFuture<Bounds> bounds(TopicPartition partition);

    /** Committed record batches from the one holding {@code offset}, about {@code maxBytes} (at least one batch). */
    CompletableFuture<MemoryRecords> read(TopicPartition partition, long offset, int maxBytes);

    /**
     * Moves the partition's log start offset up to {@code offset} (DeleteRecords), for a writer that knows
     * nothing below it is needed; completes once the leader moved it (followers follow on their next fetch).
     */
    CompletableFuture<Void> deleteRecordsBefore(TopicPartition partition, long offset);

    /** How a producer's transaction ended, as a partition's log shows it. */
    enum TransactionOutcome {
        /** Still open, or its end marker not yet committed. */
        OPEN,
        COMMITTED,
        ABORTED
    }

    /**
     * The outcome of {@code producerId}'s transaction that holds the batch at {@code offset}: open while the last
     * stable offset has not passed {@code offset}, then aborted if the partition's aborted transactions name it,
     * else committed. An offset below the log start (retention removed the batch, and its aborted-transaction
     * entries with it) counts as committed.
     */
    CompletableFuture<TransactionOutcome> transactionOutcome(TopicPartition partition, long producerId, long offset);

    /** An append that failed, with whether it may have reached the log anyway (then it is in doubt). */
    final class AppendFailedException extends RuntimeException {
        private final Errors error;
        private final boolean mayHaveAppended;

        public AppendFailedException(Errors error, boolean mayHaveAppended, String message) {
            super(message, null, false, false);
            this.error = error;
            this.mayHaveAppended = mayHaveAppended;
        }

        public Errors error() {
            return error;
        }

        public boolean mayHaveAppended() {
            return mayHaveAppended;
        }
    }
}
