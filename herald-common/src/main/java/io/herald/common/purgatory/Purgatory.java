package io.herald.common.purgatory;

import io.herald.common.timer.Timer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where delayed operations wait without holding a thread. An operation watches keys (partitions); an event on a
 * key ({@link #checkAndComplete}) re-checks the operations watching it; the node's shared {@link Timer} forces
 * each one complete at its deadline, and completing cancels that timer task.
 *
 * <p>Completed operations leave the watch lists when their key is next checked or when they expire. A key's
 * (possibly empty) watch set is never removed from the map: removing it could race with an operation being
 * added to it, which would then miss every event until its deadline. Keys are partitions, so this is bounded.
 *
 * <p>Thread-safety: thread-safe; callbacks run on the thread that triggered them (an appending request thread
 * or the timer thread).
 *
 * @param <K> the key type operations watch
 */
public final class Purgatory<K> implements AutoCloseable {
    private final String name;
    private final Timer timer;
    private final Map<K, Set<DelayedOperation>> watchers = new ConcurrentHashMap<>();

    /** @param timer shared with the rest of the node; the purgatory does not close it */
    public Purgatory(String name, Timer timer) {
        this.name = name;
        this.timer = timer;
    }

    /**
     * Completes the operation now if it can; otherwise parks it on the keys and arms its deadline.
     *
     * @return true if it completed immediately
     */
    public boolean tryCompleteElseWatch(DelayedOperation operation, List<K> keys) {
        if (operation.tryComplete()) {
            return true;
        }
        for (K key : keys) {
            watchers.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(operation);
        }
        // Re-check after watching: an append between the first check and the watch would otherwise be missed.
        if (operation.tryComplete()) {
            unwatch(operation, keys);
            return true;
        }
        operation.armed(timer.schedule(operation.delayMs(), () -> {
            operation.forceComplete();
            unwatch(operation, keys);
        }));
        return false;
    }

    /** Re-checks every operation watching {@code key}. */
    public void checkAndComplete(K key) {
        Set<DelayedOperation> ops = watchers.get(key);
        if (ops == null) {
            return;
        }
        for (DelayedOperation op : ops) {
            if (op.isCompleted() || op.tryComplete()) {
                ops.remove(op);
            }
        }
    }

    private void unwatch(DelayedOperation operation, List<K> keys) {
        for (K key : keys) {
            Set<DelayedOperation> ops = watchers.get(key);
            if (ops != null) {
                ops.remove(operation);
            }
        }
    }

    /** Operations watching some key (an operation watching two keys counts twice). */
    public int size() {
        return watchers.values().stream().mapToInt(Set::size).sum();
    }

    public String name() {
        return name;
    }

    /** Completes every waiting operation now (shutdown: answer parked requests). The shared timer stays up. */
    @Override
    public void close() {
        for (Set<DelayedOperation> ops : watchers.values()) {
            ops.forEach(DelayedOperation::forceComplete);
        }
        watchers.clear();
    }
}
