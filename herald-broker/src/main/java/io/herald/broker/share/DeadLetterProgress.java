package io.herald.broker.share;

import java.util.concurrent.CompletableFuture;

/**
 * The one dead-letter step a share-partition has under way, and when it may try again after a failure. Steps are a
 * write or check handed to the {@link DeadLetterQueue}, or the Archived write of copied records; there is never more
 * than one, which is the one-batch-at-a-time rule of {@link DeadLetterStage}. Failures back off exponentially,
 * from {@value #RETRY_BACKOFF_MS} ms to {@value #MAX_RETRY_BACKOFF_MS} ms.
 *
 * <p>Not thread-safe: confined to the share-partition's lock.
 */
final class DeadLetterProgress {
    /** The most offsets one dead-letter batch spans (one append to the dead-letter topic). */
    static final long MAX_BATCH_RECORDS = 500;
    static final long RETRY_BACKOFF_MS = 100;
    static final long MAX_RETRY_BACKOFF_MS = 10_000;
    /** How long after a failed lock-expiry write its Archiving state is written again. */
    static final long INTENT_RETRY_MS = 1_000;

    /** The write or check under way (a token the answer is matched against), or null. */
    private CompletableFuture<?> call;
    /** The Archived write of copied records under way, or 0. */
    private long archivingWriteId;
    private long retryAtMs;
    private int failures;
    private long intentRewriteAtMs = -1;

    /** No step under way and no retry pending at {@code nowMs}. */
    boolean idleAt(long nowMs) {
        return call == null && archivingWriteId == 0 && nowMs >= retryAtMs;
    }

    void startCall(CompletableFuture<?> token) {
        assert call == null && archivingWriteId == 0;
        call = token;
    }

    /** The answer to {@code token} arrived; false when the step was abandoned meanwhile (ignore the answer). */
    boolean finishCall(CompletableFuture<?> token) {
        if (call != token) {
            return false;
        }
        call = null;
        return true;
    }

    void startArchiving(long writeId) {
        assert call == null && archivingWriteId == 0 && writeId != 0;
        archivingWriteId = writeId;
    }

    boolean isArchiving(long writeId) {
        return writeId != 0 && writeId == archivingWriteId;
    }

    /**
     * The Archived write ended.
     *
     * @return when to try again (a wake-up to arm), or 0 when it succeeded
     */
    long archived(boolean succeeded, long nowMs) {
        archivingWriteId = 0;
        if (succeeded) {
            succeeded();
            return 0;
        }
        return failed(nowMs);
    }

    /** A step failed: the next waits. @return when it may run */
    long failed(long nowMs) {
        failures++;
        long backoff = Math.min(MAX_RETRY_BACKOFF_MS, RETRY_BACKOFF_MS << Math.min(failures - 1, 16));
        retryAtMs = nowMs + backoff;
        return retryAtMs;
    }

    void succeeded() {
        failures = 0;
        retryAtMs = 0;
    }

    /** A lock-expiry write carrying Archiving states failed. @return when to write them again */
    long intentWriteFailed(long nowMs) {
        intentRewriteAtMs = nowMs + INTENT_RETRY_MS;
        return intentRewriteAtMs;
    }

    /** Whether the Archiving states of failed lock-expiry writes are due to be written again (once). */
    boolean takeIntentRewrite(long nowMs) {
        if (intentRewriteAtMs < 0 || nowMs < intentRewriteAtMs) {
            return false;
        }
        intentRewriteAtMs = -1;
        return true;
    }

    /** The share-partition stopped serving: an answer still out is ignored. */
    void abandon() {
        call = null;
        archivingWriteId = 0;
    }
}
