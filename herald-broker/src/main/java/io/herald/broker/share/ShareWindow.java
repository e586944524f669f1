package io.herald.broker.share;

import io.herald.broker.share.WindowEffects.ArchivedRange;
import io.herald.broker.ttl.ExpiredOffsets;
import io.herald.broker.share.WindowEffects.LockGrant;
import io.herald.coordinator.share.PersistedBatch;
import io.herald.storage.txn.AbortedTransaction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongPredicate;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.InvalidRecordStateException;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * The in-flight window of a share-partition and Kafka 4.3.1's rules for it ({@code SharePartition}): the start
 * offset (SPSO: every record below it is done), the end offset (exclusive: the first offset never acquired), and
 * the delivery state of each offset in between, as {@link InFlightRun}s grouped in in-flight batches.
 *
 * <p>Invariants: runs never overlap and are keyed by their first offset; the start offset never moves back; runs
 * below the start offset are only ones still acquired (after the log start offset moved past them), since
 * terminal runs below it are dropped; an empty window has {@code start == end}; a terminal state is never left.
 * Offsets inside {@code [start, end)} that no run covers are offsets the log has no record for (compaction).
 *
 * <p>Pure state: no I/O, no clock, no locks. Each operation gets {@link WindowEffects} with the time and the
 * group's settings and records there what must happen outside.
 *
 * <p>Not thread-safe: confined to the share-partition's lock.
 */
final class ShareWindow {
    private static final String BATCH_NOT_FOUND =
            "Batch record not found. The request batch offsets are not found in the cache.";
    private static final String NOT_COMPLETED =
            "The record state is invalid. The acknowledgement of delivery could not be completed.";

    private final TreeMap<Long, InFlightRun> runs = new TreeMap<>();
    private long startOffset;
    private long endOffset;
    /** Kafka's findNextFetchOffset: some record may be acquirable below the end offset. */
    private boolean maybeAvailable;

    ShareWindow(long startOffset) {
        this.startOffset = startOffset;
        this.endOffset = startOffset;
    }

    /**
     * The window a new leader starts from: the persisted start offset and in-flight batches. Offsets between them
     * that the persister does not know (acquired before, never acknowledged) become available batches delivered
     * 0 times; batches below the start offset are dropped and one straddling it is cut at it.
     */
    static ShareWindow fromPersisted(long startOffset, List<PersistedBatch> batches) {
        ShareWindow w = new ShareWindow(startOffset);
        long cursor = startOffset;
        List<PersistedBatch> sorted = new ArrayList<>(batches);
        sorted.sort(Comparator.comparingLong(PersistedBatch::firstOffset));
        for (PersistedBatch b : sorted) {
            long first = Math.max(Math.max(b.firstOffset(), startOffset), cursor);
            if (first > b.lastOffset()) {
                continue;
            }
            if (first > cursor) {
                w.put(new InFlightRun(cursor, first - 1, cursor, first - 1, RecordState.AVAILABLE, 0));
            }
            InFlightRun run = new InFlightRun(first, b.lastOffset(), first, b.lastOffset(),
                    RecordState.forPersistedId(b.deliveryState()), b.deliveryCount());
            if (run.state == RecordState.ARCHIVING) {
                run.deadLetter = DeadLetterStage.IN_DOUBT; // the last leader may have copied it before failing
            }
            w.put(run);
            cursor = b.lastOffset() + 1;
        }
        w.endOffset = cursor;
        w.maybeAvailable = true;
        w.advanceStartOffset();
        return w;
    }

    // ---- queries ----

    long startOffset() {
        return startOffset;
    }

    /** Exclusive: the first offset never acquired. */
    long endOffset() {
        return endOffset;
    }

    boolean isEmpty() {
        return runs.isEmpty();
    }

    NavigableMap<Long, InFlightRun> runs() {
        return runs;
    }

    /** Kafka's in-flight record count, which {@code share.partition.max.record.locks} bounds. */
    long inFlightCount() {
        return runs.isEmpty() ? 0 : Math.max(0, endOffset - startOffset);
    }

    /** Records at or after the start offset that are acknowledged or archived (persisted for the lag). */
    int deliveryCompleteCount() {
        return deliveryCompleteCount(startOffset);
    }

    private int deliveryCompleteCount(long from) {
        long n = 0;
        for (InFlightRun r : runs.values()) {
            if (r.last >= from && r.state.isTerminal()) {
                n += r.last - Math.max(r.first, from) + 1;
            }
        }
        return (int) n;
    }

    /**
     * Where a fetch reads from: the first acquirable record (released, timed out, past its backoff) or the end
     * offset.
     */
    long nextFetchOffset(long nowMs) {
        if (maybeAvailable) {
            for (InFlightRun r : runs.values()) {
                if (r.acquirableAt(nowMs)) {
                    return r.first;
                }
            }
            // Records still in backoff make themselves known through their wake-up.
            maybeAvailable = false;
        }
        return endOffset;
    }

    /** Kafka's canAcquireRecords: something below the end offset is acquirable, or the window has room. */
    boolean canAcquire(long nowMs, int maxRecordLocks) {
        return nextFetchOffset(nowMs) != endOffset || inFlightCount() < maxRecordLocks;
    }

    /** A wake-up of a retry backoff: records may be acquirable again. */
    void markMaybeAvailable() {
        maybeAvailable = true;
    }

    /**
     * The start offset the window would have once writes {@code committing} succeed: past every terminal record
     * that waits for no other write, skipping offsets without records. Archiving records are not terminal: the start
     * offset waits for their dead-letter copies.
     */
    long advancedStart(LongPredicate committing) {
        Map.Entry<Long, InFlightRun> from = runs.floorEntry(startOffset);
        for (InFlightRun r : (from == null ? runs : runs.tailMap(from.getKey(), true)).values()) {
            if (r.last < startOffset) {
                continue;
            }
            boolean done = r.state.isTerminal() && (r.writeId == 0 || committing.test(r.writeId));
            if (!done) {
                return Math.max(startOffset, r.first);
            }
        }
        return Math.max(startOffset, endOffset);
    }

    /** What persisting with write {@code committing} would record: its start offset and delivery-complete count. */
    long[] persistedProgress(LongPredicate committing) {
        long start = advancedStart(committing);
        return new long[] {start, deliveryCompleteCount(start)};
    }

