package io.herald.coordinator.runtime;

import io.herald.common.txn.VerificationGuard;
import io.herald.common.timer.ManualTimer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.requests.TransactionResult;

/**
 * An in-memory internal topic for tests of the runtime and of the coordinators on it (published in this module's
 * test jar). The test plays the replicas: it says when the high watermark
 * catches up ({@link #commit}), when an append fails, when a replica is not there yet, and when a failover drops
 * the uncommitted suffix ({@link #failover}). Commit deadlines run on the test's manual timer.
 */
public final class MemoryLog<R> implements CoordinatorLog<R> {
    private record Waiter(int partition, long offset, CompletableFuture<Void> future) {
    }

    /** What one offset of the log holds. */
    public sealed interface Entry<R> {
        /** A record the coordinator wrote itself. */
        record Plain<R>(R record) implements Entry<R> {
        }

        /** A record of a producer's transaction. */
        record Transactional<R>(TransactionalProducer producer, R record) implements Entry<R> {
        }

        /** An end-transaction marker. */
        record Marker<R>(TransactionalProducer producer, int coordinatorEpoch, TransactionResult result)
                implements Entry<R> {
        }
    }

    private final ManualTimer timer;
    private final Map<Integer, List<Entry<R>>> logs = new HashMap<>();
    private final Map<Integer, Long> highWatermarks = new HashMap<>();
    private final Set<Integer> unavailable = new HashSet<>();
    private final Map<Integer, RuntimeException> failNextAppend = new HashMap<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private RuntimeException failReplay;
    public int appends;
    public int replays;

    public MemoryLog(ManualTimer timer) {
        this.timer = timer;
    }

    /** The records (not the markers), in log order; an index is an offset while no marker was written. */
    public synchronized List<R> records(int partition) {
        List<R> records = new ArrayList<>();
        for (Entry<R> e : logs.getOrDefault(partition, List.of())) {
            switch (e) {
                case Entry.Plain<R> p -> records.add(p.record());
                case Entry.Transactional<R> t -> records.add(t.record());
                case Entry.Marker<R> m -> { }
            }
        }
        return records;
    }

    /** Every offset of the partition's log. */
    public synchronized List<Entry<R>> entries(int partition) {
        return List.copyOf(logs.getOrDefault(partition, List.of()));
    }

    public synchronized void setAvailable(int partition, boolean available) {
        if (available) {
            unavailable.remove(partition);
        } else {
            unavailable.add(partition);
        }
    }

    public synchronized void failNextAppend(int partition, RuntimeException e) {
        failNextAppend.put(partition, e);
    }

    public synchronized void failReplays(RuntimeException e) {
        failReplay = e;
    }

    /** The ISR caught up: everything appended is committed. */
    public void commit(int partition) {
        List<Waiter> done = new ArrayList<>();
        synchronized (this) {
            highWatermarks.put(partition, (long) logs.getOrDefault(partition, List.of()).size());
            long hw = highWatermarks.get(partition);
            for (var it = waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (w.partition == partition && w.offset <= hw) {
                    it.remove();
                    done.add(w);
                }
            }
        }
        done.forEach(w -> w.future.complete(null));
    }

    /** Leadership moved: waiters fail, and the uncommitted suffix is gone (the new leader never had it). */
    public void failover(int partition) {
        List<Waiter> failed = new ArrayList<>();
        synchronized (this) {
            List<Entry<R>> log = logs.computeIfAbsent(partition, p -> new ArrayList<>());
            int hw = (int) committedOffset(partition);
            log.subList(hw, log.size()).clear();
            for (var it = waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (w.partition == partition) {
                    it.remove();
                    failed.add(w);
                }
            }
        }
        failed.forEach(w -> w.future.completeExceptionally(new NotLeaderOrFollowerException("failover")));
    }

    @Override
    public synchronized boolean isAvailable(int partition) {
        return !unavailable.contains(partition);
    }

    @Override
    public synchronized long append(int partition, List<R> records) {
        return appendEntries(partition, records.stream().<Entry<R>>map(Entry.Plain::new).toList());
    }

    @Override
    public synchronized long appendTransactional(int partition, TransactionalProducer producer,
                                                 VerificationGuard verification, List<R> records) {
        return appendEntries(partition, records.stream()
                .<Entry<R>>map(r -> new Entry.Transactional<>(producer, r)).toList());
    }

    @Override
    public synchronized long appendEndTransactionMarker(int partition, TransactionalProducer producer,
                                                        TransactionEnd end) {
        return appendEntries(partition, List.of(new Entry.Marker<>(producer, end.coordinatorEpoch(), end.result())));
    }

    private long appendEntries(int partition, List<Entry<R>> entries) {
        RuntimeException fail = failNextAppend.remove(partition);
        if (fail != null) {
            throw fail;
        }
        appends++;
        List<Entry<R>> log = logs.computeIfAbsent(partition, p -> new ArrayList<>());
        log.addAll(entries);
        return log.size();
    }

    @Override
    public synchronized long committedOffset(int partition) {
        return highWatermarks.getOrDefault(partition, 0L);
    }

    @Override
    public CompletableFuture<Void> awaitCommitted(int partition, long offset, long timeoutMs) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (this) {
            if (committedOffset(partition) >= offset) {
                return CompletableFuture.completedFuture(null);
            }
            waiters.add(new Waiter(partition, offset, future));
        }
        var timeout = timer.schedule(timeoutMs,
                () -> future.completeExceptionally(new TimeoutException("not committed")));
        future.whenComplete((ok, error) -> timeout.cancel());
        return future;
    }

    @Override
    public long replay(int partition, CoordinatorShard<R> shard) {
        List<Entry<R>> copy;
        synchronized (this) {
            replays++;
            if (failReplay != null) {
                throw failReplay;
            }
            copy = entries(partition);
        }
        for (Entry<R> e : copy) {
            switch (e) {
                case Entry.Plain<R> p -> shard.replay(p.record());
                case Entry.Transactional<R> t -> shard.replayTransactional(t.producer(), t.record());
                case Entry.Marker<R> m -> shard.replayEndTransactionMarker(m.producer(), m.result());
            }
        }
        return copy.size();
    }
}
