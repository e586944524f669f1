package io.herald.coordinator.runtime;

import io.herald.common.time.Time;
import io.herald.common.timer.Timer;
import io.herald.common.txn.VerificationGuard;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a coordinator's shards: one {@link CoordinatorShard} per partition of its internal topic that this broker
 * leads, loaded when it becomes the leader and unloaded when it stops, with every operation on one event loop.
 * In the spirit of Kafka's coordinator-common; the group coordinator runs on it, and so will the transaction
 * and share coordinators.
 *
 * <h2>The rules</h2>
 * <ol>
 *   <li><b>One state per log.</b> Between events, an ACTIVE shard's durable state is the replay of its
 *       partition's local log, from the log start to the log end. Operations return records
 *       ({@link CoordinatorResult}); the state reflects them before they are appended, and they are appended
 *       as one batch.</li>
 *   <li><b>Answers after the ISR.</b> Every answer produced during an event (the operation's own response, and
 *       any parked request the event completed) leaves only once everything the shard had applied when it was
 *       produced is committed: the high watermark reached the log end offset of that moment. So an answer never
 *       shows state a failover could take back. A read that finds nothing pending answers at once; one that
 *       finds pending writes waits for them.</li>
 *   <li><b>One failure rule.</b> If an append fails (or an operation fails with something other than a Kafka
 *       {@link ApiException}, which by contract it throws before changing anything), every answer of that event
 *       fails with the normalized error ({@link CoordinatorErrors#forAppend}), and the shard is reloaded from
 *       the log: memory goes back to what the log holds, parked requests are answered by
 *       {@link CoordinatorShard#onUnloaded}, and the partition answers COORDINATOR_LOAD_IN_PROGRESS until the
 *       reload is done. If the records are appended but the ISR does not commit them within
 *       {@code commitTimeoutMs}, the answers fail (COORDINATOR_NOT_AVAILABLE, or NOT_COORDINATOR if leadership
 *       was lost); state and log still agree (rule 1), the records commit later or go with the leadership.</li>
 *   <li><b>Served only when led and loaded.</b> An operation runs only if this broker leads the partition and
 *       its shard is loaded at that leader epoch; otherwise it fails with NOT_COORDINATOR (not led here) or
 *       COORDINATOR_LOAD_IN_PROGRESS.</li>
 * </ol>
 *
 * <h2>Loading</h2>
 * Becoming leader at epoch E schedules a load: a fresh shard replays the partition from its log start to its log
 * end, then {@link CoordinatorShard#onLoaded} arms its timers. A load applies only if this broker still leads at E
 * when it ends; otherwise it is discarded (a resign or a newer become-leader overtook it and scheduled its own
 * event). A newer epoch while the partition stays loaded keeps the state (this broker wrote all of it). A load
 * that cannot start (no replica yet) or fails is retried after a pause. Resigning unloads: timers are cancelled,
 * parked requests answered by the shard, nothing is written.
 *
 * <h2>Threading</h2>
 * All shard code, loads, unloads and timer tasks run on the event loop given at construction (one thread in
 * production; a {@code ManualExecutor} in tests), one event at a time; nothing there blocks on another thread.
 * The {@code schedule…} methods, {@link #onBecomeLeader}, {@link #onResign} and {@link #availability} may be
 * called from any thread. Answers complete on the loop or on the thread that advances the high watermark.
 *
 * @param <S> the shard type
 * @param <R> the record type of the internal topic
 */
public final class CoordinatorRuntime<S extends CoordinatorShard<R>, R> implements PartitionLeadership, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorRuntime.class);
    /** Pause before a load is tried again when the partition has no replica here yet (a become-leader race). */
    static final long NOT_AVAILABLE_RETRY_MS = 100;

    private final CoordinatorRuntimeSettings settings;
    private final CoordinatorLog<R> coordinatorLog;
    private final CoordinatorShardFactory<S, R> factory;
    private final Time time;
    private final Timer timer;
    private final Executor loop;
    private final List<PartitionSlot<S, R>> slots;
    private volatile boolean closed;
    /** The event running on the loop, or null between events. Loop-confined. */
    private Event current;

    /**
     * @param timer the node's shared timer (timer tasks and load retries are handed from it to the loop); not
     *     closed here
     * @param loop  runs every event, one at a time, in submission order; its owner shuts it down after
     *     {@link #close}
     */
    public CoordinatorRuntime(CoordinatorRuntimeSettings settings, CoordinatorLog<R> coordinatorLog,
                              CoordinatorShardFactory<S, R> factory, Time time, Timer timer, Executor loop) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.coordinatorLog = Objects.requireNonNull(coordinatorLog, "coordinatorLog");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.time = Objects.requireNonNull(time, "time");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.loop = Objects.requireNonNull(loop, "loop");
        List<PartitionSlot<S, R>> all = new ArrayList<>(settings.partitions());
        for (int p = 0; p < settings.partitions(); p++) {
            all.add(new PartitionSlot<>(settings.topic(), p));
        }
        this.slots = List.copyOf(all);
    }

    public CoordinatorRuntimeSettings settings() {
        return settings;
    }

    // ---- leadership (any thread) ----

    /** This broker became the partition's leader at {@code leaderEpoch}: load its shard. */
    @Override
    public void onBecomeLeader(int partition, int leaderEpoch) {
        PartitionSlot<S, R> slot = slotOrNull(partition, "leadership");
        if (slot == null) {
            return;
        }
        slot.leaderEpoch = leaderEpoch;
        execute(() -> load(slot, leaderEpoch));
    }

    /** This broker stopped leading the partition: unload its shard. */
    @Override
    public void onResign(int partition, int leaderEpoch) {
        PartitionSlot<S, R> slot = slotOrNull(partition, "resignation");
        if (slot == null) {
            return;
        }
        slot.leaderEpoch = -1;
        execute(() -> unload(slot, leaderEpoch));
    }

    private PartitionSlot<S, R> slotOrNull(int partition, String what) {
        if (partition < 0 || partition >= slots.size()) {
            log.warn("Ignoring the {} of {}-{}: the {} coordinator places state on {} partitions", what,
                    settings.topic(), partition, settings.name(), slots.size());
            return null;
        }
        return slots.get(partition);
    }

    /**
     * Whether operations on the partition can run now: NONE, NOT_COORDINATOR (not led here) or
     * COORDINATOR_LOAD_IN_PROGRESS. Any thread; the answer may be stale by the time an operation runs, which
     * checks again.
     */
    public Errors availability(int partition) {
        return availability(slots.get(partition));
    }

    private Errors availability(PartitionSlot<S, R> slot) {
        int leading = slot.leaderEpoch;
        if (leading < 0) {
            return Errors.NOT_COORDINATOR;
        }
        return slot.state == ShardState.ACTIVE && slot.loadedEpoch == leading ? Errors.NONE
                : Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }

    /** The partition's lifecycle state (tests, diagnostics). */
    public ShardState state(int partition) {
        return slots.get(partition).state;
    }

    // ---- operations (any thread) ----

    /**
     * Runs {@code op} on the partition's shard; its records are made durable and its response answers once they
     * are committed (the class rules). {@code op} may throw an {@link ApiException} before changing anything; the
     * future then fails with it.
     */
    public <T> CompletableFuture<T> scheduleWriteOperation(String name, int partition,
                                                           Function<S, CoordinatorResult<T, R>> op) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        submit(answer, partition, slot -> runWrite(slot, name, Optional.empty(), op, answer));
        return answer;
    }

    /**
     * Like {@link #scheduleWriteOperation}, but the records are written as a transactional batch of
     * {@code producer} (and replayed through {@link CoordinatorShard#replayTransactional}): they count only once
     * the transaction's COMMIT marker reaches the partition ({@link #scheduleTransactionCompletion}).
     *
     * @param verification what the partition's log handed out when the producer's transaction was verified to
     *                     include the partition (KIP-890), presented with the append that may start the transaction
     */
    public <T> CompletableFuture<T> scheduleTransactionalWriteOperation(String name, int partition,
                                                                        TransactionalProducer producer,
                                                                        VerificationGuard verification,
                                                                        Function<S, CoordinatorResult<T, R>> op) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        submit(answer, partition, slot -> runWrite(slot, name,
                Optional.of(new TransactionalWrite(producer, verification)), op, answer));
        return answer;
    }

    /** The producer a transactional write is for, and its verification. */
    private record TransactionalWrite(TransactionalProducer producer, VerificationGuard verification) {}

    /**
     * Ends {@code producer}'s transaction on the partition (a WriteTxnMarkers for this coordinator's internal
     * topic): the marker is replayed into the shard ({@link CoordinatorShard#replayEndTransactionMarker}) and
     * appended, and the answer leaves once it is committed, by the class rules.
     */
    public CompletableFuture<Void> scheduleTransactionCompletion(String name, int partition,
                                                                 TransactionalProducer producer, TransactionEnd end) {
        CompletableFuture<Void> answer = new CompletableFuture<>();
        submit(answer, partition, slot -> {
            Event event = new Event(slot, name);
            event.add(answer, null);
            try {
                slot.shard.replayEndTransactionMarker(producer, end.result());
                slot.lastWrittenOffset = coordinatorLog.appendEndTransactionMarker(slot.partition, producer, end);
            } catch (RuntimeException e) {
                log.warn("Writing the {} marker of producer {} to {} failed ({}); reloading the partition",
                        end.result(),
                        producer.producerId(), slot.name(), e.toString());
                failAndReload(slot, event, null, CoordinatorErrors.forAppend(e));
                return;
            }
            event.releaseAll();
        });
        return answer;
    }

    /**
     * Runs {@code op}, which parks a request: it gets a future to complete later (from another operation or a
     * timer task of the same shard), and may write records now. The answer leaves once the future is completed
     * and everything written by then is committed; a future completed by {@link CoordinatorShard#onUnloaded} (the
     * request is answered because the partition left this broker) answers at once.
     */
    public <T> CompletableFuture<T> scheduleParkedOperation(
            String name, int partition, BiFunction<S, CompletableFuture<T>, CoordinatorResult<Void, R>> op) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        submit(answer, partition, slot -> {
            CompletableFuture<T> parked = new CompletableFuture<>();
            // Registered before op runs, so a future completed inside op belongs to op's own event.
            parked.whenComplete((value, error) -> onParkedCompleted(slot, answer, value, error));
            runWrite(slot, name, Optional.empty(), shard -> op.apply(shard, parked), null);
        });
        return answer;
    }

    /**
     * Runs a read-only {@code op}; it answers once everything the shard holds is committed (at once when nothing
     * is pending).
     */
    public <T> CompletableFuture<T> scheduleReadOperation(String name, int partition, Function<S, T> op) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        submit(answer, partition, slot -> release(slot, answer, op.apply(slot.shard)));
        return answer;
    }

    /** What {@link #scheduleReadOnEveryShard} found: one result per served partition, and whether any loads. */
    public record EveryShard<T>(List<T> results, boolean someLoading) {
    }

    /**
     * Runs a read-only {@code op} on every shard served here (ListGroups); partitions led here but still loading
     * are reported in {@link EveryShard#someLoading}, partitions led elsewhere are another broker's to answer.
     */
    public <T> CompletableFuture<EveryShard<T>> scheduleReadOnEveryShard(String name, Function<S, T> op) {
        CompletableFuture<EveryShard<T>> answer = new CompletableFuture<>();
        execute(answer, () -> {
            List<T> results = new ArrayList<>();
            List<CompletableFuture<?>> commits = new ArrayList<>();
            boolean loading = false;
            for (PartitionSlot<S, R> slot : slots) {
                Errors availability = availability(slot);
                loading |= availability == Errors.COORDINATOR_LOAD_IN_PROGRESS;
                if (availability == Errors.NONE) {
                    results.add(op.apply(slot.shard));
                    CompletableFuture<Void> committed = new CompletableFuture<>();
                    release(slot, committed, null);
                    commits.add(committed);
                }
            }
            EveryShard<T> value = new EveryShard<>(List.copyOf(results), loading);
            CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new)).whenComplete((ok, error) -> {
                if (error != null) {
                    answer.completeExceptionally(CoordinatorErrors.unwrap(error));
                } else {
                    answer.complete(value);
                }
            });
        });
        return answer;
    }

    /** Queues an operation that runs only if the partition is served, else fails {@code answer}. */
    private void submit(CompletableFuture<?> answer, int partition, Consumer<PartitionSlot<S, R>> body) {
        if (partition < 0 || partition >= slots.size()) {
            answer.completeExceptionally(new IllegalArgumentException("partition " + partition
                    + " (expected: 0.." + (slots.size() - 1) + ")"));
            return;
        }
        PartitionSlot<S, R> slot = slots.get(partition);
        execute(answer, () -> {
            Errors availability = availability(slot);
            if (availability != Errors.NONE) {
                throw availability == Errors.NOT_COORDINATOR
                        ? new NotCoordinatorException("This broker does not lead " + slot.name())
                        : new CoordinatorLoadInProgressException("The coordinator is loading " + slot.name());
            }
            body.accept(slot);
        });
    }

    /** Queues {@code task} on the loop; whatever it throws fails {@code answer}. */
    private void execute(CompletableFuture<?> answer, Runnable task) {
        if (closed) {
            answer.completeExceptionally(shuttingDown());
            return;
        }
        try {
            loop.execute(() -> {
                try {
                    task.run();
                } catch (ApiException e) {
                    answer.completeExceptionally(e);
                } catch (RuntimeException e) {
                    log.error("A {} coordinator operation failed", settings.name(), e);
                    answer.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(shuttingDown());
        }
    }

    /** Queues internal work (loads, unloads, timer tasks); dropped once the runtime is closed. */
    private void execute(Runnable task) {
        if (closed) {
            return;
        }
        try {
            loop.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("A {} coordinator task failed", settings.name(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private CoordinatorNotAvailableException shuttingDown() {
        return new CoordinatorNotAvailableException("The " + settings.name() + " coordinator is shutting down");
    }

    // ---- events (loop) ----

    /**
     * One run of shard code: the answers it produced wait for its append and then for the commit of the log end
     * (rule 2), or fail together (rule 3).
     */
    private final class Event {
        final PartitionSlot<S, R> slot;
        final String name;
        private final List<Answer<?>> answers = new ArrayList<>();

        Event(PartitionSlot<S, R> slot, String name) {
            this.slot = slot;
            this.name = name;
        }

        <T> void add(CompletableFuture<T> future, T value) {
            answers.add(new Answer<>(future, value));
        }

        void releaseAll() {
            for (Answer<?> a : answers) {
                releaseAnswer(slot, a);
            }
        }

        void failAll(Throwable error) {
            answers.forEach(a -> a.future.completeExceptionally(error));
        }
    }

    private record Answer<T>(CompletableFuture<T> future, T value) {
    }

    private <T> void releaseAnswer(PartitionSlot<S, R> slot, Answer<T> answer) {
        release(slot, answer.future(), answer.value());
    }

    private <T> void runWrite(PartitionSlot<S, R> slot, String name, Optional<TransactionalWrite> transactional,
                              Function<S, CoordinatorResult<T, R>> op, CompletableFuture<T> answer) {
        Event event = new Event(slot, name);
        CoordinatorResult<T, R> result;
        current = event;
        try {
            result = op.apply(slot.shard);
        } catch (ApiException e) {
            // By contract thrown before any change: only this operation fails.
            current = null;
            event.releaseAll();
            if (answer != null) {
                answer.completeExceptionally(e);
            }
            return;
        } catch (RuntimeException e) {
            current = null;
            log.error("Operation {} on {} failed; reloading the partition", name, slot.name(), e);
            failAndReload(slot, event, answer, new UnknownServerException("Operation " + name + " failed: " + e));
            return;
        } finally {
            current = null;
        }
        if (answer != null) {
            event.add(answer, result.response());
        }
        if (!result.records().isEmpty()) {
            try {
                if (result.replay()) {
                    for (R record : result.records()) {
                        if (transactional.isPresent()) {
                            slot.shard.replayTransactional(transactional.get().producer(), record);
                        } else {
                            slot.shard.replay(record);
                        }
                    }
                }
                slot.lastWrittenOffset = transactional.isPresent()
                        ? coordinatorLog.appendTransactional(slot.partition, transactional.get().producer(),
                        transactional.get().verification(), result.records())
                        : coordinatorLog.append(slot.partition, result.records());
            } catch (RuntimeException e) {
                ApiException error = CoordinatorErrors.forAppend(e);
                log.warn("Writing {} records of {} to {} failed ({}); reloading the partition",
                        result.records().size(), name, slot.name(), e.toString());
                failAndReload(slot, event, answer, error);
                return;
            }
        }
        event.releaseAll();
    }

    private <T> void failAndReload(PartitionSlot<S, R> slot, Event event, CompletableFuture<T> answer, ApiException error) {
        event.failAll(error);
        if (answer != null) {
            answer.completeExceptionally(error);
        }
        reload(slot);
    }

    private <T> void onParkedCompleted(PartitionSlot<S, R> slot, CompletableFuture<T> answer, T value, Throwable error) {
        if (error != null) {
            answer.completeExceptionally(CoordinatorErrors.unwrap(error));
            return;
        }
        Event event = current;
        if (event != null && event.slot == slot) {
            event.add(answer, value);
        } else {
            release(slot, answer, value);
        }
    }

    /** Rule 2: answers once the log end of now is committed; at once if the partition is no longer served. */
    private <T> void release(PartitionSlot<S, R> slot, CompletableFuture<T> answer, T value) {
        if (slot.state != ShardState.ACTIVE) {
            answer.complete(value); // answered because the partition left: the answer says so itself
            return;
        }
        long offset = slot.lastWrittenOffset;
        if (coordinatorLog.committedOffset(slot.partition) >= offset) {
            answer.complete(value);
            return;
        }
        coordinatorLog.awaitCommitted(slot.partition, offset, settings.commitTimeoutMs())
                .whenComplete((ok, error) -> {
                    if (error == null) {
                        answer.complete(value);
                    } else {
                        answer.completeExceptionally(CoordinatorErrors.forCommit(error, slot.name()));
                    }
                });
    }

    // ---- loading (loop) ----

    private void load(PartitionSlot<S, R> slot, int epoch) {
        if (slot.leaderEpoch != epoch) {
            return; // overtaken by a resign or a newer epoch, which scheduled its own event
        }
        if (slot.state == ShardState.ACTIVE) {
            slot.loadedEpoch = epoch; // led here without a break since an older epoch: the state is the log's
            return;
        }
        if (!coordinatorLog.isAvailable(slot.partition)) {
            retryLoad(slot, epoch, NOT_AVAILABLE_RETRY_MS);
            return;
        }
        slot.transitionTo(ShardState.LOADING);
        long incarnation = ++slot.incarnation;
        ShardTimers<R> timers = new ShardTimers<>(timer, this::execute, () -> closed,
                (key, task) -> fireTimer(slot, incarnation, key, task));
        long start = time.nanoseconds();
        long[] records = new long[1];
        S shard;
        long end;
        try {
            shard = factory.create(new CoordinatorShardContext<>(slot.partition, epoch, time, timers));
            end = coordinatorLog.replay(slot.partition, new CountingShard<>(shard, records));
        } catch (RuntimeException e) {
            timers.cancelAll();
            slot.transitionTo(ShardState.FAILED);
            log.error("Loading {} failed; retrying in {} ms", slot.name(), settings.loadRetryBackoffMs(), e);
            retryLoad(slot, epoch, settings.loadRetryBackoffMs());
            return;
        }
        if (slot.leaderEpoch != epoch) {
            timers.cancelAll();
            slot.transitionTo(ShardState.UNLOADED);
            log.info("Discarded the load of {} at leader epoch {}: leadership changed while it ran", slot.name(),
                    epoch);
            return;
        }
        slot.shard = shard;
        slot.timers = timers;
        slot.lastWrittenOffset = end;
        slot.transitionTo(ShardState.ACTIVE);
        slot.loadedEpoch = epoch;
        // onLoaded may arm timers: they belong to this incarnation, which is now the active one.
        shard.onLoaded();
        long ms = (time.nanoseconds() - start) / 1_000_000L;
        if (records[0] > 0) {
            log.info("Loaded {} records of {} at leader epoch {} in {} ms", records[0], slot.name(), epoch, ms);
        } else {
            log.debug("Loaded the empty {} at leader epoch {}", slot.name(), epoch);
        }
    }

    /** A timer task fell due: it runs as a write of the shard that scheduled it, if that shard still serves. */
    private void fireTimer(PartitionSlot<S, R> slot, long incarnation, String key,
                           Supplier<CoordinatorResult<Void, R>> task) {
        if (slot.incarnation != incarnation || availability(slot) != Errors.NONE) {
            return; // the shard that scheduled it is gone, or is about to be (a resign is queued)
        }
        runWrite(slot, "timer " + key, Optional.empty(), shard -> task.get(), null);
    }

    private void retryLoad(PartitionSlot<S, R> slot, int epoch, long delayMs) {
        if (!closed) {
            timer.schedule(delayMs, () -> execute(() -> load(slot, epoch)));
        }
    }

    private void unload(PartitionSlot<S, R> slot, int epoch) {
        boolean wasLoaded = slot.shard != null;
        dropShard(slot, ShardState.UNLOADED);
        if (wasLoaded) {
            log.info("Unloaded {}: this broker no longer leads it (leader epoch {})", slot.name(), epoch);
        }
    }

    /** Rule 3: back to what the log holds. The partition answers COORDINATOR_LOAD_IN_PROGRESS meanwhile. */
    private void reload(PartitionSlot<S, R> slot) {
        dropShard(slot, ShardState.FAILED);
        int epoch = slot.leaderEpoch;
        if (epoch >= 0) {
            execute(() -> load(slot, epoch));
        }
    }

    /** Forgets the shard: its timers stop, its parked requests are answered; nothing is written. */
    private void dropShard(PartitionSlot<S, R> slot, ShardState next) {
        S shard = slot.shard;
        ShardTimers<R> timers = slot.timers;
        slot.shard = null;
        slot.timers = null;
        slot.loadedEpoch = -1;
        slot.transitionTo(next);
        if (timers != null) {
            timers.cancelAll();
        }
        if (shard != null) {
            try {
                shard.onUnloaded();
            } catch (RuntimeException e) {
                log.error("Unloading {} failed", slot.name(), e);
            }
        }
    }

    /**
     * Stops serving: queued operations that have not run fail with COORDINATOR_NOT_AVAILABLE, every shard is
     * unloaded (parked requests answered), timers stop. The caller shuts the loop down afterwards.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        CompletableFuture<Void> unloaded = new CompletableFuture<>();
        execute(unloaded, () -> {
            for (PartitionSlot<S, R> slot : slots) {
                slot.leaderEpoch = -1;
                dropShard(slot, ShardState.UNLOADED);
            }
            unloaded.complete(null);
        });
        closed = true;
    }
}