    // ---- acquisition ----

    /** What one acquisition handed out, and how many records that is (the ranges may exceed MaxRecords). */
    record Acquired(List<AcquiredRange> ranges, long count) {
        static final Acquired NONE = new Acquired(List.of(), 0);
    }

    /**
     * Acquires records for {@code memberId} from a read of the log at {@code fetchOffset} (Kafka's
     * {@code SharePartition.acquire}): records already in flight where they are available (whole batches where the
     * read covers them, else offset by offset), new records past the end offset in whole log batches
     * ({@code batch_optimized}, split into in-flight batches of about {@code batchSize}) or exactly up to
     * {@code maxRecords} ({@code record_limit}), within the room {@code share.partition.max.record.locks} leaves;
     * records delivered often are handed out in smaller groups (throttled delivery), with read_committed the
     * records of aborted transactions are archived instead of handed out, and so are the {@code expired} ones
     * (message TTL), which are dead-lettered when the group has a dead-letter topic.
     */
    Acquired acquire(String memberId, AcquireMode mode, int batchSize, int maxRecords, long fetchOffset,
                     ShareLog.Chunk chunk, IsolationLevel isolation, ExpiredOffsets expired, WindowEffects fx) {
        List<FetchedBatch> logBatches = chunk.batches();
        if (maxRecords <= 0 || logBatches.isEmpty()) {
            return Acquired.NONE;
        }
        boolean recordLimit = mode == AcquireMode.RECORD_LIMIT;
        long lastFetched = logBatches.get(logBatches.size() - 1).lastOffset();
        long lastToAcquire = lastFetched;
        long maxToAcquire = Math.min(maxRecords, fx.rules.maxRecordLocks() - inFlightCount());
        if (maxToAcquire <= 0) {
            // At the limit, a fetch inside the window (released records) may still take what is in it.
            if (runs.isEmpty() || fetchOffset >= endOffset) {
                return Acquired.NONE;
            }
            maxToAcquire = Math.min(maxRecords, endOffset - fetchOffset);
            lastToAcquire = Math.min(lastFetched, endOffset - 1);
        }
        long firstBase = logBatches.get(0).baseOffset();
        archiveStale(fetchOffset, firstBase, fx);

        // The first in-flight batch the read overlaps. Kafka looks for it from the read's first batch and moves to
        // the start offset only when it finds none; looking from the start offset at once also finds a batch whose
        // head was dropped below it (after a partial acknowledgement), which Kafka would miss and overlap with a
        // new batch.
        long base = Math.max(firstBase, startOffset);
        List<InFlightRun> floor = floorBatch(base);
        if (floor != null && floor.get(0).batchLast >= base) {
            base = floor.get(0).batchFirst;
        }
        List<List<InFlightRun>> cached = batchesWithKeyIn(base, lastToAcquire);
        List<AcquiredRange> result = new ArrayList<>();
        int locksBefore = fx.locks.size();
        long acquired = 0;
        if (cached.isEmpty()) {
            acquired = acquireNew(memberId, logBatches, recordLimit, firstBase, lastToAcquire, batchSize,
                    maxToAcquire, result, fx);
        } else {
            for (List<InFlightRun> batch : cached) {
                if (acquired >= maxToAcquire) {
                    break;
                }
                InFlightRun head = batch.get(0);
                boolean fullMatch = head.batchFirst >= firstBase && head.batchLast <= lastToAcquire;
                long remaining = maxToAcquire - acquired;
                boolean recordLimitSubset = recordLimit && head.batchLast - head.batchFirst + 1 > remaining;
                boolean throttle = shouldThrottle(batch, firstBase, lastToAcquire, fx);
                if (throttle && acquired > 0) {
                    maxToAcquire = 0; // the throttled records go alone, in a later fetch
                    break;
                }
                if (!fullMatch || head.split || recordLimitSubset || throttle) {
                    if (!head.split) {
                        if (!head.acquirableAt(fx.rules.nowMs())) {
                            continue;
                        }
                        head.split = true;
                    }
                    long n = acquireSubset(memberId, recordLimit, remaining, firstBase, lastToAcquire, head, result,
                            fx);
                    acquired += n;
                    if (throttle && n > 0) {
                        maxToAcquire = 0;
                        break;
                    }
                    continue;
                }
                if (!head.acquirableAt(fx.rules.nowMs())) {
                    continue;
                }
                acquireRun(head, memberId, fx);
                result.add(new AcquiredRange(head.first, head.last, head.deliveryCount));
                acquired += head.count();
            }
            long lastCached = cached.get(cached.size() - 1).get(0).batchLast;
            if (acquired < maxToAcquire && lastCached < lastToAcquire) {
                acquired += acquireNew(memberId, logBatches, recordLimit, lastCached + 1, lastToAcquire, batchSize,
                        maxToAcquire - acquired, result, fx);
            }
        }
        if (result.isEmpty()) {
            return Acquired.NONE;
        }
        boolean aborted = isolation == IsolationLevel.READ_COMMITTED && chunk.abortedTransactions().isPresent()
                && !chunk.abortedTransactions().get().isEmpty();
        if (!aborted && expired.isEmpty()) {
            return new Acquired(result, acquired);
        }
        Set<Long> lockIds = new HashSet<>();
        for (LockGrant g : fx.locks.subList(locksBefore, fx.locks.size())) {
            lockIds.add(g.lockId());
        }
        List<AcquiredRange> kept = result;
        if (aborted) {
            kept = archiveAborted(kept, logBatches, chunk.abortedTransactions().get(), lockIds, fx);
        }
        if (!expired.isEmpty()) {
            kept = archiveExpired(kept, expired, lockIds, fx);
        }
        long count = 0;
        for (AcquiredRange r : kept) {
            count += r.count();
        }
        return new Acquired(kept, count);
    }

