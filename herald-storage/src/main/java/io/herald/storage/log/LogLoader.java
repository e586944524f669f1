package io.herald.storage.log;

import io.herald.storage.config.LogConfig;
import io.herald.storage.epoch.LeaderEpochCache;
import io.herald.storage.producer.BatchMetadata;
import io.herald.storage.producer.ProducerStateManager;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a partition directory into the state a {@link PartitionLog} starts from: the open segments and the
 * log start, log end, recovery point and high watermark offsets.
 *
 * <p>Steps, in order: (1) finish or discard interrupted file operations: {@code .deleted}, {@code .cleaned}
 * and {@code .tmp} files are removed, a {@code .log.swap} (a compaction that crashed after its output was
 * complete) replaces its original and the original's indexes are dropped so they are rebuilt; (2) open every
 * {@code <20-digit base>.log} in base-offset order, the last one as the active segment; (3) after an unclean
 * shutdown, re-validate every segment holding offsets at or above the checkpointed recovery point and truncate
 * at the first bad batch, deleting any later segment (a clean start only checks the tail of the last segment);
 * (4) clamp the checkpointed offsets to what was found; (5) truncate the leader-epoch cache to the log and
 * rebuild producer state from the latest snapshot plus the batches after it.
 *
 * <p>Recovered bytes may exist only in the page cache (the crash may have been the process, not the
 * machine), so the recovered segments are fsynced before the recovery point is moved to the log end.
 *
 * <p>Thread-safety: confined to the thread opening the log; nothing is shared until {@link #load} returns.
 */
final class LogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

    /** What a log starts from; the segment map is handed over to the log. */
    record Loaded(ConcurrentSkipListMap<Long, LogSegment> segments, long logStartOffset, long logEndOffset,
                  long recoveryPoint, long highWatermark) {}

    private final Path dir;
    private final TopicPartition tp;
    private final LogConfig config;
    private final long nowMs;
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();

    LogLoader(Path dir, TopicPartition tp, LogConfig config, long nowMs) {
        this.dir = dir;
        this.tp = tp;
        this.config = config;
        this.nowMs = nowMs;
    }

    /**
     * Loads the directory; on failure every segment opened so far is closed again.
     *
     * @param recover true after an unclean shutdown (see the class comment)
     */
    Loaded load(boolean recover, PartitionCheckpoint cp, ProducerStateManager producers, LeaderEpochCache epochs)
        throws IOException {
        try {
            return loadSegments(recover, cp, producers, epochs);
        } catch (IOException | RuntimeException e) {
            for (LogSegment s : segments.values()) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // already failing; the first error is the one to report
                }
            }
            throw e;
        }
    }

    private Loaded loadSegments(boolean recover, PartitionCheckpoint cp, ProducerStateManager producers,
                                LeaderEpochCache epochs) throws IOException {
        List<Long> bases = cleanUpAndListSegments();
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            segments.put(base, LogSegment.open(dir, base, config, nowMs, i == bases.size() - 1));
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
            segments.put(start, LogSegment.open(dir, start, config, nowMs, true));
        }
        long logEndOffset = segments.lastEntry().getValue().nextOffset();
        long logStartOffset = Math.max(segments.firstKey(), Math.min(cp.logStartOffset(), logEndOffset));
        if (recover) {
            for (LogSegment s : from(segments, cp.recoveryPoint()).values()) {
                s.flush();
            }
        }
        long highWatermark = Math.max(logStartOffset, Math.min(cp.highWatermark(), logEndOffset));
        epochs.truncateFromEnd(logEndOffset);
        epochs.truncateFromStart(logStartOffset);
        replayProducerState(segments, producers, logStartOffset, logEndOffset);
        LOG.debug("{}: loaded {} segments, log start {}, log end {}", tp, segments.size(), logStartOffset, logEndOffset);
        return new Loaded(segments, logStartOffset, logEndOffset, logEndOffset, highWatermark);
    }

    /** Finishes or discards interrupted file operations and returns the base offsets of the segments. */
    private List<Long> cleanUpAndListSegments() throws IOException {
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
        List<Long> bases = new ArrayList<>();
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

    /**
     * Rebuilds idempotent-producer state: the latest snapshot at or below the log end, then every producer batch
     * after it. Also used after truncation, which can remove batches the state already counted.
     */
    static void replayProducerState(NavigableMap<Long, LogSegment> segments, ProducerStateManager producers,
                                    long logStartOffset, long logEndOffset) throws IOException {
        producers.deleteSnapshotsAfter(logEndOffset);
        OptionalLong snapshot = producers.loadLatestSnapshot(logEndOffset);
        long from = Math.max(logStartOffset, snapshot.orElse(logStartOffset));
        for (LogSegment s : from(segments, from).values()) {
            s.forEachBatch(from, (position, h) -> {
                if (h.baseOffset() >= from) {
                    replay(producers, h);
                }
            });
        }
    }

    /** Applies a producer batch found in the log (or replicated) to the producer state, unchecked. */
    static void replay(ProducerStateManager producers, BatchHeader h) {
        if (h.hasProducerId() && !h.isControl()) {
            producers.replay(h.producerId(), h.producerEpoch(),
                new BatchMetadata(h.baseSequence(), h.lastSequence(), h.baseOffset(), h.lastOffset()));
        }
    }

    /** The segments that may hold offsets at or above {@code offset}: from its floor segment on. */
    static NavigableMap<Long, LogSegment> from(NavigableMap<Long, LogSegment> segments, long offset) {
        // floorKey, not firstKey: a flush may look while a truncation has emptied the map for a moment.
        Long floor = segments.floorKey(offset);
        return floor == null ? segments : segments.tailMap(floor, true);
    }
}
