package io.herald.storage.log;

import io.herald.common.time.Time;
import io.herald.storage.checkpoint.OffsetCheckpointFile;
import io.herald.storage.epoch.EpochEndOffset;
import io.herald.storage.epoch.EpochEntry;
import io.herald.storage.epoch.LeaderEpochCache;
import io.herald.storage.producer.BatchMetadata;
import io.herald.storage.producer.ProducerStateEntry;
import io.herald.storage.producer.ProducerStateManager;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;

import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: an ordered set of {@link LogSegment}s in {@code <logDir>/<topic>-<partition>/},
 * plus its leader-epoch cache and idempotent-producer state.
 *
 * <p>On disk: {@code <20-digit base>.log/.index/.timeindex} per segment, {@code leader-epoch-checkpoint},
 * {@code <offset>.snapshot} producer snapshots. Transient names: {@code .deleted} (awaiting physical
 * removal), {@code .cleaned}/{@code .swap} (compaction output); {@link #open} finishes or discards them.
 *
 * <p>Invariants: {@code logStartOffset <= highWatermark <= logEndOffset}; {@code recoveryPoint <=
 * logEndOffset}; the last segment is the active one and its base offset is {@code <= logEndOffset};
 * segment base offsets increase, and every batch of a segment lies below the next segment's base.
 *
 * <p>Thread-safety: thread-safe. Appends, roll, truncation, retention and segment replacement run
 * under one {@link ReentrantLock}. Reads take no lock: the segment map is a
 * {@link ConcurrentSkipListMap}, the offsets are volatile, and a segment publishes its size only
 * after whole batches are written. A reader racing with deletion still holds a valid channel,
 * because deleted segments' files are closed only after {@code fileDeleteDelayMs}.
 * {@link #flush()} runs outside the append lock (fsync never blocks appends).
 */
public final class PartitionLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private final Path dir;
    private final TopicPartition tp;
    private final Time time;
    private final ReentrantLock lock = new ReentrantLock();
    private final Object flushLock = new Object();
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private final ProducerStateManager producers;
    private final LeaderEpochCache epochs;
    private volatile LogConfig config;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long highWatermark;
    private volatile long recoveryPoint;
    private volatile long lastFlushMs;
    private volatile boolean offline;
    private volatile boolean closed;

    private PartitionLog(Path dir, TopicPartition tp, LogConfig config, Time time) throws IOException {
        this.dir = dir;
        this.tp = tp;
        this.config = config;
        this.time = time;
        this.producers = new ProducerStateManager(dir);
        this.epochs = new LeaderEpochCache(dir);
        this.lastFlushMs = time.milliseconds();
    }

    /**
     * Opens the log in {@code dir}, taking recovery point, log start offset and high watermark from
     * the checkpoint files of the parent log dir when they have an entry for {@code tp}.
     */
    public static PartitionLog open(Path dir, TopicPartition tp, LogConfig config, Time time, boolean recover) throws IOException {
        Path logDir = dir.toAbsolutePath().getParent();
        PartitionCheckpoint cp = new PartitionCheckpoint(
            new OffsetCheckpointFile(logDir.resolve(OffsetCheckpointFile.RECOVERY_POINT)).read().getOrDefault(tp, 0L),
            new OffsetCheckpointFile(logDir.resolve(OffsetCheckpointFile.LOG_START_OFFSET)).read().getOrDefault(tp, 0L),
            new OffsetCheckpointFile(logDir.resolve(OffsetCheckpointFile.HIGH_WATERMARK)).read().getOrDefault(tp, 0L));
        return open(dir, tp, config, time, recover, cp);
    }

    /**
     * Opens (creating if missing) the log in {@code dir}.
     *
     * @param recover true after an unclean shutdown: every batch after the checkpointed recovery
     *                point is re-validated and the log truncated at the first bad byte; false
     *                trusts the files and only sanity-checks the tail of the last segment
     */
    public static PartitionLog open(Path dir, TopicPartition tp, LogConfig config, Time time, boolean recover,
                                    PartitionCheckpoint checkpoint) throws IOException {
        Files.createDirectories(dir);
        PartitionLog log = new PartitionLog(dir, tp, config, time);
        try {
            log.load(recover, checkpoint);
        } catch (IOException | RuntimeException e) {
            log.segments.values().forEach(s -> {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // already failing
                }
            });
            throw e;
        }
        return log;
    }

    private void load(boolean recover, PartitionCheckpoint cp) throws IOException {
        List<Long> bases = cleanUpAndListSegments();
        long now = time.milliseconds();
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            segments.put(base, LogSegment.open(dir, base, config, now, i == bases.size() - 1));
        }
        if (recover) {
            recoverSegments(cp.recoveryPoint());
        } else if (!segments.isEmpty()) {
            LogSegment last = segments.lastEntry().getValue();
            if (!last.verifyTail()) {
                LOG.warn("{}: last segment {} failed its tail check; recovering it", tp, last.logFile());
                recoverSegments(last.baseOffset());
            }
        }
        if (segments.isEmpty()) {
            long start = Math.max(0, cp.logStartOffset());
            segments.put(start, LogSegment.open(dir, start, config, now, true));
        }
        LogSegment active = segments.lastEntry().getValue();
        logEndOffset = active.nextOffset();
        logStartOffset = Math.max(segments.firstKey(), Math.min(cp.logStartOffset(), logEndOffset));
        if (recover) {
            // Recovered bytes may only be in the page cache; make them durable before trusting them.
            Map.Entry<Long, LogSegment> floor = segments.floorEntry(cp.recoveryPoint());
            for (LogSegment s : segments.tailMap(floor == null ? segments.firstKey() : floor.getKey(), true).values()) {
                s.flush();
            }
        }
        recoveryPoint = logEndOffset;
        highWatermark = clamp(cp.highWatermark());
        epochs.truncateFromEnd(logEndOffset);
        epochs.truncateFromStart(logStartOffset);
        rebuildProducerState();
        LOG.debug("{}: loaded {} segments, log start {}, log end {}", tp, segments.size(), logStartOffset, logEndOffset);
    }

    /** Finishes or discards interrupted file operations and returns the base offsets of the segments. */
    private List<Long> cleanUpAndListSegments() throws IOException {
        List<Long> bases = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        }
        for (Path p : files) {
            String name = p.getFileName().toString();
            if (name.endsWith(LogSegment.DELETED_SUFFIX) || name.endsWith(".cleaned") || name.endsWith(".tmp")) {
                Files.deleteIfExists(p);
            } else if (name.endsWith(LogSegment.LOG_SUFFIX + ".swap")) {
                // Compaction crashed after the cleaned file was complete: it wins over the original.
                String logName = name.substring(0, name.length() - ".swap".length());
                Files.move(p, p.resolveSibling(logName), StandardCopyOption.REPLACE_EXISTING);
                String base = logName.substring(0, logName.length() - LogSegment.LOG_SUFFIX.length());
                Files.deleteIfExists(dir.resolve(base + LogSegment.INDEX_SUFFIX));
                Files.deleteIfExists(dir.resolve(base + LogSegment.TIME_INDEX_SUFFIX));
            }
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + LogSegment.LOG_SUFFIX)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                String digits = name.substring(0, name.length() - LogSegment.LOG_SUFFIX.length());
                if (digits.length() == 20 && digits.chars().allMatch(Character::isDigit)) {
                    bases.add(Long.parseLong(digits));
                }
            }
        }
        bases.sort(Comparator.naturalOrder());
        return bases;
    }

    /** Re-validates segments holding offsets at or above {@code from}; truncates at the first bad batch. */
    private void recoverSegments(long from) throws IOException {
        List<LogSegment> all = new ArrayList<>(segments.values());
        for (int i = 0; i < all.size(); i++) {
            LogSegment s = all.get(i);
            boolean wholeBelow = i + 1 < all.size() && all.get(i + 1).baseOffset() <= from;
            if (wholeBelow) {
                continue;
            }
            int truncated = s.recover(Integer.MAX_VALUE, config.segmentIndexBytes());
            boolean nextOverlaps = i + 1 < all.size() && all.get(i + 1).baseOffset() < s.nextOffset();
            if (truncated > 0 || nextOverlaps) {
                LOG.warn("{}: recovery truncated {} bytes of {}; deleting {} later segments", tp, truncated,
                    s.logFile(), all.size() - i - 1);
                for (LogSegment later : all.subList(i + 1, all.size())) {
                    segments.remove(later.baseOffset());
                    later.deleteFiles();
                }
                return;
            }
            if (i + 1 < all.size()) {
                s.onBecomeInactive();
            }
        }
    }

    private void rebuildProducerState() throws IOException {
        producers.deleteSnapshotsAfter(logEndOffset);
        OptionalLong snapshot = producers.loadLatestSnapshot(logEndOffset);
        long from = Math.max(logStartOffset, snapshot.orElse(logStartOffset));
        Map.Entry<Long, LogSegment> floor = segments.floorEntry(from);
        Long startKey = floor == null ? segments.firstKey() : floor.getKey();
        for (LogSegment s : segments.tailMap(startKey, true).values()) {
            s.forEachBatch(from, (position, h) -> {
                if (h.hasProducerId() && !h.isControl() && h.baseOffset() >= from) {
                    producers.replay(h.producerId(), h.producerEpoch(),
                        new BatchMetadata(h.baseSequence(), h.lastSequence(), h.baseOffset(), h.lastOffset()));
                }
            });
        }
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
        withLock(() -> {
            highWatermark = clamp(hw);
            return null;
        });
    }

    public long recoveryPoint() {
        return recoveryPoint;
    }

    public long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.sizeInBytes();
        }
        return total;
    }

    public int numberOfSegments() {
        return segments.size();
    }

    /** Snapshot of the segments, oldest first; the last one is active. */
    public List<LogSegment> segments() {
        return List.copyOf(segments.values());
    }

    public boolean isOffline() {
        return offline;
    }

    /** Wall-clock (injected {@link Time}) of the last completed flush. */
    public long lastFlushMs() {
        return lastFlushMs;
    }

    /** The values to write to the log dir's checkpoint files. */
    public PartitionCheckpoint checkpoint() {
        return new PartitionCheckpoint(recoveryPoint, logStartOffset, highWatermark);
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

    private long clamp(long offset) {
        return Math.max(logStartOffset, Math.min(offset, logEndOffset));
    }

    // ---- append ----

    /**
     * Validates, stamps and appends {@code records} as the leader in {@code leaderEpoch}.
     *
     * <p>Every batch is validated first (magic 2, size bounds, CRC, record count, idempotent
     * sequence); nothing is appended if any batch fails. Offsets starting at the log end offset and
     * the leader epoch are then stamped into each batch header in place (and, for LogAppendTime
     * topics, the max timestamp, which re-computes the CRC); the records are never decompressed,
     * except to check for null keys on compacted topics. The bytes go to the active segment, which
     * is rolled first when the append would overflow {@code segment.bytes}, it is older than
     * {@code segment.ms}, or its indexes are full. An idempotent retry of one of a producer's last
     * five batches returns that batch's original offsets with {@code duplicate = true}.
     *
     * @throws CorruptRecordException                bad size, CRC or header
     * @throws UnsupportedForMessageFormatException  magic other than 2
     * @throws RecordTooLargeException               a batch larger than {@code maxMessageBytes}
     * @throws RecordBatchTooLargeException          the whole append larger than {@code segmentBytes}
     * @throws InvalidRecordException                an empty batch, or a null key on a compacted topic
     * @throws KafkaStorageException                 I/O failure; the log is now offline
     */
    public LogAppendInfo appendAsLeader(MemoryRecords records, int leaderEpoch) {
        LogConfig cfg = config;
        List<MutableRecordBatch> batches = validate(records, cfg, false);
        return withLock(() -> {
            ensureOnline();
            ProducerStateManager.Append producerAppend = producers.begin();
            int numRecords = 0;
            for (MutableRecordBatch b : batches) {
                numRecords += b.countOrNull();
                if (b.hasProducerId()) {
                    Optional<BatchMetadata> dup = producerAppend.check(b.producerId(), b.producerEpoch(), b.baseSequence(), b.lastSequence());
                    if (dup.isPresent()) {
                        return new LogAppendInfo(dup.get().firstOffset(), dup.get().lastOffset(), -1, logStartOffset,
                            (int) (dup.get().lastOffset() - dup.get().firstOffset() + 1), true);
                    }
                }
            }
            if (batches.isEmpty()) {
                return new LogAppendInfo(logEndOffset, logEndOffset - 1, -1, logStartOffset, 0, false);
            }
            long now = time.milliseconds();
            long firstOffset = logEndOffset;
            long next = firstOffset;
            List<BatchHeader> headers = new ArrayList<>(batches.size());
            ByteBuffer buffer = records.buffer();
            int position = buffer.position();
            for (MutableRecordBatch b : batches) {
                BatchHeader before = BatchHeader.parse(buffer, position);
                b.setLastOffset(next + before.lastOffsetDelta());
                b.setPartitionLeaderEpoch(leaderEpoch);
                if (cfg.logAppendTime()) {
                    b.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, now);
                }
                BatchHeader h = BatchHeader.parse(buffer, position);
                headers.add(h);
                if (h.hasProducerId()) {
                    producerAppend.stage(h.producerId(), h.producerEpoch(),
                        new BatchMetadata(h.baseSequence(), h.lastSequence(), h.baseOffset(), h.lastOffset()));
                }
                next = h.nextOffset();
                position += h.sizeInBytes();
            }
            try {
                LogSegment active = maybeRoll(buffer.remaining(), next - 1, now);
                active.append(buffer, headers);
            } catch (IOException e) {
                throw fail("append", e);
            }
            producerAppend.commit();
            epochs.maybeAssign(leaderEpoch, firstOffset);
            logEndOffset = next;
            if (logEndOffset - recoveryPoint >= cfg.flushIntervalMessages()) {
                flush();
            }
            return new LogAppendInfo(firstOffset, next - 1, cfg.logAppendTime() ? now : -1, logStartOffset, numRecords, false);
        });
    }

    /**
     * Appends batches replicated from the leader exactly as the leader wrote them: offsets, leader epochs and
     * timestamps are kept, nothing is re-stamped. Each batch is CRC-checked; the leader epoch cache learns every
     * epoch that starts in these batches and the producer state replays their sequences (no duplicate check:
     * the leader already decided).
     *
     * @throws CorruptRecordException   bad size, CRC or header
     * @throws IllegalArgumentException the first offset is below the log end offset, or offsets do not increase
     * @throws KafkaStorageException    I/O failure; the log is now offline
     */
    public LogAppendInfo appendAsFollower(MemoryRecords records) {
        LogConfig cfg = config;
        List<MutableRecordBatch> batches = validate(records, cfg, true);
        return withLock(() -> {
            ensureOnline();
            if (batches.isEmpty()) {
                return new LogAppendInfo(logEndOffset, logEndOffset - 1, -1, logStartOffset, 0, false);
            }
            ByteBuffer buffer = records.buffer();
            int position = buffer.position();
            List<BatchHeader> headers = new ArrayList<>(batches.size());
            long previousLast = logEndOffset - 1;
            int numRecords = 0;
            for (int i = 0; i < batches.size(); i++) {
                BatchHeader h = BatchHeader.parse(buffer, position);
                if (h.baseOffset() <= previousLast) {
                    throw new IllegalArgumentException(tp + ": replicated batch at offset " + h.baseOffset()
                        + " does not follow offset " + previousLast + " (log end offset " + logEndOffset + ")");
                }
                headers.add(h);
                numRecords += h.recordCount();
                previousLast = h.lastOffset();
                position += h.sizeInBytes();
            }
            long firstOffset = headers.get(0).baseOffset();
            BatchHeader last = headers.get(headers.size() - 1);
            long now = time.milliseconds();
            try {
                LogSegment active = maybeRoll(buffer.remaining(), last.lastOffset(), now);
                active.append(buffer, headers);
            } catch (IOException e) {
                throw fail("append", e);
            }
            for (BatchHeader h : headers) {
                if (h.hasProducerId() && !h.isControl()) {
                    producers.replay(h.producerId(), h.producerEpoch(),
                        new BatchMetadata(h.baseSequence(), h.lastSequence(), h.baseOffset(), h.lastOffset()));
                }
                if (h.partitionLeaderEpoch() >= 0) {
                    epochs.maybeAssign(h.partitionLeaderEpoch(), h.baseOffset());
                }
            }
            logEndOffset = last.nextOffset();
            if (logEndOffset - recoveryPoint >= cfg.flushIntervalMessages()) {
                flush();
            }
            return new LogAppendInfo(firstOffset, last.lastOffset(), -1, logStartOffset, numRecords, false);
        });
    }

    /**
     * Records that leader epoch {@code epoch} starts at {@code startOffset} (a new leader does this before its
     * first append, so followers asking about older epochs learn where they ended). Ignored unless newer than
     * the latest epoch.
     */
    public void assignEpochStartOffset(int epoch, long startOffset) {
        withLock(() -> {
            ensureOnline();
            epochs.maybeAssign(epoch, startOffset);
            return null;
        });
    }

    /**
     * Throws the whole log away and restarts it empty at {@code newOffset} (a follower whose fetch offset fell
     * below the leader's log start offset). Log start, log end, high watermark and recovery point all become
     * {@code newOffset}; the epoch cache and producer state are cleared.
     */
    public void truncateFullyAndStartAt(long newOffset) {
        withLock(() -> {
            ensureOnline();
            try {
                List<LogSegment> all = new ArrayList<>(segments.values());
                for (LogSegment s : all) {
                    s.markDeleted();
                }
                segments.clear();
                segments.put(newOffset, LogSegment.open(dir, newOffset, config, time.milliseconds(), true));
                SegmentDeleter.deleteLater(all, config.fileDeleteDelayMs());
                logStartOffset = newOffset;
                logEndOffset = newOffset;
                highWatermark = newOffset;
                recoveryPoint = newOffset;
                epochs.clear();
                producers.clear();
                producers.deleteSnapshotsAfter(-1);
            } catch (IOException e) {
                throw fail("truncate fully", e);
            }
            LOG.info("{}: log emptied and restarted at offset {}", tp, newOffset);
            return null;
        });
    }

    /**
     * Checks every batch (no lock needed: only the caller's buffer is read). A follower skips the checks the
     * leader already made on the producer's behalf (record size, keys on compacted topics), as Kafka does.
     */
    private List<MutableRecordBatch> validate(MemoryRecords records, LogConfig cfg, boolean asFollower) {
        ByteBuffer buffer = records.buffer();
        int position = buffer.position();
        int limit = buffer.limit();
        if (limit - position > cfg.segmentBytes()) {
            throw new RecordBatchTooLargeException("append of " + (limit - position) + " bytes exceeds segment.bytes "
                + cfg.segmentBytes() + " of " + tp);
        }
        List<MutableRecordBatch> out = new ArrayList<>();
        while (position < limit) {
            int remaining = limit - position;
            // Every message format (v0..v2) has its magic byte at offset 16, so check it first.
            if (remaining <= BatchHeader.MAGIC_OFFSET) {
                throw new CorruptRecordException(tp + ": " + remaining + " trailing bytes are not a record batch");
            }
            byte magic = buffer.get(position + BatchHeader.MAGIC_OFFSET);
            if (magic != RecordBatch.MAGIC_VALUE_V2) {
                throw new UnsupportedForMessageFormatException(tp + ": batch magic " + magic + " (expected: 2)");
            }
            int length = buffer.getInt(position + 8);
            if (remaining < BatchHeader.SIZE || length < BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD) {
                throw new CorruptRecordException(tp + ": batch length " + length + " with " + remaining
                    + " bytes remaining (expected: >= " + (BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD) + ")");
            }
            int size = length + BatchHeader.LOG_OVERHEAD;
            if (!asFollower && size > cfg.maxMessageBytes()) {
                throw new RecordTooLargeException(tp + ": batch of " + size + " bytes exceeds max.message.bytes "
                    + cfg.maxMessageBytes());
            }
            if (size > remaining) {
                throw new CorruptRecordException(tp + ": batch of " + size + " bytes but only " + remaining + " remain");
            }
            ByteBuffer slice = buffer.duplicate().position(position).limit(position + size).slice();
            MutableRecordBatch batch = MemoryRecords.readableRecords(slice).batches().iterator().next();
            if (!batch.isValid()) {
                throw new CorruptRecordException(tp + ": batch at byte " + position + " fails its CRC check");
            }
            BatchHeader h = BatchHeader.parse(buffer, position);
            if (h.recordCount() == 0) {
                throw new InvalidRecordException(tp + ": batch at byte " + position + " has no records");
            }
            if (h.recordCount() < 0 || h.lastOffsetDelta() != h.recordCount() - 1) {
                throw new CorruptRecordException(tp + ": batch record count " + h.recordCount()
                    + " inconsistent with last offset delta " + h.lastOffsetDelta());
            }
            if (!asFollower && cfg.compact() && !h.isControl()) {
                for (Record r : batch) {
                    if (!r.hasKey()) {
                        throw new InvalidRecordException(tp + ": compacted topic requires a key on every record");
                    }
                }
            }
            out.add(batch);
            position += size;
        }
        return out;
    }

    /** Rolls when the append would overflow the active segment, it is too old, or its indexes are full. */
    private LogSegment maybeRoll(int bytes, long lastOffset, long now) throws IOException {
        LogSegment active = segments.lastEntry().getValue();
        LogConfig cfg = config;
        if (active.sizeInBytes() > 0 && ((long) active.sizeInBytes() + bytes > cfg.segmentBytes()
            || now - active.createdMs() >= cfg.segmentMs()
            || active.indexesFull()
            || lastOffset - active.baseOffset() > Integer.MAX_VALUE)) {
            return rollLocked();
        }
        return active;
    }

    /** Starts a new active segment at the log end offset (no-op when the active one is empty). */
    public void roll() {
        withLock(() -> {
            ensureOnline();
            try {
                rollLocked();
            } catch (IOException e) {
                throw fail("roll", e);
            }
            return null;
        });
    }

    private LogSegment rollLocked() throws IOException {
        LogSegment active = segments.lastEntry().getValue();
        if (active.sizeInBytes() == 0) {
            return active;
        }
        long base = logEndOffset;
        LogSegment next = LogSegment.open(dir, base, config, time.milliseconds(), true);
        segments.put(base, next);
        active.onBecomeInactive();
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
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(startOffset);
        if (entry == null) {
            // logStartOffset >= first base offset always holds, so retention ran since we looked.
            throw new OffsetOutOfRangeException(tp + ": offset " + startOffset + " was deleted concurrently (log start now "
                + logStartOffset + ")");
        }
        try {
            // Compaction can leave a segment without any batch at or after startOffset: move on.
            while (entry != null) {
                Optional<FileSlice> slice = entry.getValue().read(startOffset, maxBytes, maxOffsetExclusive, minOneMessage);
                if (slice.isPresent()) {
                    return new LogReadResult(slice.get(), lso, leo, hw);
                }
                entry = segments.higherEntry(entry.getKey());
            }
        } catch (IOException e) {
            throw new KafkaStorageException(tp + ": read at " + startOffset + " failed", e);
        }
        return new LogReadResult(FileSlice.empty(), lso, leo, hw);
    }

    /** ListOffsets lookup; see the interface contract for the special timestamps -1..-4. */
    public Optional<TimestampAndOffset> offsetForTimestamp(long targetTimestamp) {
        long lso = logStartOffset;
        try {
            if (targetTimestamp == -2L || targetTimestamp == -4L) {
                return Optional.of(new TimestampAndOffset(RecordBatch.NO_TIMESTAMP, lso, epochForOffset(lso)));
            }
            if (targetTimestamp == -1L) {
                long leo = logEndOffset;
                int latest = epochs.latestEpoch();
                return Optional.of(new TimestampAndOffset(RecordBatch.NO_TIMESTAMP, leo,
                    latest >= 0 ? Optional.of(latest) : Optional.empty()));
            }
            if (targetTimestamp == -3L) {
                LogSegment best = null;
                for (LogSegment s : segments.values()) {
                    if (s.maxTimestamp() >= 0 && (best == null || s.maxTimestamp() > best.maxTimestamp())) {
                        best = s;
                    }
                }
                return best == null ? Optional.empty() : best.maxTimestampRecord();
            }
            if (targetTimestamp < 0) {
                throw new InvalidRequestException(tp + ": unsupported timestamp " + targetTimestamp);
            }
            for (LogSegment s : segments.values()) {
                if (s.maxTimestamp() >= targetTimestamp) {
                    Optional<TimestampAndOffset> found = s.findOffsetByTimestamp(targetTimestamp, lso);
                    if (found.isPresent()) {
                        return found;
                    }
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new KafkaStorageException(tp + ": timestamp lookup failed", e);
        }
    }

    private Optional<Integer> epochForOffset(long offset) {
        Optional<Integer> out = Optional.empty();
        for (EpochEntry e : epochs.entries()) {
            if (e.startOffset() <= offset) {
                out = Optional.of(e.epoch());
            }
        }
        return out;
    }

    // ---- deletion, retention, truncation ----

    /**
     * Raises the log start offset (DeleteRecords) and deletes the segments wholly below it.
     *
     * @throws OffsetOutOfRangeException when {@code newStart > highWatermark}
     */
    public long deleteRecordsBefore(long newStart) {
        return withLock(() -> {
            if (newStart > highWatermark) {
                throw new OffsetOutOfRangeException(tp + ": cannot delete before " + newStart + ", above high watermark "
                    + highWatermark);
            }
            if (newStart > logStartOffset) {
                logStartOffset = newStart;
                epochs.truncateFromStart(newStart);
                deleteSegments(segmentsBelowLogStart(), "log start offset " + newStart);
            }
            return logStartOffset;
        });
    }

    private List<LogSegment> segmentsBelowLogStart() {
        List<LogSegment> out = new ArrayList<>();
        LogSegment previous = null;
        for (LogSegment s : segments.values()) {
            if (previous != null) {
                if (s.baseOffset() <= logStartOffset) {
                    out.add(previous);
                } else {
                    break;
                }
            }
            previous = s;
        }
        return out;
    }

    /**
     * Applies {@code retention.ms} and {@code retention.bytes} (whole segments, oldest first) and
     * removes segments below the log start offset. Only when {@code cleanup.policy} has {@code delete}.
     *
     * @return the number of segments deleted
     */
    public int deleteOldSegments() {
        return withLock(() -> {
            ensureOnline();
            LogConfig cfg = config;
            List<LogSegment> doomed = new ArrayList<>(segmentsBelowLogStart());
            if (cfg.delete()) {
                try {
                    long now = time.milliseconds();
                    if (cfg.retentionMs() >= 0) {
                        for (LogSegment s : segments.values()) {
                            if (doomed.contains(s)) {
                                continue;
                            }
                            if (s.sizeInBytes() == 0 || now - s.largestTimestampOrMtime() <= cfg.retentionMs()) {
                                break;
                            }
                            if (s == segments.lastEntry().getValue()) {
                                rollLocked(); // Kafka rolls an expired active segment so it can go.
                            }
                            doomed.add(s);
                        }
                    }
                    if (cfg.retentionBytes() >= 0) {
                        long diff = sizeInBytes() - cfg.retentionBytes();
                        for (LogSegment s : doomed) {
                            diff -= s.sizeInBytes();
                        }
                        LogSegment active = segments.lastEntry().getValue();
                        for (LogSegment s : segments.values()) {
                            if (doomed.contains(s)) {
                                continue;
                            }
                            if (s == active || diff - s.sizeInBytes() < 0) {
                                break;
                            }
                            diff -= s.sizeInBytes();
                            doomed.add(s);
                        }
                    }
                } catch (IOException e) {
                    throw fail("retention", e);
                }
            }
            if (!doomed.isEmpty()) {
                deleteSegments(doomed, "retention");
            }
            return doomed.size();
        });
    }

    /** Removes segments (never the last one) from the map and schedules their files for deletion. */
    private void deleteSegments(List<LogSegment> doomed, String reason) {
        if (doomed.isEmpty()) {
            return;
        }
        long firstKept = segments.values().stream().filter(s -> !doomed.contains(s)).findFirst().orElseThrow().baseOffset();
        long newStart = Math.max(logStartOffset, firstKept);
        // Publish the new start before the segments vanish, so a reader that finds no segment for
        // its offset can rely on the start having moved (see read).
        if (newStart > logStartOffset) {
            logStartOffset = newStart;
            epochs.truncateFromStart(newStart);
        }
        for (LogSegment s : doomed) {
            segments.remove(s.baseOffset(), s);
        }
        highWatermark = clamp(highWatermark);
        try {
            for (LogSegment s : doomed) {
                s.markDeleted();
            }
        } catch (IOException e) {
            throw fail("delete segments", e);
        }
        LOG.info("{}: deleted {} segments ({}), log start offset now {}", tp, doomed.size(), reason, logStartOffset);
        SegmentDeleter.deleteLater(doomed, config.fileDeleteDelayMs());
    }

    /**
     * Removes every batch whose last offset is {@code >= offset}; a batch straddling {@code offset}
     * goes entirely, so the new log end offset can be below {@code offset}. Below the first segment,
     * the log is emptied and restarts at {@code offset}.
     */
    public void truncateTo(long offset) {
        withLock(() -> {
            ensureOnline();
            if (offset >= logEndOffset) {
                // Nothing to cut, but an epoch this replica assigned as leader without writing anything may
                // sit at the log end and would make it claim an epoch no other replica has (as Kafka does).
                epochs.truncateFromEnd(logEndOffset);
                return null;
            }
            try {
                if (offset <= segments.firstKey() || offset < logStartOffset) {
                    List<LogSegment> all = new ArrayList<>(segments.values());
                    long start = Math.max(0, offset);
                    // Rename the old files first: the fresh segment may reuse a base offset.
                    for (LogSegment s : all) {
                        s.markDeleted();
                    }
                    segments.clear();
                    segments.put(start, LogSegment.open(dir, start, config, time.milliseconds(), true));
                    SegmentDeleter.deleteLater(all, config.fileDeleteDelayMs());
                    logStartOffset = start;
                    epochs.clear();
                } else {
                    List<LogSegment> later = new ArrayList<>(segments.tailMap(offset, false).values());
                    for (LogSegment s : later) {
                        segments.remove(s.baseOffset());
                        s.markDeleted();
                    }
                    SegmentDeleter.deleteLater(later, config.fileDeleteDelayMs());
                    LogSegment active = segments.lastEntry().getValue();
                    active.truncateTo(offset);
                    if (!later.isEmpty()) {
                        active.onBecomeActive(config.segmentIndexBytes());
                    }
                }
                logEndOffset = segments.lastEntry().getValue().nextOffset();
                // A batch straddling the log start offset may have gone.
                logStartOffset = Math.max(segments.firstKey(), Math.min(logStartOffset, logEndOffset));
                highWatermark = clamp(highWatermark);
                recoveryPoint = Math.min(recoveryPoint, logEndOffset);
                epochs.truncateFromEnd(logEndOffset);
                rebuildProducerState();
            } catch (IOException e) {
                throw fail("truncate", e);
            }
            return null;
        });
    }

    // ---- compaction hooks (io.herald.storage.cleaner) ----

    /** The inactive segments, oldest first: the part of the log the cleaner may rewrite. */
    public List<LogSegment> inactiveSegments() {
        List<LogSegment> all = segments();
        return all.subList(0, all.size() - 1);
    }

    /**
     * Replaces {@code old} by the complete, fsynced cleaned file {@code cleanedFile} (same base
     * offset). Crash-safe: the cleaned file is renamed to {@code .swap} before the original is
     * renamed away; {@link #open} completes a swap it finds.
     *
     * @return false (and the cleaned file deleted) when {@code old} is no longer part of the log
     */
    public boolean replaceSegment(LogSegment old, Path cleanedFile) {
        return withLock(() -> {
            ensureOnline();
            try {
                if (segments.get(old.baseOffset()) != old || old == segments.lastEntry().getValue()) {
                    Files.deleteIfExists(cleanedFile);
                    return false;
                }
                Path logFile = dir.resolve(LogSegment.fileName(old.baseOffset(), LogSegment.LOG_SUFFIX));
                Path swap = logFile.resolveSibling(logFile.getFileName() + ".swap");
                Files.move(cleanedFile, swap, StandardCopyOption.REPLACE_EXISTING);
                old.markDeleted();
                Files.move(swap, logFile);
                LogSegment fresh = LogSegment.open(dir, old.baseOffset(), config, time.milliseconds(), false);
                segments.put(old.baseOffset(), fresh);
                SegmentDeleter.deleteLater(List.of(old), config.fileDeleteDelayMs());
                return true;
            } catch (IOException e) {
                throw fail("replace segment", e);
            }
        });
    }

    // ---- flush / close ----

    /** Fsyncs all segments up to the current log end offset and advances the recovery point. */
    public void flush() {
        ensureOnline();
        synchronized (flushLock) {
            long target = logEndOffset;
            if (target <= recoveryPoint) {
                lastFlushMs = time.milliseconds();
                return;
            }
            Map.Entry<Long, LogSegment> from = segments.floorEntry(recoveryPoint);
            Long fromKey = from == null ? segments.firstKey() : from.getKey();
            try {
                for (LogSegment s : segments.tailMap(fromKey, true).values()) {
                    if (s.baseOffset() < target) {
                        s.flush();
                    }
                }
            } catch (IOException e) {
                if (!closed) {
                    throw fail("flush", e);
                }
            }
            if (target > recoveryPoint) {
                recoveryPoint = target;
            }
            lastFlushMs = time.milliseconds();
        }
    }

    /** Flushes, writes a producer snapshot, trims indexes and closes every file. Idempotent. */
    @Override
    public void close() {
        withLock(() -> {
            if (closed) {
                return null;
            }
            try {
                if (!offline) {
                    flush();
                    producers.takeSnapshot(logEndOffset);
                }
            } catch (IOException e) {
                LOG.warn("{}: failed to snapshot producer state on close: {}", tp, e.toString());
            } finally {
                closed = true;
                for (LogSegment s : segments.values()) {
                    try {
                        s.close();
                    } catch (IOException e) {
                        LOG.warn("{}: failed to close {}: {}", tp, s.logFile(), e.toString());
                    }
                }
            }
            return null;
        });
    }

    /** Closes the log and removes its directory. */
    public void deleteAll() {
        close();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new KafkaStorageException(tp + ": failed to delete " + dir, e);
        }
    }

    // ---- helpers ----

    private void ensureOnline() {
        if (offline) {
            throw new KafkaStorageException(tp + " is offline after an earlier disk error");
        }
        if (closed) {
            throw new KafkaStorageException(tp + " is closed");
        }
    }

    private KafkaStorageException fail(String operation, IOException e) {
        offline = true;
        LOG.error("{}: {} failed; the log is offline: {}", tp, operation, e.toString());
        return new KafkaStorageException(tp + ": " + operation + " failed", e);
    }

    private interface Locked<T> {
        T run();
    }

    private <T> T withLock(Locked<T> body) {
        lock.lock();
        try {
            return body.run();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "PartitionLog(" + tp + ", start=" + logStartOffset + ", end=" + logEndOffset + ", segments=" + segments.size() + ")";
    }
}