    /**
     * Message TTL: the expired records among those just acquired are archived, or made Archiving for their
     * dead-letter copy, as a lock expiry does (an unconditional write), and the ranges handed out leave them out.
     * Their delivery count stays what it was before this acquisition: they were not delivered.
     */
    private List<AcquiredRange> archiveExpired(List<AcquiredRange> acquired, ExpiredOffsets expired,
                                               Set<Long> lockIds, WindowEffects fx) {
        List<AcquiredRange> kept = new ArrayList<>();
        RecordState target = archiveTarget(fx);
        for (AcquiredRange range : acquired) {
            long at = range.firstOffset();
            while (at <= range.lastOffset()) {
                boolean gone = expired.contains(at);
                long until = at;
                while (until < range.lastOffset() && expired.contains(until + 1) == gone) {
                    until++;
                }
                if (!gone) {
                    kept.add(new AcquiredRange(at, until, range.deliveryCount()));
                } else {
                    for (InFlightRun r : cover(at, until)) {
                        if (r.state == RecordState.ACQUIRED && !r.pending() && lockIds.contains(r.lockId)) {
                            expire(r, target, fx);
                        }
                    }
                }
                at = until + 1;
            }
        }
        return kept;
    }

    private void expire(InFlightRun r, RecordState target, WindowEffects fx) {
        r.deliveryCount--;
        r.state = target;
        r.clearLock();
        ArchivedRange range = new ArchivedRange(r.first, r.last, r.deliveryCount, ArchiveReason.EXPIRED);
        if (target == RecordState.ARCHIVING) {
            r.archiveReason = ArchiveReason.EXPIRED;
            r.deadLetter = DeadLetterStage.UNCONFIRMED;
            fx.intents.add(range);
        } else {
            fx.archived.add(range);
        }
        fx.changed = true;
        fx.writes.add(new PersistedBatch(r.first, r.last, persistedId(target), (short) r.deliveryCount));
    }

    /** Kafka's acquireNewBatchRecords: records past the end offset, aligned to log batches. */
    private long acquireNew(String memberId, List<FetchedBatch> logBatches, boolean recordLimit, long firstOffset,
                            long lastOffset, int batchSize, long maxRecords, List<AcquiredRange> result,
                            WindowEffects fx) {
        // Everything below the end offset is in the window already (or has no record); a read that began inside a
        // batch whose head is done starts the new records at the end offset (Kafka's rule for an empty window).
        long firstAcquired = Math.max(firstOffset, endOffset);
        if (firstAcquired > lastOffset) {
            return 0;
        }
        long lastAcquired = lastOffset;
        if (maxRecords < lastAcquired - firstAcquired + 1) {
            lastAcquired = lastOffsetOfBatchContaining(logBatches, firstAcquired + maxRecords - 1);
        }
        List<long[]> ranges = new ArrayList<>();
        long current = firstAcquired;
        if (!recordLimit && lastAcquired - firstAcquired + 1 > batchSize) {
            for (FetchedBatch b : logBatches) {
                if (b.baseOffset() > lastAcquired) {
                    break;
                }
                if (b.baseOffset() - current >= batchSize) {
                    ranges.add(new long[] {current, b.baseOffset() - 1});
                    current = b.baseOffset();
                }
            }
        }
        ranges.add(new long[] {current, lastAcquired});
        boolean wasEmpty = runs.isEmpty();
        long count = lastAcquired - firstAcquired + 1;
        if (recordLimit && lastAcquired - firstAcquired + 1 > maxRecords) {
            // One in-flight batch to the log batch's end; only maxRecords of it acquired, the rest available.
            long acquiredLast = firstAcquired + maxRecords - 1;
            InFlightRun head = new InFlightRun(firstAcquired, lastAcquired, firstAcquired, acquiredLast,
                    RecordState.AVAILABLE, 0);
            head.split = true;
            InFlightRun rest = head.copy(acquiredLast + 1, lastAcquired);
            put(head);
            put(rest);
            acquireRun(head, memberId, fx);
            result.add(new AcquiredRange(head.first, head.last, head.deliveryCount));
            maybeAvailable = true;
            count = acquiredLast - firstAcquired + 1;
        } else {
            for (long[] r : ranges) {
                InFlightRun run = new InFlightRun(r[0], r[1], r[0], r[1], RecordState.AVAILABLE, 0);
                put(run);
                acquireRun(run, memberId, fx);
                result.add(new AcquiredRange(run.first, run.last, run.deliveryCount));
            }
        }
        if (wasEmpty) {
            startOffset = Math.max(startOffset, firstAcquired);
        }
        endOffset = Math.max(endOffset, lastAcquired + 1);
        return count;
    }

    private static long lastOffsetOfBatchContaining(List<FetchedBatch> logBatches, long offset) {
        FetchedBatch previous = null;
        for (FetchedBatch b : logBatches) {
            if (offset >= b.baseOffset()) {
                previous = b;
                continue;
            }
            break;
        }
        return previous != null && offset <= previous.lastOffset() ? previous.lastOffset() : offset;
    }

    /** Kafka's acquireSubsetBatchRecords: the acquirable offsets of a per-offset batch within the read. */
    private long acquireSubset(String memberId, boolean recordLimit, long maxRecords, long requestFirst,
                               long requestLast, InFlightRun head, List<AcquiredRange> result, WindowEffects fx) {
        int maxDeliveries = fx.rules.deliveryCountLimit();
        int throttleLimit = fx.rules.throttleLimit();
        long batchOffsets = head.batchLast - head.batchFirst + 1;
        long acquired = 0;
        long maxWhileThrottled = -1;
        boolean throttled = false;
        long at = Math.max(requestFirst, head.batchFirst);
        long end = Math.min(requestLast, head.batchLast);
        while (at <= end) {
            Map.Entry<Long, InFlightRun> e = runs.floorEntry(at);
            if (e == null || e.getValue().last < at || e.getValue().batchFirst != head.batchFirst) {
                Map.Entry<Long, InFlightRun> next = runs.higherEntry(at);
                if (next == null || next.getValue().batchFirst != head.batchFirst) {
                    break;
                }
                at = next.getKey();
                continue;
            }
            InFlightRun run = e.getValue();
            if (!run.acquirableAt(fx.rules.nowMs())) {
                at = run.last + 1;
                continue;
            }
            int count = run.deliveryCount;
            // A record on its last delivery goes alone, so a record that kills its consumer archives only itself.
            if (maxDeliveries > 2 && count == maxDeliveries - 1 && acquired > 0) {
                break;
            }
            if (count >= throttleLimit && maxWhileThrottled < 0) {
                maxWhileThrottled = Math.max(1, batchOffsets >> (count - throttleLimit + 1));
                throttled = true;
            }
            long take = Math.min(run.last, end) - at + 1;
            boolean alone = maxDeliveries > 2 && count + 1 == maxDeliveries;
            if (alone) {
                take = 1;
            }
            if (recordLimit) {
                take = Math.min(take, maxRecords - acquired);
            }
            if (throttled && acquired < maxWhileThrottled) {
                take = Math.min(take, maxWhileThrottled - acquired);
            }
            if (take <= 0) {
                break;
            }
            InFlightRun piece = isolate(run, at, at + take - 1);
            acquireRun(piece, memberId, fx);
            result.add(new AcquiredRange(piece.first, piece.last, piece.deliveryCount));
            acquired += take;
            if (alone || (recordLimit && acquired == maxRecords) || (throttled && acquired == maxWhileThrottled)) {
                break;
            }
            at = piece.last + 1;
        }
        return acquired;
    }

