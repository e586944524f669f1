package io.herald.broker.share;

import io.herald.broker.share.WindowEffects.ArchivedRange;
import io.herald.broker.share.WindowEffects.LockGrant;
import io.herald.broker.ttl.ExpiredOffsets;
import io.herald.broker.share.WindowEffects.Rules;
import io.herald.common.time.Time;
import io.herald.common.timer.Timer;
import io.herald.coordinator.share.PersistedBatch;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.coordinator.share.ShareStatePersister;
import io.herald.coordinator.share.ShareStateRead;
import io.herald.coordinator.share.ShareStateWrite;
import io.herald.group.config.GroupConfigView;
import io.herald.group.config.ShareAutoOffsetReset;
import io.herald.group.config.ShareGroupSettings;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.InvalidRecordStateException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetNotAvailableException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One share group's view of one topic partition on the partition's leader (KIP-932; Kafka 4.3.1's
 * {@code SharePartition}): which records are in flight, who holds them, how often they were delivered. It loads its
 * state from the {@link ShareStatePersister} on first use, acquires records from the log for fetching members,
 * applies their acknowledgements, expires acquisition locks, and writes every change that acknowledges, archives or
 * releases records back through the persister. The rules themselves live in {@link ShareWindow}; this class owns the
 * lifecycle, the locking, the log reads, the timers and the writes.
 *
 * <p>Kafka's rules kept here: an acknowledgement is answered only once its write succeeded, and rolled back (the
 * records acquired again) if it failed; a lock expiry is applied at once and written without waiting; acquisitions
 * are not written (their delivery counts reach the persister with the records' next write, so a new leader
 * re-delivers records acquired but never acknowledged with their last written count); a write or read answered
 * FENCED_STATE_EPOCH or FENCED_LEADER_EPOCH fences this share-partition, and its owner drops it so the next use
 * loads afresh.
 *
 * <p>Writes go out one at a time, in the order their changes were made, and changes made while a write is out go
 * together in the next one: the share coordinator applies a write's batches in order, so nothing is reordered, and a
 * burst of acknowledgements costs one write per round trip. Each write carries the start offset as it will be once
 * that write's changes are final.
 *
 * <p>Dead-letter topics (KIP-1191): in a group with one, a record rejected or out of deliveries is persisted
 * Archiving (Herald's intent state), copied to the topic through the {@link DeadLetterQueue}, and only then persisted
 * Archived; copies go one batch at a time, each after the previous one is Archived, so after any failure at most the
 * newest batch is in doubt, and it is checked against the topic before it is written again (by this leader after a
 * failed write, by the next leader after loading). That makes each copy exactly once.
 *
 * <p>Thread-safety: thread-safe. State is guarded by one lock, held only for in-memory work: log reads, persister
 * calls and listener calls happen outside it. One fetch at a time reads the log for this share-partition (the fetch
 * lock, Kafka's too), so two fetches never acquire the same new records.
 */
public final class SharePartition {
    private static final Logger log = LoggerFactory.getLogger(SharePartition.class);

    /** A share-partition's lifecycle (Kafka's SharePartitionState). */
    public enum Lifecycle {
        EMPTY, LOADING, ACTIVE, FAILED, FENCED;

        public boolean canTransitionFrom(Lifecycle from) {
            return switch (this) {
                case EMPTY -> false;
                case LOADING -> from == EMPTY;
                case ACTIVE -> from == LOADING;
                case FAILED -> from == LOADING;
                case FENCED -> from != FENCED;
            };
        }
    }

    /** Told of a share-partition's changes, outside its lock. Must not block. */
    public interface Listener {
        /** Records may have become acquirable, the start offset moved, or loading ended: parked fetches look again. */
        void onChange(SharePartition partition);

        /** The share-partition failed to load or lost its state to a newer leader or state epoch: drop it. */
        void onFenced(SharePartition partition, ApiException cause);
    }

    /** What every share-partition of a broker shares. */
    public record Context(ShareStatePersister persister, GroupConfigView configs, Timer timer, Time time,
                          ArchiveListener archiveListener, DeadLetterQueue deadLetters) {
        public Context {
            Objects.requireNonNull(persister, "persister");
            Objects.requireNonNull(configs, "configs");
            Objects.requireNonNull(timer, "timer");
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(archiveListener, "archiveListener");
            Objects.requireNonNull(deadLetters, "deadLetters");
        }
    }

    /**
     * One fetch's limits.
     *
     * @param maxRecords    at most this many records acquired (a whole log batch may exceed it in batch_optimized)
     * @param batchSize     new records are split into in-flight batches of about this many records
     * @param maxBytes      at most this many bytes read, unless {@code minOneMessage}
     * @param minOneMessage the first batch is read even if larger than {@code maxBytes}
     */
    public record FetchParams(AcquireMode mode, int batchSize, int maxRecords, int maxBytes, boolean minOneMessage) {}

    /** What one fetch acquired, and the record batches that hold it (zero-copy where they come from a file). */
    public record Fetch(List<AcquiredRange> acquired, long acquiredCount, BaseRecords records) {
        public static final Fetch EMPTY = new Fetch(List.of(), 0, MemoryRecords.EMPTY);

        public Fetch {
            acquired = List.copyOf(acquired);
        }
    }

    /** An in-flight run of records, as tests and tools see it. */
    public record RecordView(long firstOffset, long lastOffset, RecordState state, int deliveryCount,
                             String memberId, boolean pending) {}

    /**
     * @param intents Archiving runs this (unconditional) write makes durable: their dead-letter copies may start once
     *                it succeeded
     */
    private record QueuedWrite(long writeId, List<PersistedBatch> batches, CompletableFuture<Void> done,
                               List<ArchivedRange> archivedOnCompletion, List<ArchivedRange> intents) {}

    /** What an operation leaves to do once the lock is released. */
    private record Aftermath(boolean changed, List<ArchivedRange> archived) {
        static final Aftermath NONE = new Aftermath(false, List.of());
    }

    private final SharePartitionKey key;
    private final TopicIdPartition partition;
    private final int leaderEpoch;
    private final ShareLog shareLog;
    private final Context ctx;
    private final Listener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean fetchLock = new AtomicBoolean();
    private volatile boolean fetchContended;
    private final DueTimes due;

    // Guarded by lock.
    private Lifecycle lifecycle = Lifecycle.EMPTY;
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();
    private int stateEpoch;
    private ShareWindow window = new ShareWindow(0);
    private long nextLockId = 1;
    private long nextWriteId = 1;
    private final ArrayDeque<QueuedWrite> writes = new ArrayDeque<>();
    private boolean writeInFlight;
    private final DeadLetterProgress deadLetterStep = new DeadLetterProgress();

    public SharePartition(SharePartitionKey key, TopicIdPartition partition, int leaderEpoch, ShareLog shareLog,
                          Context ctx, Listener listener) {
        this.key = Objects.requireNonNull(key, "key");
        this.partition = Objects.requireNonNull(partition, "partition");
        this.leaderEpoch = leaderEpoch;
        this.shareLog = Objects.requireNonNull(shareLog, "shareLog");
        this.ctx = Objects.requireNonNull(ctx, "ctx");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.due = new DueTimes(ctx.timer(), this::onDue);
    }

    public SharePartitionKey key() {
        return key;
    }

    public String groupId() {
        return key.groupId();
    }

    public TopicIdPartition partition() {
        return partition;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    public ShareLog shareLog() {
        return shareLog;
    }

    // ---- loading ----

    /**
     * Loads the state on first use (Kafka's maybeInitialize): read it through the persister with this leader's epoch;
     * a share-partition never initialized, or one whose start offset was never placed (-1), starts where
     * {@code share.auto.offset.reset} says (earliest: the log start offset; latest: the high watermark;
     * by_duration: the first record at or after now minus the duration) and that start is persisted first.
     *
     * @return completes when active, or exceptionally with the Kafka error that stopped loading (the share-partition
     *         is then failed and its owner drops it)
     */
    public CompletableFuture<Void> maybeInitialize() {
        lock.lock();
        try {
            switch (lifecycle) {
                case EMPTY -> transition(Lifecycle.LOADING);
                case LOADING, ACTIVE, FAILED -> {
                    return loaded;
                }
                case FENCED -> {
                    return CompletableFuture.failedFuture(fenced());
                }
            }
        } finally {
            lock.unlock();
        }
        read(false);
        return loaded;
    }

    public boolean isActive() {
        lock.lock();
        try {
            return lifecycle == Lifecycle.ACTIVE;
        } finally {
            lock.unlock();
        }
    }

    public Lifecycle lifecycle() {
        lock.lock();
        try {
            return lifecycle;
        } finally {
            lock.unlock();
        }
    }

    private void read(boolean afterInitialize) {
        ctx.persister().read(key, leaderEpoch).whenComplete((read, failure) -> {
            if (failure != null) {
                failLoad(new UnknownServerException("Reading the share-partition state failed", failure));
            } else {
                onRead(read, afterInitialize);
            }
        });
    }

    private void onRead(ShareStateRead read, boolean afterInitialize) {
        if (read.error() == Errors.INVALID_REQUEST && !afterInitialize) {
            // Never initialized: place the start offset, initialize, and read again to register the leader epoch.
            Optional<Long> start = resetStart();
            if (start.isEmpty()) {
                return;
            }
            log.info("Share-partition {} {} has no state yet: initializing it at start offset {}", key.groupId(),
                    partition, start.get());
            ctx.persister().initialize(key, 0, start.get()).whenComplete((error, failure) -> {
                if (failure == null && error == Errors.NONE) {
                    read(true);
                } else {
                    failLoad(persisterError(failure == null ? error : Errors.UNKNOWN_SERVER_ERROR, "initialize"));
                }
            });
            return;
        }
        if (read.error() != Errors.NONE) {
            failLoad(persisterError(read.error(), "read"));
            return;
        }
        if (read.startOffset() < 0) {
            Optional<Long> start = resetStart();
            if (start.isEmpty()) {
                return;
            }
            log.info("Share-partition {} {} has no start offset yet (state epoch {}): starting at {}", key.groupId(),
                    partition, read.stateEpoch(), start.get());
            ShareStateWrite place = new ShareStateWrite(read.stateEpoch(), leaderEpoch, start.get(), 0, List.of());
            ctx.persister().write(key, place).whenComplete((error, failure) -> {
                if (failure == null && error == Errors.NONE) {
                    activate(read.stateEpoch(), start.get(), List.of());
                } else {
                    failLoad(persisterError(failure == null ? error : Errors.UNKNOWN_SERVER_ERROR, "write"));
                }
            });
            return;
        }
        activate(read.stateEpoch(), read.startOffset(), read.batches());
    }

    /** share.auto.offset.reset, as Kafka reads it for a share-partition: read_uncommitted offsets. */
    private Optional<Long> resetStart() {
        ShareAutoOffsetReset reset = settings().autoOffsetReset();
        try {
            return Optional.of(switch (reset) {
                case ShareAutoOffsetReset.Earliest e -> shareLog.logStartOffset();
                case ShareAutoOffsetReset.Latest l -> shareLog.highWatermark();
                case ShareAutoOffsetReset.ByDuration d -> {
                    long timestamp = ctx.time().milliseconds() - d.duration().toMillis();
                    // Kafka fails the share-partition's load when no record is that recent; the next fetch retries.
                    yield shareLog.offsetForTimestamp(timestamp).orElseThrow(() -> new OffsetNotAvailableException(
                            "Offset for timestamp " + timestamp + " not found for topic partition: " + partition));
                }
            });
        } catch (ApiException e) {
            failLoad(e);
            return Optional.empty();
        }
    }

    private void activate(int epoch, long startOffset, List<PersistedBatch> batches) {
        lock.lock();
        try {
            if (lifecycle != Lifecycle.LOADING) {
                return; // fenced meanwhile
            }
            stateEpoch = epoch;
            window = ShareWindow.fromPersisted(startOffset, batches);
            transition(Lifecycle.ACTIVE);
        } finally {
            lock.unlock();
        }
        log.debug("Loaded share-partition {} {}: {}", key.groupId(), partition, window);
        loaded.complete(null);
        listener.onChange(this);
        maybeSendWrite(); // loaded Archiving records: check the dead-letter topic for them
    }

    private void failLoad(ApiException cause) {
        lock.lock();
        try {
            if (lifecycle != Lifecycle.LOADING) {
                return;
            }
            transition(Lifecycle.FAILED);
        } finally {
            lock.unlock();
        }
        log.info("Share-partition {} {} could not be loaded: {}", key.groupId(), partition, cause.toString());
        loaded.completeExceptionally(cause);
        listener.onFenced(this, cause);
    }

    /** Stops serving: leadership moved, the state was fenced, or the group went away. Queued writes fail. */
    public void fence() {
        List<QueuedWrite> dropped;
        lock.lock();
        try {
            if (lifecycle == Lifecycle.FENCED) {
                return;
            }
            transition(Lifecycle.FENCED);
            due.close();
            dropped = new ArrayList<>(writes);
            writes.clear();
            deadLetterStep.abandon();
        } finally {
            lock.unlock();
        }
        loaded.completeExceptionally(fenced());
        for (QueuedWrite w : dropped) {
            if (w.done() != null) {
                w.done().completeExceptionally(fenced());
            }
        }
    }

    private NotLeaderOrFollowerException fenced() {
        return new NotLeaderOrFollowerException("The share-partition " + key.groupId() + " " + partition
                + " is no longer served here");
    }

    private void transition(Lifecycle to) {
        if (!to.canTransitionFrom(lifecycle)) {
            throw new IllegalStateException("share-partition " + key.coordinatorKey() + ": " + lifecycle + " -> " + to);
        }
        lifecycle = to;
    }

    // ---- fetching ----

    /**
     * Reads the log from the next fetch offset and acquires what it can for {@code memberId}.
     *
     * @return empty if the share-partition is not active or another fetch is reading it right now (a parked fetch
     *         is told when that one is done); {@link Fetch#EMPTY} when nothing could be acquired
     * @throws ApiException the log read failed (NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR, ...)
     */
    public Optional<Fetch> tryFetch(String memberId, FetchParams params) {
        if (!fetchLock.compareAndSet(false, true)) {
            fetchContended = true;
            return Optional.empty();
        }
        try {
            ShareGroupSettings settings = settings();
            long fetchOffset;
            long lastOffsetWanted;
            Aftermath before;
            lock.lock();
            try {
                if (lifecycle != Lifecycle.ACTIVE) {
                    return Optional.empty();
                }
                WindowEffects fx = effects(settings, 0);
                window.moveToLogStart(shareLog.logStartOffset(), fx);
                boolean acquirable = window.canAcquire(fx.rules.nowMs(), settings.partitionMaxRecordLocks());
                fetchOffset = window.nextFetchOffset(fx.rules.nowMs());
                // Past the in-flight window every record is new: MaxRecords of them are all one fetch can take.
                lastOffsetWanted = Math.max(fetchOffset, window.endOffset()) + params.maxRecords();
                before = finish(fx);
                if (!acquirable) {
                    fetchOffset = -1;
                }
            } finally {
                lock.unlock();
            }
            deliver(before);
            maybeSendWrite();
            if (fetchOffset < 0) {
                return Optional.of(Fetch.EMPTY);
            }
            ShareLog.Chunk chunk;
            try {
                chunk = shareLog.read(fetchOffset, params.maxBytes(), params.minOneMessage(),
                        settings.isolationLevel(), lastOffsetWanted);
            } catch (OffsetOutOfRangeException e) {
                if (fetchOffset < shareLog.logStartOffset()) {
                    return Optional.of(Fetch.EMPTY); // retention raced the read; the next fetch starts at the log start
                }
                throw e;
            }
            if (chunk.batches().isEmpty()) {
                return Optional.of(Fetch.EMPTY);
            }
            ExpiredOffsets expired = shareLog.expired(chunk, ctx.time().milliseconds());
            ShareWindow.Acquired acquired;
            Aftermath after;
            lock.lock();
            try {
                if (lifecycle != Lifecycle.ACTIVE) {
                    return Optional.empty();
                }
                WindowEffects fx = effects(settings, 0);
                acquired = window.acquire(memberId, params.mode(), params.batchSize(), params.maxRecords(),
                        fetchOffset, chunk, settings.isolationLevel(), expired, fx);
                window.advanceStart(fx);
                after = finish(fx);
            } finally {
                lock.unlock();
            }
            deliver(after);
            maybeSendWrite();
            if (acquired.ranges().isEmpty()) {
                return Optional.of(Fetch.EMPTY);
            }
            return Optional.of(new Fetch(merge(acquired.ranges()), acquired.count(), slice(chunk, acquired.ranges())));
        } finally {
            fetchLock.set(false);
            if (fetchContended) {
                fetchContended = false;
                listener.onChange(this);
            }
        }
    }

    /**
     * Whether another fetch is reading this share-partition's log right now. If so, that fetch tells the listener
     * when it is done, so a parked fetch can wait for it instead of completing into a read that finds it busy.
     */
    public boolean fetchInProgress() {
        if (!fetchLock.get()) {
            return false;
        }
        fetchContended = true;
        return fetchLock.get(); // released meanwhile: the caller may read now
    }

    /**
     * For a parked fetch's min-bytes check: the bytes a fetch would read now, or -1 when nothing can be acquired
     * (not active, at {@code share.partition.max.record.locks} with nothing released).
     */
    public int acquirableBytes(int maxBytes) {
        ShareGroupSettings settings = settings();
        long offset;
        lock.lock();
        try {
            if (lifecycle != Lifecycle.ACTIVE) {
                return -1;
            }
            long now = ctx.time().milliseconds();
            if (!window.canAcquire(now, settings.partitionMaxRecordLocks())) {
                return -1;
            }
            offset = Math.max(window.nextFetchOffset(now), shareLog.logStartOffset());
        } finally {
            lock.unlock();
        }
        try {
            return shareLog.bytesAvailable(offset, maxBytes, settings.isolationLevel());
        } catch (OffsetOutOfRangeException e) {
            return 0;
        }
    }

    /** Kafka's accumulateAcquiredRecords: adjacent ranges with the same delivery count go as one. */
    private static List<AcquiredRange> merge(List<AcquiredRange> ranges) {
        List<AcquiredRange> out = new ArrayList<>();
        AcquiredRange current = null;
        for (AcquiredRange r : ranges) {
            if (current != null && current.lastOffset() + 1 == r.firstOffset()
                    && current.deliveryCount() == r.deliveryCount()) {
                current = new AcquiredRange(current.firstOffset(), r.lastOffset(), r.deliveryCount());
            } else {
                if (current != null) {
                    out.add(current);
                }
                current = r;
            }
        }
        if (current != null) {
            out.add(current);
        }
        return out;
    }

    /** Kafka's maybeSliceFetchRecords: only the batches that hold acquired records go back. */
    private static BaseRecords slice(ShareLog.Chunk chunk, List<AcquiredRange> acquired) {
        long first = acquired.get(0).firstOffset();
        long last = acquired.get(acquired.size() - 1).lastOffset();
        int from = -1;
        int to = -1;
        for (FetchedBatch b : chunk.batches()) {
            if (b.lastOffset() < first) {
                continue;
            }
            if (b.baseOffset() > last) {
                break;
            }
            if (from < 0) {
                from = b.position();
            }
            to = b.position() + b.sizeInBytes();
        }
        return from < 0 ? MemoryRecords.EMPTY : chunk.slicer().records(from, to - from);
    }

    // ---- acknowledgements ----

    /**
     * Applies {@code memberId}'s acknowledgements, all or nothing; answered once written.
     *
     * @return completes when the change is persisted, or exceptionally with INVALID_REQUEST, INVALID_RECORD_STATE,
     *         the persister's error (NOT_LEADER_OR_FOLLOWER when fenced, COORDINATOR_NOT_AVAILABLE, ...)
     */
    public CompletableFuture<Void> acknowledge(String memberId, List<AcknowledgementBatch> batches) {
        return change(fx -> window.acknowledge(memberId, batches, fx));
    }

    /** A closing share session gives {@code memberId}'s acquired records back; answered once written. */
    public CompletableFuture<Void> releaseAcquiredRecords(String memberId) {
        return change(fx -> window.releaseAll(memberId, fx));
    }

    private interface Change {
        void apply(WindowEffects fx);
    }

    private CompletableFuture<Void> change(Change change) {
        ShareGroupSettings settings = settings();
        CompletableFuture<Void> done = new CompletableFuture<>();
        ApiException failure = null;
        Aftermath after;
        lock.lock();
        try {
            if (lifecycle == Lifecycle.FENCED || lifecycle == Lifecycle.FAILED) {
                return CompletableFuture.failedFuture(fenced());
            }
            if (lifecycle != Lifecycle.ACTIVE) {
                return CompletableFuture.failedFuture(new InvalidRecordStateException(
                        "The share-partition is still loading; nothing is acquired yet."));
            }
            long writeId = nextWriteId++;
            WindowEffects fx = effects(settings, writeId);
            try {
                change.apply(fx);
            } catch (ApiException e) {
                failure = e;
            }
            if (failure != null) {
                // All or nothing: undo what this request started (renewals stay, as in Kafka).
                fx.writes.clear();
                WindowEffects undo = effects(settings, 0);
                window.rollback(writeId, undo);
                after = combine(finish(fx), finish(undo));
            } else if (fx.writes.isEmpty()) {
                after = finish(fx);
                done.complete(null);
            } else {
                writes.add(new QueuedWrite(writeId, List.copyOf(fx.writes), done, List.of(), List.copyOf(fx.intents)));
                fx.writes.clear();
                fx.intents.clear();
                after = finish(fx);
            }
        } finally {
            lock.unlock();
        }
        deliver(after);
        maybeSendWrite();
        if (failure != null) {
            done.completeExceptionally(failure);
        }
        return done;
    }

    // ---- timers ----

    private void onDue(long task) {
        Aftermath after;
        lock.lock();
        try {
            due.fired(task);
            if (lifecycle != Lifecycle.ACTIVE) {
                return;
            }
            WindowEffects fx = effects(settings(), 0);
            for (DueTimes.Due d : due.pollDue(fx.rules.nowMs())) {
                if (d.isLock()) {
                    window.expireLock(d.lockId(), d.first(), d.last(), fx);
                } else {
                    window.markMaybeAvailable(); // a retry backoff ended (or a dead-letter retry is due)
                    fx.changed = true;
                }
            }
            if (deadLetterStep.takeIntentRewrite(fx.rules.nowMs())) {
                window.rewriteIntents(fx);
            }
            after = finish(fx);
        } finally {
            lock.unlock();
        }
        deliver(after);
        maybeSendWrite();
    }

    // ---- effects and writes ----

    private WindowEffects effects(ShareGroupSettings settings, long writeId) {
        return new WindowEffects(new Rules(ctx.time().milliseconds(), settings), writeId, () -> nextLockId++);
    }

    /**
     * Under the lock: arms what the operation asked for and queues its unconditional writes (expiries, with the
     * archives to report once written). Returns what to do after unlocking.
     */
    private Aftermath finish(WindowEffects fx) {
        for (LockGrant g : fx.locks) {
            due.addLock(g);
        }
        for (long at : fx.wakeups) {
            due.addWakeUp(at);
        }
        due.rearm(fx.rules.nowMs());
        List<ArchivedRange> archivedNow = fx.archived;
        if (!fx.writes.isEmpty() || fx.startMoved) {
            writes.add(new QueuedWrite(0, List.copyOf(fx.writes), null, List.copyOf(fx.archived),
                    List.copyOf(fx.intents)));
            archivedNow = List.of();
        }
        return new Aftermath(fx.changed, List.copyOf(archivedNow));
    }

    private static Aftermath combine(Aftermath a, Aftermath b) {
        List<ArchivedRange> archived = new ArrayList<>(a.archived());
        archived.addAll(b.archived());
        return new Aftermath(a.changed() || b.changed(), archived);
    }

    private void deliver(Aftermath after) {
        for (ArchivedRange r : after.archived()) {
            try {
                ctx.archiveListener().onArchived(new ArchivedRecords(key.groupId(), partition, r.first(), r.last(),
                        r.deliveryCount(), r.reason()));
            } catch (RuntimeException e) {
                log.warn("The archive listener failed for {} {} [{}, {}]", key.groupId(), partition, r.first(),
                        r.last(), e);
            }
        }
        if (after.changed()) {
            listener.onChange(this);
        }
    }

    /** Takes the next dead-letter step if one is due, then sends the queued writes. */
    private void maybeSendWrite() {
        maybeDeadLetter();
        sendQueuedWrites();
    }

    /** Sends the queued writes as one, unless one is out already (its completion sends the next). */
    private void sendQueuedWrites() {
        List<QueuedWrite> sending;
        ShareStateWrite write;
        lock.lock();
        try {
            if (writeInFlight || writes.isEmpty() || lifecycle != Lifecycle.ACTIVE) {
                return;
            }
            sending = new ArrayList<>(writes);
            writes.clear();
            List<PersistedBatch> batches = new ArrayList<>();
            Set<Long> committing = new HashSet<>();
            for (QueuedWrite w : sending) {
                batches.addAll(w.batches());
                if (w.writeId() != 0) {
                    committing.add(w.writeId());
                }
            }
            long[] progress = window.persistedProgress(committing::contains);
            write = new ShareStateWrite(stateEpoch, leaderEpoch, progress[0], (int) progress[1], batches);
            writeInFlight = true;
        } finally {
            lock.unlock();
        }
        ctx.persister().write(key, write).whenComplete((error, failure) ->
                onWritten(sending, failure != null ? Errors.UNKNOWN_SERVER_ERROR : error));
    }

    private void onWritten(List<QueuedWrite> sent, Errors error) {
        boolean fencedNow = false;
        Aftermath after;
        List<QueuedWrite> dropped = List.of();
        List<ArchivedRange> attempted = new ArrayList<>();
        lock.lock();
        try {
            writeInFlight = false;
            if (lifecycle != Lifecycle.ACTIVE) {
                after = Aftermath.NONE;
            } else {
                WindowEffects fx = effects(settings(), 0);
                for (QueuedWrite w : sent) {
                    attempted.addAll(w.archivedOnCompletion());
                    if (!w.intents().isEmpty()) {
                        if (error == Errors.NONE) {
                            window.confirmIntents(w.intents());
                        } else {
                            due.addWakeUp(deadLetterStep.intentWriteFailed(fx.rules.nowMs()));
                        }
                    }
                    if (w.writeId() != 0 && deadLetterStep.isArchiving(w.writeId())) {
                        long retryAt = deadLetterStep.archived(error == Errors.NONE, fx.rules.nowMs());
                        if (retryAt > 0) {
                            due.addWakeUp(retryAt);
                        }
                    }
                    if (w.writeId() == 0) {
                        continue;
                    }
                    if (error == Errors.NONE) {
                        window.commit(w.writeId(), fx);
                    } else {
                        window.rollback(w.writeId(), fx);
                    }
                }
                window.advanceStart(fx);
                if (fences(error)) {
                    fencedNow = true;
                    transition(Lifecycle.FENCED);
                    due.close();
                    deadLetterStep.abandon();
                    dropped = new ArrayList<>(writes);
                    writes.clear();
                    fx.writes.clear();
                }
                after = finish(fx);
            }
        } finally {
            lock.unlock();
        }
        ApiException cause = error == Errors.NONE ? null : persisterError(error, "write");
        if (error != Errors.NONE) {
            log.debug("Writing share-partition {} {} failed: {}", key.groupId(), partition, error);
        }
        for (QueuedWrite w : sent) {
            if (w.done() == null) {
                continue;
            }
            if (cause == null) {
                w.done().complete(null);
            } else {
                w.done().completeExceptionally(cause);
            }
        }
        for (QueuedWrite w : dropped) {
            if (w.done() != null) {
                w.done().completeExceptionally(cause);
            }
        }
        List<ArchivedRange> archived = new ArrayList<>(attempted);
        archived.addAll(after.archived());
        deliver(new Aftermath(after.changed(), archived));
        if (fencedNow) {
            log.info("Share-partition {} {} was fenced ({}); it will be loaded again", key.groupId(), partition,
                    error);
            listener.onFenced(this, cause);
        } else {
            maybeSendWrite();
        }
    }

    // ---- dead-letter copies ----

    /**
     * Takes the next step of the dead-letter copies, unless one is under way or a retry is not due yet (see
     * {@link DeadLetterStage}): first the Archived write of copied runs, then the check of runs in doubt, then the
     * copy of the oldest queued runs. One step at a time, so a new batch is copied only once the previous one is
     * persisted Archived.
     */
    private void maybeDeadLetter() {
        List<ArchivedRange> ranges;
        DeadLetterCall call;
        CompletableFuture<?> token = new CompletableFuture<>();
        lock.lock();
        try {
            long now = ctx.time().milliseconds();
            if (lifecycle != Lifecycle.ACTIVE || !deadLetterStep.idleAt(now)) {
                return;
            }
            ShareGroupSettings settings = settings();
            WindowEffects fx = effects(settings, nextWriteId);
            if (window.archiveCopied(fx)) {
                nextWriteId++;
                deadLetterStep.startArchiving(fx.writeId);
                writes.add(new QueuedWrite(fx.writeId, List.copyOf(fx.writes), null, List.of(), List.of()));
                return; // sent by the caller, with whatever else is queued
            }
            ranges = window.startCheckingInDoubt(settings.deliveryCountLimit());
            call = DeadLetterCall.CHECK;
            if (ranges.isEmpty()) {
                ranges = window.startCopying(DeadLetterProgress.MAX_BATCH_RECORDS, settings.deliveryCountLimit());
                call = DeadLetterCall.WRITE;
            }
            if (ranges.isEmpty()) {
                return;
            }
            deadLetterStep.startCall(token);
        } finally {
            lock.unlock();
        }
        List<ArchivedRecords> records = new ArrayList<>(ranges.size());
        for (ArchivedRange r : ranges) {
            records.add(new ArchivedRecords(key.groupId(), partition, r.first(), r.last(), r.deliveryCount(),
                    r.reason()));
        }
        DeadLetterBatch batch = new DeadLetterBatch(key.groupId(), partition, shareLog, records);
        try {
            CompletableFuture<Set<Long>> answer = call == DeadLetterCall.CHECK
                    ? ctx.deadLetters().copied(batch).thenApply(copied -> copied)
                    : ctx.deadLetters().write(batch).thenApply(outcome -> null);
            final DeadLetterCall made = call;
            answer.whenComplete((copied, failure) -> onDeadLetterDone(token, batch, made, copied, failure));
        } catch (RuntimeException e) {
            onDeadLetterDone(token, batch, call, null, e);
        }
    }

    /** The two calls to the dead-letter queue. */
    private enum DeadLetterCall { CHECK, WRITE }

    /**
     * A write or check ended.
     *
     * @param copied for a check, the offsets found in the dead-letter topic
     */
    private void onDeadLetterDone(CompletableFuture<?> token, DeadLetterBatch batch, DeadLetterCall call,
                                  Set<Long> copied, Throwable failure) {
        lock.lock();
        try {
            if (lifecycle != Lifecycle.ACTIVE || !deadLetterStep.finishCall(token)) {
                return; // fenced meanwhile: the next leader checks what this one may have written
            }
            long now = ctx.time().milliseconds();
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                // A failed check stays in doubt; a failed write is in doubt unless certainly not appended.
                window.finishCopying(o -> false, call == DeadLetterCall.WRITE
                        && cause instanceof DeadLetterQueue.NotWrittenException
                        ? DeadLetterStage.QUEUED : DeadLetterStage.IN_DOUBT);
                long retryAt = deadLetterStep.failed(now);
                due.addWakeUp(retryAt);
                due.rearm(now);
                log.debug("Dead-letter {} of {} {} {} failed, again in {} ms: {}", call, key.groupId(), partition,
                        batch.ranges(), retryAt - now, cause.toString());
            } else if (call == DeadLetterCall.CHECK) {
                if (!copied.isEmpty()) {
                    log.info("Share-partition {} {}: {} records in doubt were already in the dead-letter topic; "
                            + "they are not written again", key.groupId(), partition, copied.size());
                }
                window.finishCopying(copied::contains, DeadLetterStage.QUEUED);
                deadLetterStep.succeeded();
            } else {
                window.finishCopying(o -> true, DeadLetterStage.WRITTEN);
                deadLetterStep.succeeded();
            }
        } finally {
            lock.unlock();
        }
        maybeSendWrite();
    }

    /** The persister errors after which this share-partition's view of the state can no longer be trusted. */
    private static boolean fences(Errors error) {
        return error == Errors.FENCED_STATE_EPOCH || error == Errors.FENCED_LEADER_EPOCH
                || error == Errors.GROUP_ID_NOT_FOUND || error == Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }

    /** Kafka's fetchPersisterError: what a client is told when the persister refused. */
    static ApiException persisterError(Errors error, String what) {
        String message = "Share-partition state " + what + " failed: " + error.name();
        return switch (error) {
            case NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS ->
                    new CoordinatorNotAvailableException(message);
            case GROUP_ID_NOT_FOUND -> new GroupIdNotFoundException(message);
            case UNKNOWN_TOPIC_OR_PARTITION -> new UnknownTopicOrPartitionException(message);
            case FENCED_LEADER_EPOCH, FENCED_STATE_EPOCH -> new NotLeaderOrFollowerException(message);
            default -> new UnknownServerException(message);
        };
    }

    private ShareGroupSettings settings() {
        return ctx.configs().share(key.groupId());
    }

    // ---- views ----

    public long startOffset() {
        lock.lock();
        try {
            return window.startOffset();
        } finally {
            lock.unlock();
        }
    }

    /** The exclusive end of the window: the first offset never acquired. */
    public long endOffset() {
        lock.lock();
        try {
            return window.endOffset();
        } finally {
            lock.unlock();
        }
    }

    public int deliveryCompleteCount() {
        lock.lock();
        try {
            return window.deliveryCompleteCount();
        } finally {
            lock.unlock();
        }
    }

    public int stateEpoch() {
        lock.lock();
        try {
            return stateEpoch;
        } finally {
            lock.unlock();
        }
    }

    /** The in-flight runs, in offset order. */
    public List<RecordView> inFlight() {
        lock.lock();
        try {
            List<RecordView> out = new ArrayList<>();
            for (InFlightRun r : window.runs().values()) {
                out.add(new RecordView(r.first, r.last, r.state, r.deliveryCount, r.memberId, r.pending()));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** How many lock deadlines and backoff ends wait (tests: that no timer task per record piles up). */
    int pendingDueTimes() {
        lock.lock();
        try {
            return due.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "SharePartition(" + key.groupId() + ", " + partition + ", epoch " + leaderEpoch + ")";
    }
}
