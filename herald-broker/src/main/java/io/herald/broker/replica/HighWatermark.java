package io.herald.broker.replica;

import io.herald.storage.log.PartitionLog;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * The leader's high watermark advance and the callers waiting for it to reach an offset
 * ({@link Partition#awaitHighWatermark}).
 *
 * <p>Invariants: the leader's HW is raised only by {@link #maybeRaise}, under this object's monitor (compare and
 * set), and never lowered. A waiter is registered under the same monitor after checking the HW, so a concurrent
 * raise either sees the waiter or the waiter sees the raise; no waiter sleeps through the HW passing its
 * offset. Waiters are completed after the monitor is released, so their callbacks never run under it.
 *
 * <p>Thread-safety: thread-safe (this object's monitor guards the waiter list and orders HW raises).
 */
final class HighWatermark {
    /** A caller waiting for the HW to reach {@code offset}. */
    private record Waiter(long offset, CompletableFuture<Void> future) {}

    private final TopicPartition topicPartition;
    private final PartitionLog log;
    private final List<Waiter> waiters = new ArrayList<>();

    HighWatermark(TopicPartition topicPartition, PartitionLog log) {
        this.topicPartition = topicPartition;
        this.log = log;
    }

    /**
     * Raises the log's HW to {@code target} if that is higher, and completes the waiters it passed. The target is
     * computed under the monitor, so two raises never interleave their reads of the replicas' offsets.
     *
     * @param target the HW the replicas allow now; anything at or below the current HW changes nothing
     * @return true if the HW rose
     */
    boolean maybeRaise(LongSupplier target) {
        List<Waiter> done;
        synchronized (this) {
            long hw = target.getAsLong();
            if (hw <= log.highWatermark()) {
                return false;
            }
            log.updateHighWatermark(hw);
            done = reached(log.highWatermark());
        }
        done.forEach(w -> w.future().complete(null));
        return true;
    }

    /**
     * Completes when the HW reaches {@code offset} (at once if it has); completes exceptionally with a
     * {@link TimeoutException} after {@code timeoutMs}, or with whatever {@link #failAll} is given.
     */
    CompletableFuture<Void> await(long offset, long timeoutMs) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        Waiter waiter = new Waiter(offset, future);
        synchronized (this) {
            if (log.highWatermark() >= offset) {
                return CompletableFuture.completedFuture(null);
            }
            waiters.add(waiter);
        }
        // orTimeout cancels its timer when the HW completes the wait first: group commits wait here one per
        // request, and a timer left armed for every one of them would pile up for the whole timeout.
        return future.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).exceptionallyCompose(error -> {
            if (error instanceof java.util.concurrent.TimeoutException) {
                synchronized (this) {
                    waiters.remove(waiter);
                }
                return CompletableFuture.failedFuture(new TimeoutException("High watermark of " + topicPartition
                        + " did not reach " + offset + " within " + timeoutMs + " ms"));
            }
            return CompletableFuture.failedFuture(error);
        });
    }

    /** Fails every waiter with {@code error} (leadership lost). */
    void failAll(RuntimeException error) {
        List<Waiter> failed;
        synchronized (this) {
            failed = new ArrayList<>(waiters);
            waiters.clear();
        }
        failed.forEach(w -> w.future().completeExceptionally(error));
    }

    /** Waiters whose offset the HW reached, removed from the list. Caller holds this monitor. */
    private List<Waiter> reached(long hw) {
        if (waiters.isEmpty()) {
            return List.of();
        }
        List<Waiter> done = new ArrayList<>();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.offset() <= hw) {
                done.add(w);
                it.remove();
            }
        }
        return done;
    }
}