    private boolean shouldThrottle(List<InFlightRun> batch, long requestFirst, long requestLast, WindowEffects fx) {
        int limit = fx.rules.throttleLimit();
        InFlightRun head = batch.get(0);
        if (!head.split) {
            return head.deliveryCount >= limit;
        }
        for (InFlightRun r : batch) {
            if (r.last >= requestFirst && r.first <= requestLast && r.state == RecordState.AVAILABLE
                    && r.deliveryCount >= limit) {
                return true;
            }
        }
        return false;
    }

    private void acquireRun(InFlightRun run, String memberId, WindowEffects fx) {
        assert run.acquirableAt(fx.rules.nowMs()) : run;
        run.state = RecordState.ACQUIRED;
        run.deliveryCount++;
        run.memberId = memberId;
        run.lockId = fx.newLockId();
        run.lockDeadlineMs = fx.rules.lockDeadline();
        run.availableAtMs = 0;
        fx.locks.add(new LockGrant(run.lockId, run.lockDeadlineMs, run.first, run.last));
    }

    /**
     * read_committed: the records of aborted transactions among those just acquired are archived, and the ranges
     * handed out leave them out (Kafka's filterAbortedTransactionalAcquiredRecords). A batch is aborted when its
     * producer has an aborted transaction that began at or before it and whose abort marker comes after it.
     */
    private List<AcquiredRange> archiveAborted(List<AcquiredRange> acquired, List<FetchedBatch> logBatches,
                                               List<AbortedTransaction> aborted, Set<Long> lockIds,
                                               WindowEffects fx) {
        PriorityQueue<AbortedTransaction> byFirst =
                new PriorityQueue<>(Comparator.comparingLong(AbortedTransaction::firstOffset));
        byFirst.addAll(aborted);
        Set<Long> abortedProducers = new HashSet<>();
        List<FetchedBatch> toArchive = new ArrayList<>();
        for (FetchedBatch b : logBatches) {
            if (b.producerId() < 0) {
                continue;
            }
            while (!byFirst.isEmpty() && byFirst.peek().firstOffset() <= b.lastOffset()) {
                abortedProducers.add(byFirst.poll().producerId());
            }
            if (b.control()) {
                if (isAbortMarker(b, aborted)) {
                    abortedProducers.remove(b.producerId());
                }
            } else if (b.transactional() && abortedProducers.contains(b.producerId())) {
                toArchive.add(b);
            }
        }
        if (toArchive.isEmpty()) {
            return acquired;
        }
        for (FetchedBatch b : toArchive) {
            for (InFlightRun r : cover(b.baseOffset(), b.lastOffset())) {
                if (r.state == RecordState.ACQUIRED && !r.pending() && lockIds.contains(r.lockId)) {
                    r.state = RecordState.ARCHIVED;
                    r.clearLock();
                    fx.changed = true;
                    fx.writes.add(new PersistedBatch(r.first, r.last, RecordState.ARCHIVED.id(),
                            (short) r.deliveryCount));
                }
            }
        }
        List<AcquiredRange> kept = new ArrayList<>();
        for (AcquiredRange range : acquired) {
            long from = range.firstOffset();
            for (FetchedBatch b : toArchive) {
                if (b.lastOffset() < from || b.baseOffset() > range.lastOffset()) {
                    continue;
                }
                if (b.baseOffset() > from) {
                    kept.add(new AcquiredRange(from, b.baseOffset() - 1, range.deliveryCount()));
                }
                from = Math.max(from, b.lastOffset() + 1);
            }
            if (from <= range.lastOffset()) {
                kept.add(new AcquiredRange(from, range.lastOffset(), range.deliveryCount()));
            }
        }
        return kept;
    }

