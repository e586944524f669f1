package io.herald.coordinator.runtime;

import io.herald.common.timer.Timer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The keyed timers of one shard incarnation, on the node's shared {@link Timer}: a task that falls due is handed
 * to the runtime's loop, which runs it as a write operation of the shard if it is still the one that scheduled it.
 * {@link #cancelAll} on unload forgets every task at once.
 *
 * <p>Not thread-safe: confined to the runtime's loop (the shared timer only enqueues).
 *
 * @param <R> the record type of the internal topic
 */
final class ShardTimers<R> implements CoordinatorTimer<R> {

    /** Runs a task that fell due and was neither replaced nor cancelled; on the loop. */
    @FunctionalInterface
    interface Firing<R> {
        void fire(String key, Supplier<CoordinatorResult<Void, R>> task);
    }

    private final Timer timer;
    private final Consumer<Runnable> loop;
    private final BooleanSupplier closed;
    private final Firing<R> firing;
    private final Map<String, Scheduled> tasks = new HashMap<>();
    private boolean cancelled;

    /** One scheduled task; identity tells a task from the one that replaced it under the same key. */
    private static final class Scheduled {
        Timer.Timeout timeout;
    }

    /**
     * @param loop   queues work on the runtime's loop
     * @param closed whether the runtime is closed (then nothing is scheduled any more)
     */
    ShardTimers(Timer timer, Consumer<Runnable> loop, BooleanSupplier closed, Firing<R> firing) {
        this.timer = timer;
        this.loop = loop;
        this.closed = closed;
        this.firing = firing;
    }

    @Override
    public void schedule(String key, long delayMs, Supplier<CoordinatorResult<Void, R>> task) {
        cancel(key);
        if (cancelled || closed.getAsBoolean()) {
            return;
        }
        Scheduled scheduled = new Scheduled();
        tasks.put(key, scheduled);
        // fire() runs on the loop after this event, so it sees the timeout assigned here.
        scheduled.timeout = timer.schedule(delayMs, () -> loop.accept(() -> fire(key, scheduled, task)));
    }

    private void fire(String key, Scheduled scheduled, Supplier<CoordinatorResult<Void, R>> task) {
        if (tasks.get(key) != scheduled) {
            return; // replaced or cancelled after it fell due
        }
        tasks.remove(key);
        firing.fire(key, task);
    }

    @Override
    public void cancel(String key) {
        Scheduled scheduled = tasks.remove(key);
        if (scheduled != null) {
            scheduled.timeout.cancel();
        }
    }

    @Override
    public boolean isScheduled(String key) {
        return tasks.containsKey(key);
    }

    @Override
    public int size() {
        return tasks.size();
    }

    /** Unload: every task is forgotten and none will be scheduled again. */
    void cancelAll() {
        cancelled = true;
        tasks.values().forEach(t -> t.timeout.cancel());
        tasks.clear();
    }
}
