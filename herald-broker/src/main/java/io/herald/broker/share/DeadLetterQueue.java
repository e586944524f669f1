package io.herald.broker.share;

import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Where a share-partition copies the records it archives because they were rejected or ran out of deliveries
 * (KIP-1191's dead-letter queue), as the share-partition sees it. The implementation
 * ({@code io.herald.broker.share.dlq.DeadLetterWriter}) finds the group's dead-letter topic and writes there.
 *
 * <p>The share-partition calls it for one batch at a time and persists the batch Archived before it sends the next
 * (see {@link DeadLetterStage}); that is what lets {@link #copied} find the one batch a failure may have left in
 * doubt. Implementations never block the caller (it may be a coordinator's thread): they complete the futures from
 * threads of their own. A future the caller cancels (the share-partition was fenced) may be left alone.
 *
 * <p>Thread-safety: implementations are thread-safe.
 */
public interface DeadLetterQueue {

    /** No dead-letter topics: every batch is done at once, as if the group had none configured. */
    DeadLetterQueue NONE = new DeadLetterQueue() {
        @Override
        public CompletableFuture<Outcome> write(DeadLetterBatch batch) {
            return CompletableFuture.completedFuture(Outcome.SKIPPED);
        }

        @Override
        public CompletableFuture<NavigableSet<Long>> copied(DeadLetterBatch batch) {
            return CompletableFuture.completedFuture(new TreeSet<>());
        }
    };

    /** How a write ended. Either way the records are then persisted Archived. */
    enum Outcome {
        /** Every record of the batch has its copy in the dead-letter topic, on every in-sync replica. */
        WRITTEN,
        /** The group has no usable dead-letter topic (none configured, or misconfigured: logged); nothing written. */
        SKIPPED
    }

    /**
     * Copies {@code batch} to its group's dead-letter topic, as one append with acks=all.
     *
     * @return completes with the outcome; exceptionally with {@link NotWrittenException} when nothing was appended
     *         (the batch may be sent again as it is), with any other exception when the append may have happened
     *         (the batch must be checked with {@link #copied} before it is sent again)
     */
    CompletableFuture<Outcome> write(DeadLetterBatch batch);

    /**
     * Which offsets of {@code batch} already have their copy in the group's dead-letter topic: what a new leader,
     * or a retry after a write in doubt, must not write again. Only the newest copies of the share-partition are
     * looked at (the tail of the dead-letter partition, bounded), which is enough because of the one-batch-at-a-time
     * rule.
     *
     * @return completes with the copied offsets; exceptionally when the dead-letter topic could not be read (the
     *         caller asks again later)
     */
    CompletableFuture<NavigableSet<Long>> copied(DeadLetterBatch batch);

    /** The batch was certainly not appended: sending it again cannot duplicate it. */
    final class NotWrittenException extends RuntimeException {
        public NotWrittenException(String message) {
            super(message, null, false, false);
        }
    }
}
