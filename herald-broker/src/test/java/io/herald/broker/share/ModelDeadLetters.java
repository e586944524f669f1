package io.herald.broker.share;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * A {@link DeadLetterQueue} over an in-memory dead-letter topic (the offsets copied, in append order), for the
 * share-partition tests. By default a write appends at once; tests can hold the answers, or script failures, some
 * of which append before failing (a write in doubt). Thread-safe (synchronized).
 */
final class ModelDeadLetters implements DeadLetterQueue {
    /** What the next writes do instead of succeeding. */
    enum Failure {
        /** Nothing appended, NotWrittenException. */
        NOT_WRITTEN,
        /** Appended, then failed (a timeout waiting for the replicas). */
        APPENDED_THEN_FAILED,
        /** Nothing appended, but the answer does not say so. */
        LOST
    }

    private final List<Long> topic = new ArrayList<>();
    private final List<DeadLetterBatch> writes = new ArrayList<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    private final List<Runnable> held = new ArrayList<>();
    private boolean holding;
    private int checks;
    private int failingChecks;

    synchronized void failNext(Failure... next) {
        failures.addAll(List.of(next));
    }

    /** The next {@code count} checks fail, as when the dead-letter partition's high watermark lags its log end. */
    synchronized void failNextChecks(int count) {
        failingChecks += count;
    }

    synchronized void hold() {
        holding = true;
    }

    void release() {
        List<Runnable> go;
        synchronized (this) {
            holding = false;
            go = new ArrayList<>(held);
            held.clear();
        }
        go.forEach(Runnable::run);
    }

    /** The source offsets in the dead-letter topic, in append order. */
    synchronized List<Long> topic() {
        return List.copyOf(topic);
    }

    synchronized List<DeadLetterBatch> writes() {
        return List.copyOf(writes);
    }

    synchronized int checks() {
        return checks;
    }

    @Override
    public CompletableFuture<Outcome> write(DeadLetterBatch batch) {
        CompletableFuture<Outcome> answer = new CompletableFuture<>();
        Runnable run;
        synchronized (this) {
            writes.add(batch);
            Failure failure = failures.poll();
            if (failure != Failure.NOT_WRITTEN && failure != Failure.LOST) {
                for (ArchivedRecords r : batch.ranges()) {
                    for (long o = r.firstOffset(); o <= r.lastOffset(); o++) {
                        topic.add(o);
                    }
                }
            }
            run = failure == null ? () -> answer.complete(Outcome.WRITTEN)
                    : failure == Failure.NOT_WRITTEN
                    ? () -> answer.completeExceptionally(new NotWrittenException("no leader"))
                    : () -> answer.completeExceptionally(new IllegalStateException("timed out"));
            if (holding) {
                held.add(run);
                return answer;
            }
        }
        run.run();
        return answer;
    }

    @Override
    public CompletableFuture<NavigableSet<Long>> copied(DeadLetterBatch batch) {
        NavigableSet<Long> found = new TreeSet<>();
        synchronized (this) {
            checks++;
            if (failingChecks > 0) {
                failingChecks--;
                return CompletableFuture.failedFuture(new TimeoutException(
                        "the high watermark did not reach the log end"));
            }
            for (long o : topic) {
                if (batch.covers(o)) {
                    found.add(o);
                }
            }
        }
        return CompletableFuture.completedFuture(found);
    }
}
