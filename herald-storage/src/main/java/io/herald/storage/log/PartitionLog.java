package io.herald.storage.log;

import io.herald.common.time.Time;
import io.herald.storage.config.LogConfig;
import io.herald.storage.epoch.EpochEndOffset;
import io.herald.storage.epoch.EpochEntry;
import io.herald.storage.epoch.LeaderEpochCache;
import io.herald.common.txn.VerificationGuard;
import io.herald.storage.producer.AppendOrigin;
import io.herald.storage.producer.ProducerStateEntry;
import io.herald.storage.producer.ProducerStateManager;
import io.herald.storage.txn.AbortedTransaction;
import io.herald.storage.txn.AbortedTxn;
import io.herald.storage.txn.TransactionMarker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: an ordered set of {@link LogSegment}s in {@code <logDir>/<topic>-<partition>/},
 * plus its leader-epoch cache and producer state (idempotence and transactions). This class owns the lock and the
 * offsets, and appends, reads and truncates; loading and recovery are {@link LogLoader}'s, batch checks and stamping
 * {@link BatchValidator}'s, the append pipeline {@link LogAppender}'s, the choice of what retention deletes
 * {@link RetentionPlanner}'s, the segment files {@link LogSegments}' and ListOffsets lookups {@link TimestampLookup}'s.
 *
 * <p>Transactions (KIP-98): producer state tracks each producer's ongoing transaction, end markers complete them,
 * and {@link #firstUnstableOffset()} is the first offset a read_committed consumer must not pass; the last stable
 * offset is {@code min(firstUnstableOffset, highWatermark)} ({@link #lastStableOffset()}). Each segment indexes
 * the transactions aborted in it ({@code .txnindex}), which {@link #abortedTransactions} searches for fetches.
 *
 * <p>On disk: {@code <20-digit base>.log/.index/.timeindex[/.txnindex]} per segment, {@code leader-epoch-checkpoint},
 * {@code <offset>.snapshot} producer snapshots. Transient names: {@code .deleted} (awaiting physical
 * removal), {@code .cleaned}/{@code .swap} (compaction output); {@link #open} finishes or discards them.
 *
 * <p>Invariants: {@code logStartOffset <= highWatermark <= logEndOffset}; {@code logStartOffset <=
 * firstUnstableOffset <= logEndOffset} when there is one; {@code recoveryPoint <=
 * logEndOffset}, and every byte below the recovery point has been fsynced; the last segment is the active one
 * and its base offset is {@code <= logEndOffset}; segment base offsets increase, and every batch of a segment
 * lies below the next segment's base.
 *
 * <p>Durability: fsync happens only in {@link #flush()}, which {@code close} calls, which the log manager
 * calls for {@code flush.ms} and which an append calls when {@code flush.messages} unflushed messages have
 * accumulated. In that last case the appending thread fsyncs after it released the lock and before it
 * returns, so the producer's acknowledgement still follows the fsync while other appends and reads go on.
 * With Kafka's defaults (both {@link Long#MAX_VALUE}) an acknowledged write survives a process crash (it is in
 * the page cache) but not a power loss; durability against machine loss comes from replication.
 *
 * <p>Thread-safety: thread-safe. Appends, roll, truncation, retention and segment replacement run under one lock
 * ({@link LogGuard}, which also takes the log offline after an I/O error); no file is fsynced while it is held
 * (except by {@link #close}). Reads take no lock: the segment map is a concurrent skip list, the offsets are
 * volatile, a segment publishes its size only after whole batches are written, and so does a transaction index
 * after whole entries. A reader racing with deletion still holds a valid channel, because deleted segments' files
 * are closed only after {@code fileDeleteDelayMs}.
 */
public final class PartitionLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private final Path dir;
    private final TopicPartition tp;
    private final Time time;
    private final LogGuard guard;
    private final LogSegments segments;
    private final ProducerStateManager producers;
    private final LeaderEpochCache epochs;
    private final BatchValidator validator;
    private final LogAppender appender;
    private volatile LogConfig config;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long highWatermark;
    private final RecoveryPoint recoveryPoint;

    private PartitionLog(Path dir, TopicPartition tp, LogConfig config, Time time, ProducerStateManager producers,
                         LeaderEpochCache epochs, LogLoader.Loaded loaded, FlushStats flushes) {
        this.dir = dir;
        this.tp = tp;
        this.guard = new LogGuard(tp);
        this.config = config;
        this.time = time;
        this.producers = producers;
        this.epochs = epochs;
        this.validator = new BatchValidator(tp);
        this.segments = new LogSegments(dir, loaded.segments());
        this.logStartOffset = loaded.logStartOffset();
        this.logEndOffset = loaded.logEndOffset();
        this.recoveryPoint = new RecoveryPoint(guard.lock(), time, loaded.recoveryPoint(), flushes);
        this.appender = new LogAppender(segments, producers, epochs, validator, this::maybeRoll);
        setHighWatermark(loaded.highWatermark());
    }

    /**
     * Opens the log in {@code dir}, taking recovery point, log start offset and high watermark from
     * the checkpoint files of the parent log dir when they have an entry for {@code tp}.
     */
    public static PartitionLog open(Path dir, TopicPartition tp, LogConfig config, Time time, boolean recover) throws IOException {
        return open(dir, tp, config, time, recover, PartitionCheckpoint.read(dir.toAbsolutePath().getParent(), tp));
    }

    /**
     * Opens (creating if missing) the log in {@code dir}; see {@link LogLoader} for what loading does.
     *
     * @param recover true after an unclean shutdown: every batch after the checkpointed recovery
     *                point is re-validated and the log truncated at the first bad byte; false
     *                trusts the files and only sanity-checks the tail of the last segment
     */
    public static PartitionLog open(Path dir, TopicPartition tp, LogConfig config, Time time, boolean recover,
                                    PartitionCheckpoint checkpoint) throws IOException {
        return open(dir, tp, config, time, recover, checkpoint, new FlushStats());
    }

    /** As above, counting its fsyncs in {@code flushes} (the log manager's, shared by its logs). */
    public static PartitionLog open(Path dir, TopicPartition tp, LogConfig config, Time time, boolean recover,
                                    PartitionCheckpoint checkpoint, FlushStats flushes) throws IOException {
        Files.createDirectories(dir);
        ProducerStateManager producers = new ProducerStateManager(dir);
        LeaderEpochCache epochs = new LeaderEpochCache(dir);
        LogLoader.Loaded loaded = new LogLoader(dir, tp, config, time.milliseconds())
            .load(recover, checkpoint, producers, epochs);
        return new PartitionLog(dir, tp, config, time, producers, epochs, loaded, flushes);
    }

    // ---- accessors ----

    public TopicPartition topicPartition() {
        return tp;
    }

    public Path dir() {
        return dir;
    }

    public LogConfig config() {
        return config;
    }

    public void updateConfig(LogConfig config) {
        this.config = config;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    public long highWatermark() {
        return highWatermark;
    }

    /** Sets the high watermark, clamped to {@code [logStartOffset, logEndOffset]}. */
    public void updateHighWatermark(long hw) {
        guard.withLock(() -> {
            setHighWatermark(clamp(hw));
            return null;
        });
    }

    /** Under the lock: a transaction whose marker the high watermark passed is stable now. */
    private void setHighWatermark(long hw) {
        highWatermark = hw;
        producers.onHighWatermarkUpdated(hw);
    }

    public long recoveryPoint() {
        return recoveryPoint.offset();
    }

    public long sizeInBytes() {
        return segments.sizeInBytes();
    }

    public int numberOfSegments() {
        return segments.count();
    }

    /** Snapshot of the segments, oldest first; the last one is active. */
    public List<LogSegment> segments() {
        return segments.snapshot();
    }

    public boolean isOffline() {
        return guard.isOffline();
    }

    /**
     * Sets who hears, once, that an I/O error took this log offline (the log manager, which then takes the log
     * dir offline). Called on the failing thread, possibly under the partition lock: the handler must not block
     * or take other logs' locks.
     */
    public void onStorageFailure(Consumer<String> handler) {
        guard.onFailure(handler);
    }

    /** Takes the log offline because its log dir failed: nothing is flushed or written from now on. */
    void markOffline() {
        guard.markOffline();
    }

    /** Wall-clock (injected {@link Time}) of the last completed flush. */
    public long lastFlushMs() {
        return recoveryPoint.lastFlushMs();
    }

    /** The values to write to the log dir's checkpoint files. */
    public PartitionCheckpoint checkpoint() {
        return new PartitionCheckpoint(recoveryPoint.offset(), logStartOffset, highWatermark);
    }

    public int latestEpoch() {
        return epochs.latestEpoch();
    }

    public List<EpochEntry> epochEntries() {
        return epochs.entries();
    }

    public EpochEndOffset endOffsetForEpoch(int epoch) {
        return epochs.endOffsetFor(epoch, logEndOffset);
    }

    public Optional<ProducerStateEntry> producerState(long producerId) {
        return producers.entry(producerId);
    }

    /** Every producer the log knows (what DescribeProducers reports), in no particular order. */
    public Collection<ProducerStateEntry> activeProducers() {
        return List.copyOf(producers.entries().values());
    }

    /**
     * Kafka's first unstable offset: the smallest first offset of a transaction that is ongoing, or completed but
     * with its marker not yet below the high watermark; raised to the log start offset when retention or
     * DeleteRecords removed a transaction's first batches. Empty when there is none.
     */
    public OptionalLong firstUnstableOffset() {
        OptionalLong first = producers.firstUnstableOffset();
        return first.isEmpty() ? first : OptionalLong.of(Math.max(first.getAsLong(), logStartOffset));
    }

    /** The last stable offset, {@code min(firstUnstableOffset, highWatermark)}: read_committed reads stop there. */
    public long lastStableOffset() {
        long hw = highWatermark;
        OptionalLong first = firstUnstableOffset();
        return first.isPresent() ? Math.min(first.getAsLong(), hw) : hw;
    }

    private long clamp(long offset) {
        return Math.max(logStartOffset, Math.min(offset, logEndOffset));
    }

    // ---- append ----

    /**
     * Validates, stamps and appends {@code records} from a producer as the leader in {@code leaderEpoch}.
     *
     * <p>Every batch is validated first, and recompressed when the topic's {@code compression.type} asks for
     * another codec ({@link BatchValidator}, outside the lock); nothing is appended if any batch fails. Offsets
     * starting at the log end offset and the leader epoch are then stamped into each batch header in place (and,
     * for LogAppendTime topics, the max timestamp), and the producer state rules are checked
     * ({@link io.herald.storage.producer.ProducerAppend}). The bytes go to the active segment, which is rolled first
     * when {@link RollPolicy} says so. An idempotent retry of one of a producer's last five batches returns that
     * batch's original offsets with {@code duplicate = true}. A transactional batch of a producer without an ongoing
     * transaction starts one.
     *
     * @throws CorruptRecordException                bad size, CRC or header
     * @throws UnsupportedForMessageFormatException  magic other than 2
     * @throws RecordTooLargeException               a batch larger than {@code max.message.bytes}
     * @throws RecordBatchTooLargeException          the whole append larger than a segment
     * @throws InvalidRecordException                an empty batch, a control batch (only the coordinator writes
     *                                               markers), or a producer id without a sequence; records without
     *                                               key on a compacted topic as a {@link RecordValidationFailure}
     *                                               naming each of them
     * @throws InvalidTimestampException             record timestamps outside the topic's bounds, as a
     *                                               {@link RecordValidationFailure} naming each record
     * @throws InvalidProducerEpochException         a fenced producer epoch
     * @throws org.apache.kafka.common.errors.OutOfOrderSequenceException a sequence gap
     * @throws InvalidTxnStateException              a non-transactional batch of a producer inside a transaction
     * @throws KafkaStorageException                 I/O failure; the log is now offline
     */
    public LogAppendInfo appendAsLeader(MemoryRecords records, int leaderEpoch) {
        return appendValidated(records, AppendOrigin.CLIENT, leaderEpoch, Optional.empty());
    }

    /**
     * Like {@link #appendAsLeader(MemoryRecords, int)}, for a produce whose transaction was verified (KIP-890): a
     * transactional batch that starts a transaction is appended only if {@code verification} is the guard
     * {@link #maybeStartTransactionVerification} handed out for its producer and no end marker was written since.
     *
     * @throws InvalidTxnStateException also when a transaction would start without a valid verification
     */
    public LogAppendInfo appendAsLeader(MemoryRecords records, int leaderEpoch, VerificationGuard verification) {
        return appendValidated(records, AppendOrigin.CLIENT, leaderEpoch, Optional.of(verification));
    }

    /**
     * Like {@link #appendAsLeader(MemoryRecords, int)}, for producer batches the broker took records out of
     * (delayed delivery holds some records back): a batch keeps its offset range, producer id, epoch and sequences,
     * so duplicates and sequence gaps are detected as for the producer's own batch, and may hold fewer records than
     * its range, or none. The records left leave offset gaps, as compaction does; recompression keeps them.
     */
    public LogAppendInfo appendGappedAsLeader(MemoryRecords records, int leaderEpoch) {
        return appendValidated(records, AppendOrigin.CLIENT, leaderEpoch, Optional.empty(), true);
    }

    /**
     * A gapped transactional batch whose transaction was verified, checked against {@code verification} as
     * {@link #appendAsLeader(MemoryRecords, int, VerificationGuard)} checks it.
     */
    public LogAppendInfo appendGappedAsLeader(MemoryRecords records, int leaderEpoch, VerificationGuard verification) {
        return appendValidated(records, AppendOrigin.CLIENT, leaderEpoch, Optional.of(verification), true);
    }

    /**
     * Appends records a coordinator wrote (transactional offset commits to {@code __consumer_offsets}, for
     * instance) as the leader: like {@link #appendAsLeader}, with Kafka's {@code COORDINATOR} origin, which checks
     * producer epochs but not sequences (coordinators write no sequence numbers), and with the verification of
     * the producer's transaction as {@link #appendAsLeader(MemoryRecords, int, VerificationGuard)} checks it.
     */
    public LogAppendInfo appendAsCoordinator(MemoryRecords records, int leaderEpoch, VerificationGuard verification) {
        return appendValidated(records, AppendOrigin.COORDINATOR, leaderEpoch, Optional.of(verification));
    }

    /** A coordinator's append whose transactional batches, if any, need no verification (tests, plain writes). */
    public LogAppendInfo appendAsCoordinator(MemoryRecords records, int leaderEpoch) {
        return appendValidated(records, AppendOrigin.COORDINATOR, leaderEpoch, Optional.empty());
    }

    /**
     * Starts the verification of {@code producerId}'s transaction on this partition (Kafka's
     * {@code maybeStartTransactionVerification}): {@link VerificationGuard#SENTINEL} when the producer already has a
     * transaction ongoing here at {@code producerEpoch} (nothing to verify), else the producer's guard (the one
     * already handed out to a produce in flight at that epoch, or a new one), which the producer's next end marker
     * invalidates unless, with transaction version 2, the marker carries the guard's epoch.
     */
    public VerificationGuard maybeStartTransactionVerification(long producerId, short producerEpoch) {
        return guard.underLock("start verification", () -> producers.entry(producerId)
            .filter(e -> e.producerEpoch() == producerEpoch && e.hasOngoingTransaction())
            .map(e -> VerificationGuard.SENTINEL)
            .orElseGet(() -> producers.startVerification(producerId, producerEpoch)));
    }

    private LogAppendInfo appendValidated(MemoryRecords records, AppendOrigin origin, int leaderEpoch,
                                          Optional<VerificationGuard> verification) {
        return appendValidated(records, origin, leaderEpoch, verification, false);
    }

    private LogAppendInfo appendValidated(MemoryRecords records, AppendOrigin origin, int leaderEpoch,
                                          Optional<VerificationGuard> verification, boolean gapped) {
        LogConfig cfg = config;
        BatchValidator.Validated validated = validator.validateForLeader(records, origin, cfg, time.milliseconds(),
            gapped);
        LogAppendInfo info = guard.underLock("append", () -> published(appender.asLeader(validated, origin, leaderEpoch,
            verification, logEndOffset, logStartOffset, cfg, time.milliseconds())));
        maybeFlush(cfg);
        return info;
    }

    /**
     * Writes an end-transaction marker for the transaction coordinator (WriteTxnMarkers) as the leader: a control
     * batch with one COMMIT or ABORT record at the log end offset, stamped with the broker time. It completes the
     * producer's ongoing transaction, if any: the first unstable offset moves on once the high watermark passes the
     * marker, and an aborted transaction is added to the active segment's transaction index.
     *
     * @throws InvalidProducerEpochException         the marker's producer epoch is older than the producer's (with
     *                                               transaction version 2, not newer unless it is a retry)
     * @throws TransactionCoordinatorFencedException the coordinator epoch is older than the last one seen
     * @throws KafkaStorageException                 I/O failure; the log is now offline
     */
    public LogAppendInfo appendTransactionMarker(TransactionMarker marker, int leaderEpoch) {
        LogConfig cfg = config;
        LogAppendInfo info = guard.underLock("append marker", () -> published(appender.marker(marker, leaderEpoch,
            logEndOffset, logStartOffset, cfg, time.milliseconds())));
        maybeFlush(cfg);
        return info;
    }

    /**
     * Appends batches replicated from the leader exactly as the leader wrote them: offsets, leader epochs and
     * timestamps are kept, nothing is re-stamped. Each batch is CRC-checked; the leader epoch cache learns every
     * epoch that starts in these batches and the producer state replays them (no duplicate or sequence check, fencing
     * only logged: the leader already decided), so end markers complete transactions here too.
     *
     * @throws CorruptRecordException   bad size, CRC or header
     * @throws IllegalArgumentException the first offset is below the log end offset, or offsets do not increase
     * @throws InvalidTxnStateException a non-transactional batch of a producer inside a transaction (as in Kafka)
     * @throws KafkaStorageException    I/O failure; the log is now offline
     */
    public LogAppendInfo appendAsFollower(MemoryRecords records) {
        LogConfig cfg = config;
        int batchCount = validator.validateForFollower(records, cfg).size();
        LogAppendInfo info = guard.underLock("append", () -> published(appender.asFollower(records, batchCount, logEndOffset,
            logStartOffset, time.milliseconds())));
        maybeFlush(cfg);
        return info;
    }

    private LogAppendInfo published(LogAppender.Appended appended) {
        logEndOffset = appended.nextOffset();
        return appended.info();
    }

    /**
     * The fsync {@code flush.messages} asks for, run by the appending thread after it released the lock (see
     * the class comment). Reading the offsets without the lock is fine: a concurrent flush only makes it moot.
     */
    private void maybeFlush(LogConfig cfg) {
        if (recoveryPoint.flushDue(logEndOffset, cfg.flushIntervalMessages())) {
            flush();
        }
    }

    /**
     * Records that leader epoch {@code epoch} starts at {@code startOffset} (a new leader does this before its
     * first append, so followers asking about older epochs learn where they ended). Ignored unless newer than
     * the latest epoch.
     */
    public void assignEpochStartOffset(int epoch, long startOffset) {
        guard.underLock("assign epoch", () -> epochs.maybeAssign(epoch, startOffset));
    }

    private LogSegment maybeRoll(int bytes, long lastOffset, long now) throws IOException {
        assert guard.isHeldByCurrentThread();
        return RollPolicy.shouldRoll(segments.active(), bytes, lastOffset, config, now) ? rollLocked() : segments.active();
    }

    /** Starts a new active segment at the log end offset (no-op when the active one is empty). */
    public void roll() {
        guard.underLock("roll", this::rollLocked);
    }

    private LogSegment rollLocked() throws IOException {
        LogSegment active = segments.active();
        if (active.sizeInBytes() == 0) {
            return active;
        }
        long base = logEndOffset;
        LogSegment next = segments.roll(base, config, time.milliseconds());
        // The producer snapshot lets recovery replay only the new segment.
        producers.takeSnapshot(base);
        LOG.debug("{}: rolled new segment at {}", tp, base);
        return next;
    }

    // ---- read ----

    /**
     * Whole batches from one segment starting with the batch containing {@code startOffset}.
     *
     * @throws OffsetOutOfRangeException when {@code startOffset} is outside {@code [logStartOffset, logEndOffset]}
     */
    public LogReadResult read(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneMessage) {
        long leo = logEndOffset;
        long lso = logStartOffset;
        long hw = highWatermark;
        if (startOffset < lso || startOffset > leo) {
            throw new OffsetOutOfRangeException(tp + ": offset " + startOffset + " (expected: " + lso + ".." + leo + ")");
        }
        if (startOffset == leo) {
            return new LogReadResult(FileSlice.empty(), lso, leo, hw);
        }
        try {
            Optional<FileSlice> slice = segments.read(startOffset, maxBytes, maxOffsetExclusive, minOneMessage);
            return new LogReadResult(slice.orElseThrow(() -> new OffsetOutOfRangeException(tp + ": offset " + startOffset
                + " was deleted concurrently (log start now " + logStartOffset + ")")), lso, leo, hw);
        } catch (IOException e) {
            throw new KafkaStorageException(tp + ": read at " + startOffset + " failed", e);
        }
    }

    /**
     * The aborted transactions a read_committed fetch of {@code [fetchOffset, upperBoundOffset)} must report (Kafka's
     * {@code collectAbortedTransactions}): those whose marker is at or after {@code fetchOffset} and whose first
     * offset is below {@code upperBoundOffset}, in marker order. Any bound at or above the end of the records
     * returned is correct (Kafka too passes an index-aligned overestimate): an extra entry only names a transaction
     * the consumer gets no records of. Lock-free, like {@link #read}.
     */
    public List<AbortedTransaction> abortedTransactions(long fetchOffset, long upperBoundOffset) {
        try {
            return segments.collectAbortedTxns(fetchOffset, upperBoundOffset).stream()
                .map(AbortedTxn::asAbortedTransaction).toList();
        } catch (IOException e) {
            throw new KafkaStorageException(tp + ": reading the transaction index at " + fetchOffset + " failed", e);
        }
    }

    /**
     * ListOffsets: the first record with a timestamp at or after {@code targetTimestamp}, or for the special
     * timestamps -1 (latest), -2 (earliest), -3 (max timestamp), -4 (earliest local) the matching offset.
     */
    public Optional<TimestampAndOffset> offsetForTimestamp(long targetTimestamp) {
        return TimestampLookup.find(tp, segments.view(), logStartOffset, logEndOffset, epochs, targetTimestamp);
    }

    // ---- deletion, retention, truncation ----

    /**
     * Raises the log start offset (DeleteRecords) and deletes the segments wholly below it.
     *
     * @throws OffsetOutOfRangeException when {@code newStart > highWatermark}
     */
    public long deleteRecordsBefore(long newStart) {
        return guard.underLock("delete records", () -> {
            if (newStart > highWatermark) {
                throw new OffsetOutOfRangeException(tp + ": cannot delete before " + newStart + ", above high watermark "
                    + highWatermark);
            }
            if (newStart > logStartOffset) {
                logStartOffset = newStart;
                epochs.truncateFromStart(newStart);
                producers.onLogStartOffsetIncremented(newStart);
                applyRetention(RetentionPlanner.Rules.LOG_START_ONLY, "log start offset " + newStart);
            }
            return logStartOffset;
        });
    }

    /**
     * Applies retention: the segments {@link RetentionPlanner} picks (log start, {@code retention.bytes},
     * {@code retention.ms}) are removed, whole segments only, rolling first when the active one goes too.
     *
     * @return the number of segments deleted
     */
    public int deleteOldSegments() {
        return guard.underLock("retention", () -> applyRetention(RetentionPlanner.Rules.of(config), "retention"));
    }

    private int applyRetention(RetentionPlanner.Rules rules, String reason) throws IOException {
        List<LogSegment> all = segments.snapshot();
        RetentionPlanner.Plan plan = RetentionPlanner.plan(LogSegments.retentionView(all), logStartOffset,
            highWatermark, logEndOffset, rules, time.milliseconds());
        if (plan.rollFirst()) {
            rollLocked(); // Kafka rolls an expired active segment so it can go.
        }
        deleteSegments(all.subList(0, plan.segmentsToDelete()), reason);
        return plan.segmentsToDelete();
    }

    /** Removes a prefix of the segments (never the last one) and schedules their files for deletion. */
    private void deleteSegments(List<LogSegment> doomed, String reason) throws IOException {
        if (doomed.isEmpty()) {
            return;
        }
        long firstKept = segments.next(doomed.get(doomed.size() - 1)).orElseThrow().baseOffset();
        // Publish the new start before the segments vanish, so a reader that finds no segment for
        // its offset can rely on the start having moved (see read).
        if (firstKept > logStartOffset) {
            logStartOffset = firstKept;
            epochs.truncateFromStart(firstKept);
            producers.onLogStartOffsetIncremented(firstKept);
        }
        segments.removePrefix(doomed, config.fileDeleteDelayMs());
        setHighWatermark(clamp(highWatermark));
        LOG.info("{}: deleted {} segments ({}), log start offset now {}", tp, doomed.size(), reason, logStartOffset);
    }

    /**
     * Removes every batch whose last offset is {@code >= offset}; a batch straddling {@code offset}
     * goes entirely, so the new log end offset can be below {@code offset}. Below the first segment,
     * the log is emptied and restarts at {@code offset}.
     */
    public void truncateTo(long offset) {
        guard.underLock("truncate", () -> {
            if (offset >= logEndOffset) {
                // Nothing to cut, but an epoch this replica assigned as leader without writing anything may
                // sit at the log end and would make it claim an epoch no other replica has (as Kafka does).
                epochs.truncateFromEnd(logEndOffset);
                return;
            }
            recoveryPoint.onTruncation(offset);
            if (offset <= segments.firstBaseOffset() || offset < logStartOffset) {
                long start = Math.max(0, offset);
                segments.replaceAllByEmptySegmentAt(start, config, time.milliseconds());
                logStartOffset = start;
                epochs.clear();
            } else {
                segments.truncateFrom(offset, config);
            }
            logEndOffset = segments.active().nextOffset();
            // A batch straddling the log start offset may have gone.
            logStartOffset = Math.max(segments.firstBaseOffset(), Math.min(logStartOffset, logEndOffset));
            recoveryPoint.onTruncation(logEndOffset); // a straddling batch may have taken it lower
            epochs.truncateFromEnd(logEndOffset);
            // Kafka's truncateAndReload: the newest snapshot at or below the new end, then the log after it; the
            // index entries of markers that are gone went with the truncated bytes.
            LogLoader.replayProducerState(segments.asMap(), producers, logStartOffset, logEndOffset, Long.MAX_VALUE);
            setHighWatermark(clamp(highWatermark));
        });
    }

    /**
     * Throws the whole log away and restarts it empty at {@code newOffset} (a follower whose fetch offset fell
     * below the leader's log start offset). Log start, log end, high watermark and recovery point all become
     * {@code newOffset}; the epoch cache and producer state are cleared.
     */
    public void truncateFullyAndStartAt(long newOffset) {
        guard.underLock("truncate fully", () -> {
            recoveryPoint.resetTo(newOffset);
            segments.replaceAllByEmptySegmentAt(newOffset, config, time.milliseconds());
            logStartOffset = newOffset;
            logEndOffset = newOffset;
            highWatermark = newOffset;
            epochs.clear();
            producers.clear();
            producers.deleteSnapshotsAfter(-1);
            LOG.info("{}: log emptied and restarted at offset {}", tp, newOffset);
        });
    }

    // ---- compaction hooks (io.herald.storage.cleaner) ----

    /**
     * Replaces {@code old} by the complete, fsynced cleaned file {@code cleanedFile} (same base
     * offset) with {@code cleanedTxnIndex} as its transaction index, crash-safely (see {@link LogSegments#swapIn}).
     *
     * @return false (and the cleaned file deleted) when {@code old} is no longer part of the log
     */
    public boolean replaceSegment(LogSegment old, Path cleanedFile, List<AbortedTxn> cleanedTxnIndex) {
        return guard.underLock("replace segment", () -> segments.swapIn(old, cleanedFile, cleanedTxnIndex, config,
            time.milliseconds()));
    }

    // ---- flush / close ----

    /**
     * Fsyncs every segment up to the log end offset and advances the recovery point to it. The partition lock
     * is held only to read the range and to publish the result, never during the fsync (see
     * {@link RecoveryPoint}).
     */
    public void flush() {
        guard.ensureOnline();
        try {
            recoveryPoint.flush(() -> logEndOffset, segments::fsync);
        } catch (IOException e) {
            if (!guard.isClosed()) {
                throw guard.fail("flush", e);
            }
        }
    }

    /**
     * Flushes, writes a producer snapshot, trims indexes and closes every file. Idempotent; never throws: a
     * failed fsync leaves the log offline, so its log dir is not marked as cleanly shut down.
     */
    @Override
    public void close() {
        guard.withLock(() -> {
            if (guard.isClosed()) {
                return null;
            }
            try {
                if (!guard.isOffline()) {
                    // Still under the lock, so that nothing is appended between the last fsync and the close.
                    recoveryPoint.flushHoldingLock(logEndOffset, segments::fsync);
                    producers.takeSnapshot(logEndOffset);
                }
            } catch (IOException e) {
                guard.fail("close", e);
            } finally {
                guard.markClosed();
                segments.closeAll(tp);
            }
            return null;
        });
    }

    /** Closes the log and removes its directory. */
    public void deleteAll() {
        close();
        try {
            LogSegments.deleteDirectory(dir);
        } catch (IOException e) {
            throw new KafkaStorageException(tp + ": failed to delete " + dir, e);
        }
    }

    @Override
    public String toString() {
        return "PartitionLog(" + tp + ", start=" + logStartOffset + ", end=" + logEndOffset + ", segments=" + segments.count() + ")";
    }
}