    /** Herald's index knows each aborted transaction's marker offset, so no record needs reading to tell. */
    private static boolean isAbortMarker(FetchedBatch b, List<AbortedTransaction> aborted) {
        for (AbortedTransaction a : aborted) {
            if (a.producerId() == b.producerId() && a.lastOffset() == b.baseOffset()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Compaction: a read from {@code fetchOffset} whose first batch starts later means the records in between are
     * gone; available ones are archived so the start offset can move over them.
     */
    private void archiveStale(long fetchOffset, long firstBase, WindowEffects fx) {
        if (runs.isEmpty() || fetchOffset >= firstBase) {
            return;
        }
        List<InFlightRun> archived = archiveRange(fetchOffset, firstBase - 1, RecordState.AVAILABLE);
        if (!archived.isEmpty()) {
            persistArchived(archived, fx);
            maybeAvailable = true;
            fx.changed = true;
        }
    }

    /**
     * Archives the records in state {@code from} within {@code [first, last]} (Kafka's archiveRecords): a batch the
     * range covers whole is archived whole, a batch it covers in part becomes per-offset first.
     *
     * @return the runs archived
     */
    private List<InFlightRun> archiveRange(long first, long last, RecordState from) {
        List<InFlightRun> archived = new ArrayList<>();
        for (List<InFlightRun> batch : batchesWithKeyIn(Long.MIN_VALUE, last)) {
            InFlightRun head = batch.get(0);
            if (head.batchLast < first) {
                continue;
            }
            boolean fullMatch = head.batchFirst >= first && head.batchLast <= last;
            if (fullMatch && !head.split) {
                if (archive(head, from)) {
                    archived.add(head);
                }
                continue;
            }
            if (!head.split) {
                if (head.state != from) {
                    continue;
                }
                head.split = true;
            }
            for (InFlightRun r : cover(Math.max(first, head.batchFirst), Math.min(last, head.batchLast))) {
                if (archive(r, from)) {
                    archived.add(r);
                }
            }
        }
        return archived;
    }

    /** Housekeeping archives are written too, so a new leader does not hand the records out again. */
    private static void persistArchived(List<InFlightRun> archived, WindowEffects fx) {
        for (InFlightRun r : archived) {
            if (!r.pending()) {
                fx.writes.add(new PersistedBatch(r.first, r.last, RecordState.ARCHIVED.id(), (short) r.deliveryCount));
            }
        }
    }

    private boolean archive(InFlightRun r, RecordState from) {
        if (r.state != from) {
            return false;
        }
        if (r.pending()) {
            // A release waiting for its write: whatever the write does, the record stays archived.
            r.rollback = r.rollback.withArchived();
        }
        r.state = RecordState.ARCHIVED;
        r.clearLock();
        r.availableAtMs = 0;
        r.archiveReason = null;
        return true;
    }

    // ---- acknowledgement ----

    /**
     * Starts the transitions of {@code batches} from {@code memberId} (Kafka's {@code SharePartition.acknowledge}):
     * ACCEPT → Acknowledged, REJECT and GAP → Archived, RELEASE → Available (Archived at the delivery count limit),
     * each pending on write {@code fx.writeId}; RENEW extends the lock at once and needs no write. The first
     * violation throws; the caller then rolls back what this call started.
     *
     * @throws InvalidRequestException     a bad type, or offsets past the acquired records
     * @throws InvalidRecordStateException records not acquired by this member, or already changing
     */
    void acknowledge(String memberId, List<AcknowledgementBatch> batches, WindowEffects fx) {
        for (AcknowledgementBatch ack : batches) {
            for (byte type : ack.types()) {
                if (AcknowledgeType.forId(type).isEmpty()) {
                    throw new InvalidRequestException("Invalid acknowledge type: " + ack.types());
                }
            }
            if (ack.lastOffset() < startOffset) {
                continue; // all done already
            }
            for (List<InFlightRun> batch : batchesForAcknowledgement(ack)) {
                InFlightRun head = batch.get(0);
                if (head.batchLast < startOffset) {
                    continue;
                }
                if (!head.split) {
                    if (head.memberId.isEmpty()) {
                        throw new InvalidRecordStateException(
                                "The batch cannot be acknowledged. The batch is not in the acquired state.");
                    }
                    if (!head.memberId.equals(memberId)) {
                        throw new InvalidRecordStateException("Member is not the owner of batch record");
                    }
                    if (head.pending()) {
                        throw new InvalidRecordStateException(NOT_COMPLETED);
                    }
                }
                boolean fullMatch = head.batchFirst >= ack.firstOffset() && head.batchLast <= ack.lastOffset();
                boolean perOffset = ack.types().size() > 1;
                boolean startWithin = head.batchFirst < startOffset && head.batchLast >= startOffset;
                if (!fullMatch || head.split || perOffset || startWithin) {
                    if (!head.split) {
                        if (head.state != RecordState.ACQUIRED) {
                            throw new InvalidRecordStateException(
                                    "The batch cannot be acknowledged. The subset batch is not in the acquired state.");
                        }
                        head.split = true;
                    }
                    acknowledgeOffsets(memberId, ack, head, fx);
                } else {
                    if (head.state != RecordState.ACQUIRED) {
                        throw new InvalidRecordStateException(
                                "The batch cannot be acknowledged. The batch is not in the acquired state.");
                    }
                    apply(head, AcknowledgeType.forId(ack.types().get(0)).orElseThrow(), fx);
                }
            }
        }
    }

    private void acknowledgeOffsets(String memberId, AcknowledgementBatch ack, InFlightRun head, WindowEffects fx) {
        long at = Math.max(Math.max(ack.firstOffset(), head.batchFirst), startOffset);
        long end = Math.min(ack.lastOffset(), head.batchLast);
        while (at <= end) {
            Map.Entry<Long, InFlightRun> e = runs.floorEntry(at);
            if (e == null || e.getValue().last < at) {
                Map.Entry<Long, InFlightRun> next = runs.higherEntry(at);
                if (next == null || next.getKey() > end) {
                    break;
                }
                at = next.getKey();
                continue;
            }
            InFlightRun run = e.getValue();
            if (run.state != RecordState.ACQUIRED) {
                throw new InvalidRecordStateException("The offset cannot be acknowledged. The offset is not acquired.");
            }
            if (run.pending()) {
                throw new InvalidRecordStateException(NOT_COMPLETED);
            }
            if (!run.memberId.equals(memberId)) {
                throw new InvalidRecordStateException("Member is not the owner of offset");
            }
            long until = Math.min(run.last, end);
            byte type = ack.typeOf(at);
            long sameUntil = at;
            while (sameUntil < until && ack.typeOf(sameUntil + 1) == type) {
                sameUntil++;
            }
            InFlightRun piece = isolate(run, at, sameUntil);
            apply(piece, AcknowledgeType.forId(type).orElseThrow(), fx);
            at = sameUntil + 1;
        }
    }

    private void apply(InFlightRun run, AcknowledgeType type, WindowEffects fx) {
        switch (type) {
            case RENEW -> renew(run, fx);
            case ACCEPT -> startTransition(run, RecordState.ACKNOWLEDGED, null, fx);
            case GAP -> startTransition(run, RecordState.ARCHIVED, null, fx);
            case REJECT -> startTransition(run, archiveTarget(fx), ArchiveReason.REJECTED, fx);
            case RELEASE -> {
                if (run.deliveryCount >= fx.rules.deliveryCountLimit()) {
                    startTransition(run, archiveTarget(fx), ArchiveReason.DELIVERY_LIMIT, fx);
                } else {
                    startTransition(run, RecordState.AVAILABLE, null, fx);
                }
            }
        }
    }

    /** KIP-1222: RENEW extends the acquisition lock by a whole lock duration, nothing to persist. */
    private void renew(InFlightRun run, WindowEffects fx) {
        if (!fx.rules.settings().renewAcknowledgeEnable()) {
            throw new InvalidRecordStateException("Renewing acquisition locks is not enabled for the group.");
        }
        run.lockId = fx.newLockId();
        run.lockDeadlineMs = fx.rules.lockDeadline();
        fx.locks.add(new LockGrant(run.lockId, run.lockDeadlineMs, run.first, run.last));
    }

    private void startTransition(InFlightRun run, RecordState target, ArchiveReason reason, WindowEffects fx) {
        assert fx.writeId != 0 && !run.pending() && run.state == RecordState.ACQUIRED : run;
        run.rollback = new InFlightRun.Rollback(run.state, run.deliveryCount, run.memberId, run.lockId,
                run.lockDeadlineMs, false, false);
        run.writeId = fx.writeId;
        run.state = target;
        run.memberId = "";
        run.archiveReason = reason;
        fx.writes.add(new PersistedBatch(run.first, run.last, persistedId(target), (short) run.deliveryCount));
    }

    private static byte persistedId(RecordState s) {
        return s == RecordState.ACQUIRED ? RecordState.AVAILABLE.id() : s.id();
    }

    /**
     * Kafka's fetchSubMapForAcknowledgementBatch: the in-flight batches an acknowledgement batch covers.
     */
    private List<List<InFlightRun>> batchesForAcknowledgement(AcknowledgementBatch ack) {
        List<InFlightRun> floor = floorBatch(ack.firstOffset());
        if (floor == null && ack.firstOffset() < startOffset && ack.lastOffset() >= startOffset) {
            floor = floorBatch(startOffset);
        }
        if (floor == null) {
            throw new InvalidRecordStateException(BATCH_NOT_FOUND);
        }
        List<List<InFlightRun>> batches = batchesWithKeyIn(floor.get(0).batchFirst, ack.lastOffset());
        long lastCached = batches.get(batches.size() - 1).get(0).batchLast;
        if (lastCached < ack.firstOffset()) {
            throw new InvalidRequestException(
                    "Batch record not found. The first offset in request is past acquired records.");
        }
        if (ack.lastOffset() > lastCached) {
            throw new InvalidRequestException(
                    "Batch record not found. The last offset in request is past acquired records.");
        }
        return batches;
    }

    /**
     * A closing share session gives back {@code memberId}'s acquired records (Kafka's releaseAcquiredRecords): they
     * become available (archived at the delivery count limit, or when below the start offset), pending on the write.
     */
    void releaseAll(String memberId, WindowEffects fx) {
        for (List<InFlightRun> batch : batchesWithKeyIn(Long.MIN_VALUE, Long.MAX_VALUE)) {
            InFlightRun head = batch.get(0);
            if (!head.split && head.state == RecordState.ACQUIRED && head.memberId.equals(memberId)
                    && head.batchFirst < startOffset && head.batchLast >= startOffset) {
                head.split = true;
            }
            for (InFlightRun r : head.split ? splitAtStart(batch) : batch) {
                if (r.state != RecordState.ACQUIRED || r.pending() || !r.memberId.equals(memberId)) {
                    continue;
                }
                if (r.last < startOffset) {
                    startTransition(r, RecordState.ARCHIVED, null, fx);
                } else if (r.deliveryCount >= fx.rules.deliveryCountLimit()) {
                    startTransition(r, archiveTarget(fx), ArchiveReason.DELIVERY_LIMIT, fx);
                } else {
                    startTransition(r, RecordState.AVAILABLE, null, fx);
                }
            }
        }
    }

    // ---- lock expiry ----

    /**
     * Acquisition lock {@code lockId} on {@code [first, last]} ran out: its records become available again (a new
     * delivery attempt; after the retry backoff, if any) or, at the delivery count limit or below the start offset,
     * archived. Applied at once and written without waiting, as Kafka does. Records whose acknowledgement is being
     * written keep it; if that write fails they time out then.
     */
    void expireLock(long lockId, long first, long last, WindowEffects fx) {
        for (List<InFlightRun> batch : batchesWithKeyIn(batchKeyFloor(first), last)) {
            InFlightRun head = batch.get(0);
            if (head.batchLast < first) {
                continue;
            }
            if (!head.split && head.holdsLock(lockId) && !head.pending()
                    && head.batchFirst < startOffset && head.batchLast >= startOffset) {
                head.split = true;
            }
            for (InFlightRun r : head.split ? splitAtStart(batch) : batch) {
                if (r.last < first || r.first > last || !r.holdsLock(lockId)) {
                    continue;
                }
                if (r.pending()) {
                    r.rollback = r.rollback.withLockExpired();
                    continue;
                }
                release(r, fx);
            }
        }
    }

    /** An acquired run becomes available or archived now, with its state to persist (expiry, failed write). */
    private void release(InFlightRun r, WindowEffects fx) {
        RecordState target;
        ArchiveReason reason = null;
        if (r.last < startOffset) {
            target = RecordState.ARCHIVED;
        } else if (r.deliveryCount >= fx.rules.deliveryCountLimit()) {
            target = archiveTarget(fx);
            reason = ArchiveReason.DELIVERY_LIMIT;
        } else {
            target = RecordState.AVAILABLE;
        }
        r.state = target;
        r.clearLock();
        if (target == RecordState.AVAILABLE) {
            becameAvailable(r, fx);
        } else if (target == RecordState.ARCHIVING) {
            // Applied now, as every expiry; copied only once this unconditional write is known to have succeeded.
            r.archiveReason = reason;
            r.deadLetter = DeadLetterStage.UNCONFIRMED;
            fx.intents.add(new ArchivedRange(r.first, r.last, r.deliveryCount, reason));
        } else if (reason != null) {
            fx.archived.add(new ArchivedRange(r.first, r.last, r.deliveryCount, reason));
        }
        fx.changed = true;
        fx.writes.add(new PersistedBatch(r.first, r.last, persistedId(target), (short) r.deliveryCount));
    }

    private void becameAvailable(InFlightRun r, WindowEffects fx) {
        r.availableAtMs = fx.rules.availableAt(r.deliveryCount);
        if (r.availableAtMs > fx.rules.nowMs()) {
            fx.wakeups.add(r.availableAtMs);
        }
        maybeAvailable = true;
        fx.changed = true;
    }

    // ---- dead-letter copies (KIP-1191, exactly once: see DeadLetterStage) ----

    /** Where a REJECT or a delivery-limit archive goes: Archiving first when the group has a dead-letter topic. */
    private static RecordState archiveTarget(WindowEffects fx) {
        return fx.rules.settings().deadLetterTopic().isPresent() ? RecordState.ARCHIVING : RecordState.ARCHIVED;
    }

    /** Whether some Archiving run still waits for its lock-expiry write to be confirmed. */
    boolean hasUnconfirmedIntents() {
        return runs.values().stream().anyMatch(r -> r.deadLetter == DeadLetterStage.UNCONFIRMED);
    }

    /** The unconditional write that made {@code ranges} Archiving succeeded: their copies may be written. */
    void confirmIntents(List<ArchivedRange> ranges) {
        for (ArchivedRange range : ranges) {
            for (InFlightRun r : runs.subMap(range.first(), true, range.last(), true).values()) {
                if (r.deadLetter == DeadLetterStage.UNCONFIRMED) {
                    r.deadLetter = DeadLetterStage.QUEUED;
                }
            }
        }
    }

    /** Writes the Archiving state of unconfirmed runs again (their first write failed). */
    void rewriteIntents(WindowEffects fx) {
        for (InFlightRun r : runs.values()) {
            if (r.deadLetter == DeadLetterStage.UNCONFIRMED && !r.pending()) {
                fx.writes.add(new PersistedBatch(r.first, r.last, RecordState.ARCHIVING.id(), (short) r.deliveryCount));
                fx.intents.add(new ArchivedRange(r.first, r.last, r.deliveryCount, r.archiveReason));
            }
        }
    }

    /**
     * The in-doubt runs, now being checked against the dead-letter topic ({@link DeadLetterStage#WRITING}), with the
     * reason each was archived for; a run loaded from the persister has lost its reason, which is then inferred from
     * its delivery count.
     */
    List<ArchivedRange> startCheckingInDoubt(int deliveryCountLimit) {
        return take(DeadLetterStage.IN_DOUBT, Long.MAX_VALUE, deliveryCountLimit);
    }

    /** The oldest queued runs, at most {@code maxRecords} offsets, now being copied. */
    List<ArchivedRange> startCopying(long maxRecords, int deliveryCountLimit) {
        return take(DeadLetterStage.QUEUED, maxRecords, deliveryCountLimit);
    }

    private List<ArchivedRange> take(DeadLetterStage stage, long maxRecords, int deliveryCountLimit) {
        List<ArchivedRange> out = new ArrayList<>();
        long left = maxRecords;
        for (InFlightRun r : new ArrayList<>(runs.values())) {
            if (left <= 0) {
                break;
            }
            if (r.deadLetter != stage || r.pending()) {
                continue;
            }
            InFlightRun piece = r.count() > left ? isolate(r, r.first, r.first + left - 1) : r;
            if (piece.archiveReason == null) {
                // Only an expired record is archived without a delivery.
                piece.archiveReason = piece.deliveryCount == 0 ? ArchiveReason.EXPIRED
                        : piece.deliveryCount >= deliveryCountLimit ? ArchiveReason.DELIVERY_LIMIT
                        : ArchiveReason.REJECTED;
            }
            piece.deadLetter = DeadLetterStage.WRITING;
            out.add(new ArchivedRange(piece.first, piece.last, piece.deliveryCount, piece.archiveReason));
            left -= piece.count();
        }
        return out;
    }

    /**
     * The runs being copied or checked are now in stage {@code outcome}, offset by offset: those {@code copied}
     * accepts go to {@link DeadLetterStage#WRITTEN}, the others to {@code outcome}.
     */
    void finishCopying(LongPredicate copied, DeadLetterStage outcome) {
        for (InFlightRun r : new ArrayList<>(runs.values())) {
            if (r.deadLetter != DeadLetterStage.WRITING) {
                continue;
            }
            long at = r.first;
            InFlightRun rest = r;
            while (rest != null) {
                boolean done = copied.test(at);
                long until = at;
                while (until < rest.last && copied.test(until + 1) == done) {
                    until++;
                }
                InFlightRun piece = until < rest.last ? isolate(rest, at, until) : rest;
                InFlightRun next = until < rest.last ? runs.get(until + 1) : null;
                piece.deadLetter = done ? DeadLetterStage.WRITTEN : outcome;
                at = until + 1;
                rest = next;
            }
        }
    }

    /**
     * Starts the Archived write of every copied run, pending on write {@code fx.writeId}; a failed write leaves them
     * Archiving and copied, to be written again.
     *
     * @return whether there was any
     */
    boolean archiveCopied(WindowEffects fx) {
        boolean any = false;
        for (InFlightRun r : runs.values()) {
            if (r.deadLetter != DeadLetterStage.WRITTEN || r.pending()) {
                continue;
            }
            r.rollback = new InFlightRun.Rollback(RecordState.ARCHIVING, r.deliveryCount, "", 0, 0, false, false);
            r.writeId = fx.writeId;
            r.state = RecordState.ARCHIVED;
            fx.writes.add(new PersistedBatch(r.first, r.last, RecordState.ARCHIVED.id(), (short) r.deliveryCount));
            any = true;
        }
        return any;
    }

    // ---- write outcomes ----

    /** Write {@code writeId} succeeded: its transitions are final; the start offset moves over what is done. */
    void commit(long writeId, WindowEffects fx) {
        for (InFlightRun r : runs.values()) {
            if (r.writeId != writeId) {
                continue;
            }
            r.writeId = 0;
            r.rollback = null;
            r.clearLock();
            if (r.state == RecordState.ARCHIVING) {
                r.deadLetter = DeadLetterStage.QUEUED; // the intent is durable: the copy may be written
                continue;
            }
            if (r.state == RecordState.AVAILABLE) {
                becameAvailable(r, fx);
            } else if (r.state == RecordState.ARCHIVED && r.archiveReason != null) {
                fx.archived.add(new ArchivedRange(r.first, r.last, r.deliveryCount, r.archiveReason));
            }
            r.archiveReason = null;
            r.deadLetter = null;
        }
        advanceStart(fx);
    }

    /**
     * Write {@code writeId} failed or the request that started it failed: its records are acquired again by the
     * member that had them, unless their lock ran out meanwhile (then they time out now) or housekeeping archived
     * them meanwhile.
     */
    void rollback(long writeId, WindowEffects fx) {
        for (InFlightRun r : runs.values()) {
            if (r.writeId != writeId) {
                continue;
            }
            InFlightRun.Rollback before = r.rollback;
            r.writeId = 0;
            r.rollback = null;
            if (before.state() == RecordState.ARCHIVING) {
                r.state = RecordState.ARCHIVING; // a copied batch's Archived write failed: it is written again
                continue;
            }
            r.archiveReason = null;
            r.deadLetter = null;
            if (before.archived()) {
                continue;
            }
            r.state = before.state();
            r.deliveryCount = before.deliveryCount();
            r.memberId = before.memberId();
            r.lockId = before.lockId();
            r.lockDeadlineMs = before.lockDeadlineMs();
            if (before.lockExpired() || before.lockDeadlineMs() <= fx.rules.nowMs()) {
                release(r, fx);
            }
        }
        advanceStart(fx);
    }

    // ---- the start offset ----

    /** Kafka's maybeUpdateCachedStateAndOffsets: past every done record; drops what is done below it. */
    void advanceStart(WindowEffects fx) {
        if (advanceStartOffset()) {
            fx.changed = true;
        }
    }

    private boolean advanceStartOffset() {
        long before = startOffset;
        startOffset = Math.max(startOffset, advancedStart(id -> false));
        trim();
        return startOffset > before;
    }

    /**
     * The log start offset moved past the start offset (retention, DeleteRecords): available records below it are
     * archived and the start offset follows; records still acquired below it are archived when they come back.
     * Kafka writes this lazily, with the next write's start offset; Herald writes the new start at once.
     */
    void moveToLogStart(long logStartOffset, WindowEffects fx) {
        if (logStartOffset <= startOffset) {
            return;
        }
        if (runs.isEmpty()) {
            startOffset = logStartOffset;
            endOffset = Math.max(endOffset, logStartOffset);
            fx.changed = true;
            fx.startMoved = true;
            return;
        }
        if (!archiveRange(startOffset, logStartOffset - 1, RecordState.AVAILABLE).isEmpty()) {
            maybeAvailable = true;
        }
        startOffset = logStartOffset;
        endOffset = Math.max(endOffset, startOffset);
        fx.changed = true;
        fx.startMoved = true;
        advanceStart(fx);
    }

    private void trim() {
        while (!runs.isEmpty()) {
            InFlightRun first = runs.firstEntry().getValue();
            if (first.last >= startOffset || !first.state.isTerminal() || first.pending()) {
                break;
            }
            runs.pollFirstEntry();
        }
        // Terminal runs below the start offset behind a still-acquired one go too.
        runs.values().removeIf(r -> r.last < startOffset && r.state.isTerminal() && !r.pending());
        if (runs.isEmpty()) {
            endOffset = Math.max(endOffset, startOffset);
            startOffset = endOffset;
        }
    }

    // ---- structure ----

    private void put(InFlightRun run) {
        InFlightRun previous = runs.put(run.first, run);
        assert previous == null : "overlapping runs at " + run.first;
    }

    /**
     * The batch whose key is the greatest at or below {@code offset}, as its runs; null if none. A batch keeps its
     * key when its head is dropped below the start offset (Kafka keeps such a batch whole in its cache), so the
     * first run after {@code offset} may belong to it.
     */
    private List<InFlightRun> floorBatch(long offset) {
        Map.Entry<Long, InFlightRun> after = runs.ceilingEntry(offset);
        if (after != null && after.getValue().batchFirst <= offset) {
            return batchOf(after.getValue());
        }
        Map.Entry<Long, InFlightRun> e = runs.floorEntry(offset);
        return e == null ? null : batchOf(e.getValue());
    }

    private long batchKeyFloor(long offset) {
        List<InFlightRun> floor = floorBatch(offset);
        return floor == null ? Long.MIN_VALUE : floor.get(0).batchFirst;
    }

    private List<InFlightRun> batchOf(InFlightRun run) {
        return new ArrayList<>(runs.subMap(run.batchFirst, true, run.batchLast, true).values());
    }

    /** The batches with keys in {@code [fromKey, toKey]} (Kafka's subMap of its cached state), each as its runs. */
    private List<List<InFlightRun>> batchesWithKeyIn(long fromKey, long toKey) {
        List<List<InFlightRun>> out = new ArrayList<>();
        NavigableMap<Long, InFlightRun> from = fromKey == Long.MIN_VALUE ? runs : runs.tailMap(fromKey, true);
        List<InFlightRun> current = null;
        for (InFlightRun r : from.values()) {
            if (r.batchFirst > toKey) {
                break;
            }
            if (r.batchFirst < fromKey) {
                continue;
            }
            if (current == null || current.get(0).batchFirst != r.batchFirst) {
                current = new ArrayList<>();
                out.add(current);
            }
            current.add(r);
        }
        return out;
    }

    /** The runs covering {@code [first, last]}, split so none reaches outside it. */
    private List<InFlightRun> cover(long first, long last) {
        List<InFlightRun> out = new ArrayList<>();
        Map.Entry<Long, InFlightRun> e = runs.floorEntry(first);
        long from = e != null && e.getValue().last >= first ? e.getKey() : first;
        for (InFlightRun r : new ArrayList<>(runs.subMap(from, true, last, true).values())) {
            out.add(isolate(r, Math.max(first, r.first), Math.min(last, r.last)));
        }
        return out;
    }

    /** The batch's runs with any run straddling the start offset cut at it. */
    private List<InFlightRun> splitAtStart(List<InFlightRun> batch) {
        List<InFlightRun> out = new ArrayList<>();
        for (InFlightRun r : batch) {
            if (r.first < startOffset && r.last >= startOffset) {
                out.add(r);
                out.add(split(r, startOffset));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /** Splits {@code run} so that a run spans exactly {@code [from, to]}, and returns it. */
    private InFlightRun isolate(InFlightRun run, long from, long to) {
        InFlightRun r = run;
        if (from > r.first) {
            r = split(r, from);
        }
        if (to < r.last) {
            split(r, to + 1);
        }
        return r;
    }

    private InFlightRun split(InFlightRun run, long at) {
        assert run.first < at && at <= run.last : run + " at " + at;
        run.split = true; // a batch split in runs is per-offset from now on
        InFlightRun tail = run.copy(at, run.last);
        run.last = at - 1;
        runs.put(at, tail);
        return tail;
    }

    @Override
    public String toString() {
        return "ShareWindow(start=" + startOffset + ", end=" + endOffset + ", " + runs.values() + ")";
    }
}
