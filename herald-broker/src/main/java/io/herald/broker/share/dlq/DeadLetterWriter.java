package io.herald.broker.share.dlq;

import io.herald.broker.partition.LeaderLog;
import io.herald.broker.share.DeadLetterBatch;
import io.herald.broker.share.DeadLetterQueue;
import io.herald.broker.share.dlq.DeadLetterTopics.Target;
import io.herald.common.log.RateLimitedWarnings;
import io.herald.common.time.Time;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's {@link DeadLetterQueue}: each batch becomes one record batch appended with acks=all to the group's
 * dead-letter partition ({@link DeadLetterTopics}), through the {@link LeaderLog} of that partition's leader
 * (this broker's replica, or a Produce to the leader).
 *
 * <p>One attempt per call; the share-partition retries with backoff. The answer says what a retry may do: a
 * misconfigured topic, or an append the leader refused for good (a record too large, say), is
 * {@link Outcome#SKIPPED} with a rate-limited warning naming the group and why, so nothing a client configures can
 * stall a share-partition; a refusal before the append (no leader yet, too few in-sync replicas) is
 * {@link NotWrittenException}; anything after the append may have reached the log (a timeout waiting for the
 * replicas, a lost leadership) and fails as it is, to be checked with {@link #copied} before a retry.
 *
 * <p>Thread-safety: thread-safe. Work (metadata decisions, topic creation, source reads, local appends) runs on
 * {@code executor}, never on the caller's thread, which may be a coordinator's.
 */
public final class DeadLetterWriter implements DeadLetterQueue {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterWriter.class);
    /** At most one warning per group and problem this often. */
    static final long WARN_INTERVAL_MS = 60_000;

    private final DeadLetterTopics topics;
    private final IntFunction<LeaderLog> logs;
    private final DeadLetterScan scan;
    private final Executor executor;
    private final Time time;
    private final RateLimitedWarnings warnings;

    /**
     * @param logs           the dead-letter log of a partition led by the given broker
     * @param maxScanOffsets how far back {@link #copied} looks for copies in doubt
     */
    public DeadLetterWriter(DeadLetterTopics topics, IntFunction<LeaderLog> logs, Executor executor, Time time,
                            int maxScanOffsets) {
        this.topics = topics;
        this.logs = logs;
        this.scan = new DeadLetterScan(maxScanOffsets);
        this.executor = executor;
        this.time = time;
        this.warnings = new RateLimitedWarnings(log, time, WARN_INTERVAL_MS);
    }

    @Override
    public CompletableFuture<Outcome> write(DeadLetterBatch batch) {
        return CompletableFuture.supplyAsync(() -> topics.resolve(batch.groupId(), batch.source()), executor)
                .thenCompose(target -> switch (target) {
                    case Target.Unusable u -> skip(batch, u.reason());
                    case Target.NotReady n -> CompletableFuture.failedFuture(new NotWrittenException(n.reason()));
                    case Target.Ready r -> append(batch, r);
                });
    }

    private CompletableFuture<Outcome> append(DeadLetterBatch batch, Target.Ready target) {
        Optional<MemoryRecords> records = DeadLetterRecords.build(batch, target.copyRecord(), time.milliseconds());
        if (records.isEmpty()) {
            return CompletableFuture.completedFuture(Outcome.WRITTEN); // no record left in the ranges
        }
        return logs.apply(target.leader()).append(target.partition(), records.get())
                .handle((ok, failure) -> {
                    if (failure == null) {
                        log.debug("Dead-lettered {} {} {} to {}", batch.groupId(), batch.source(), batch.ranges(),
                                target.partition());
                        return CompletableFuture.completedFuture(Outcome.WRITTEN);
                    }
                    Throwable cause = unwrap(failure);
                    if (cause instanceof LeaderLog.AppendFailedException e && !e.mayHaveAppended()) {
                        if (refusedForGood(e.error())) {
                            return skip(batch, Optional.of("dead-letter partition " + target.partition()
                                    + " refused the records: " + e.error()));
                        }
                        return CompletableFuture.<Outcome>failedFuture(new NotWrittenException(e.getMessage()));
                    }
                    return CompletableFuture.<Outcome>failedFuture(cause);
                }).thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<NavigableSet<Long>> copied(DeadLetterBatch batch) {
        return CompletableFuture.supplyAsync(() -> topics.resolve(batch.groupId(), batch.source()), executor)
                .thenCompose(target -> switch (target) {
                    // Nothing will be written there, so nothing can be duplicated.
                    case Target.Unusable u -> CompletableFuture.completedFuture(new TreeSet<>());
                    case Target.NotReady n -> CompletableFuture.failedFuture(new NotWrittenException(n.reason()));
                    case Target.Ready r -> scan.copied(logs.apply(r.leader()), r.partition(), batch);
                });
    }

    private CompletableFuture<Outcome> skip(DeadLetterBatch batch, Optional<String> reason) {
        reason.ifPresent(why -> warnings.warn(batch.groupId() + "\u0000" + why, "Share group " + batch.groupId()
                + ": " + why + "; records of " + batch.source() + " are archived without a dead-letter copy"));
        return CompletableFuture.completedFuture(Outcome.SKIPPED);
    }

    /** The leader's refusals that a retry cannot change (Kafka's non-retriable produce errors). */
    private static boolean refusedForGood(Errors error) {
        return error != Errors.UNKNOWN_SERVER_ERROR && !(error.exception() instanceof RetriableException);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
