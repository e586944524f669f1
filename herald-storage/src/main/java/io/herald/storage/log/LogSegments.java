package io.herald.storage.log;

import io.herald.storage.config.LogConfig;
import io.herald.storage.txn.AbortedTxn;
import io.herald.storage.txn.TransactionIndex;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segments of one partition log by base offset, and the file operations that add, remove and swap them.
 *
 * <p>Invariants: never empty once a log is open; the last segment is the active one; base offsets increase and
 * every batch of a segment lies below the next segment's base. A removed segment's files are renamed to
 * {@code .deleted} at once and closed and deleted after {@code file.delete.delay.ms}, so that readers still
 * sending from it finish; a fresh segment may therefore reuse a removed one's base offset.
 *
 * <p>Thread-safety: mutations are confined to the owning {@link PartitionLog}'s lock. Lookups are lock-free
 * (a {@link ConcurrentSkipListMap}); a reader may see the map in the middle of a mutation, e.g. empty while
 * {@link #replaceAllByEmptySegmentAt} runs, and must re-check the log's offsets when a lookup fails.
 */
final class LogSegments {
    private static final Logger LOG = LoggerFactory.getLogger(LogSegments.class);

    private final Path dir;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;

    LogSegments(Path dir, ConcurrentSkipListMap<Long, LogSegment> loaded) {
        this.dir = dir;
        this.segments = loaded;
    }

    LogSegment active() {
        return segments.lastEntry().getValue();
    }

    long firstBaseOffset() {
        return segments.firstKey();
    }

    int count() {
        return segments.size();
    }

    long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.sizeInBytes();
        }
        return total;
    }

    /** Oldest first; a weakly consistent live view. */
    Collection<LogSegment> view() {
        return segments.values();
    }

    /** A snapshot, oldest first. */
    List<LogSegment> snapshot() {
        return List.copyOf(segments.values());
    }

    /** The segment that would hold {@code offset}: the one with the greatest base offset at or below it. */
    Optional<LogSegment> floor(long offset) {
        return Optional.ofNullable(segments.floorEntry(offset)).map(Map.Entry::getValue);
    }

    Optional<LogSegment> next(LogSegment segment) {
        return Optional.ofNullable(segments.higherEntry(segment.baseOffset())).map(Map.Entry::getValue);
    }

    /**
     * Whole batches from the first segment at or after {@code startOffset}'s that has any (compaction can leave
     * a segment without a batch at or after {@code startOffset}); an empty slice past the last batch. Empty when
     * no segment starts at or below {@code startOffset}: retention removed it since the caller checked the log
     * start offset.
     */
    Optional<FileSlice> read(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneMessage)
        throws IOException {
        Optional<LogSegment> segment = floor(startOffset);
        if (segment.isEmpty()) {
            return Optional.empty();
        }
        while (segment.isPresent()) {
            Optional<FileSlice> slice = segment.get().read(startOffset, maxBytes, maxOffsetExclusive, minOneMessage);
            if (slice.isPresent()) {
                return slice;
            }
            segment = next(segment.get());
        }
        return Optional.of(FileSlice.empty());
    }

    /**
     * Kafka's search for the aborted transactions of a fetch of {@code [fetchOffset, upperBoundOffset)}: the
     * transaction indexes from the segment holding {@code fetchOffset} on, until one says the search is complete
     * (see {@link TransactionIndex#collect}). Earlier segments only index markers below {@code fetchOffset}.
     */
    List<AbortedTxn> collectAbortedTxns(long fetchOffset, long upperBoundOffset) throws IOException {
        List<AbortedTxn> out = new ArrayList<>();
        for (LogSegment s : from(fetchOffset)) {
            TransactionIndex.SearchResult result = s.txnIndex().collect(fetchOffset, upperBoundOffset);
            out.addAll(result.abortedTxns());
            if (result.complete()) {
                break;
            }
        }
        return out;
    }

    /** The segments that may hold offsets at or above {@code offset}: from its floor segment on. */
    Collection<LogSegment> from(long offset) {
        return LogLoader.from(segments, offset).values();
    }

    boolean contains(LogSegment segment) {
        return segments.get(segment.baseOffset()) == segment;
    }

    /** Opens a new active segment at {@code baseOffset}; the previous active one becomes inactive. */
    LogSegment roll(long baseOffset, LogConfig config, long nowMs) throws IOException {
        // Cut the old segment's files first: once a later segment exists, recovery may skip the old one and
        // would then trust any preallocated space left at its end.
        active().onBecomeInactive();
        LogSegment next = LogSegment.open(dir, baseOffset, config, nowMs, true);
        segments.put(baseOffset, next);
        return next;
    }

    /** Removes {@code doomed} (a prefix, never every segment) and schedules their files for deletion. */
    void removePrefix(List<LogSegment> doomed, long fileDeleteDelayMs) throws IOException {
        for (LogSegment s : doomed) {
            segments.remove(s.baseOffset(), s);
        }
        for (LogSegment s : doomed) {
            s.markDeleted();
        }
        SegmentDeleter.deleteLater(doomed, fileDeleteDelayMs);
    }

    /**
     * Removes every batch whose last offset is {@code >= offset}, which must lie in or after the first segment:
     * later segments go, the one holding {@code offset} is cut and becomes active again.
     */
    void truncateFrom(long offset, LogConfig config) throws IOException {
        List<LogSegment> later = new ArrayList<>(segments.tailMap(offset, false).values());
        for (LogSegment s : later) {
            segments.remove(s.baseOffset());
            s.markDeleted();
        }
        SegmentDeleter.deleteLater(later, config.fileDeleteDelayMs());
        LogSegment active = active();
        active.truncateTo(offset);
        if (!later.isEmpty()) {
            active.onBecomeActive(config.segmentIndexBytes());
        }
    }

    /** Replaces every segment by one empty segment at {@code offset}. */
    void replaceAllByEmptySegmentAt(long offset, LogConfig config, long nowMs) throws IOException {
        List<LogSegment> all = new ArrayList<>(segments.values());
        // Rename the old files first: the fresh segment may reuse a base offset.
        for (LogSegment s : all) {
            s.markDeleted();
        }
        segments.clear();
        segments.put(offset, LogSegment.open(dir, offset, config, nowMs, true));
        SegmentDeleter.deleteLater(all, config.fileDeleteDelayMs());
    }

    /**
     * Replaces the inactive segment {@code old} by the complete, fsynced file {@code cleanedFile} with the same
     * base offset, whose transaction index holds {@code cleanedTxnIndex}. Crash-safe: the cleaned index and then the
     * cleaned file are renamed to {@code .swap} before the original is renamed away; the {@code .log.swap} rename is
     * the commit point, and {@link LogLoader} completes a swap it finds (with the index swap, or without an index
     * when there is none) and discards an index swap without a log swap.
     *
     * @return false (and the cleaned file deleted) when {@code old} is no longer an inactive segment here
     */
    boolean swapIn(LogSegment old, Path cleanedFile, List<AbortedTxn> cleanedTxnIndex, LogConfig config, long nowMs)
        throws IOException {
        if (!contains(old) || old == active()) {
            Files.deleteIfExists(cleanedFile);
            return false;
        }
        Path logFile = dir.resolve(LogSegment.fileName(old.baseOffset(), LogSegment.LOG_SUFFIX));
        Path txnFile = dir.resolve(LogSegment.fileName(old.baseOffset(), LogSegment.TXN_INDEX_SUFFIX));
        Path swap = logFile.resolveSibling(logFile.getFileName() + LogLoader.SWAP_SUFFIX);
        Path txnSwap = txnFile.resolveSibling(txnFile.getFileName() + LogLoader.SWAP_SUFFIX);
        boolean hasTxnIndex = TransactionIndex.writeFile(txnSwap, cleanedTxnIndex);
        Files.move(cleanedFile, swap, StandardCopyOption.REPLACE_EXISTING);
        old.markDeleted();
        if (hasTxnIndex) {
            Files.move(txnSwap, txnFile);
        }
        Files.move(swap, logFile);
        segments.put(old.baseOffset(), LogSegment.open(dir, old.baseOffset(), config, nowMs, false));
        SegmentDeleter.deleteLater(List.of(old), config.fileDeleteDelayMs());
        return true;
    }

    /**
     * Fsyncs the segments holding offsets in {@code [from, to)}. Runs without the partition lock: a segment
     * removed or swapped meanwhile may already be closed, and is skipped, its bytes no longer being the log's.
     */
    void fsync(long from, long to) throws IOException {
        for (LogSegment s : from(from)) {
            if (s.baseOffset() >= to) {
                break;
            }
            try {
                s.flush();
            } catch (ClosedChannelException e) {
                if (contains(s)) {
                    throw e;
                }
            }
        }
    }

    /** Closes every segment's files, logging (not throwing) failures: the log is going away anyway. */
    void closeAll(Object owner) {
        for (LogSegment s : segments.values()) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.warn("{}: failed to close {}: {}", owner, s.logFile(), e.toString());
            }
        }
    }

    /** What {@link RetentionPlanner} needs to know of {@code segments}. */
    static List<RetentionPlanner.SegmentInfo> retentionView(List<LogSegment> segments) throws IOException {
        List<RetentionPlanner.SegmentInfo> view = new ArrayList<>(segments.size());
        for (LogSegment s : segments) {
            view.add(new RetentionPlanner.SegmentInfo(s.baseOffset(), s.sizeInBytes(), s.largestTimestampOrMtime()));
        }
        return view;
    }

    /** Removes {@code dir} and everything in it. */
    static void deleteDirectory(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** For {@link LogLoader#replayProducerState}. */
    NavigableMap<Long, LogSegment> asMap() {
        return segments;
    }
}
