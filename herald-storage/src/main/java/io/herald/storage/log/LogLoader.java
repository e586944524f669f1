package io.herald.storage.log;

import io.herald.storage.config.LogConfig;
import io.herald.storage.epoch.LeaderEpochCache;
import io.herald.storage.producer.AppendOrigin;
import io.herald.storage.producer.ProducerAppend;
import io.herald.storage.producer.ProducerBatch;
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
import java.util.Optional;
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
 * complete) replaces its original, with its {@code .txnindex.swap} if it has one, and the original's offset and
 * time indexes are dropped so they are rebuilt; a {@code .txnindex.swap} without its {@code .log.swap} belongs to a
 * compaction that never committed and is removed; (2) open every {@code <20-digit base>.log} in base-offset
 * order, the last one as the active segment; (3) after an unclean shutdown, re-validate every segment holding
 * offsets at or above the checkpointed recovery point and truncate at the first bad batch, deleting any later
 * segment (a clean start only checks the tail of the last segment); (4) clamp the checkpointed offsets to what
 * was found; (5) truncate the leader-epoch cache to the log and rebuild producer state from the latest snapshot
 * plus the batches after it, rebuilding on the way the transaction index of every segment from the first
 * re-validated one (and of any segment whose {@code .txnindex} was corrupt), as Kafka's segment recovery does.
 *
 * <p>Recovered bytes may exist only in the page cache (the crash may have been the process, not the
 * machine), so the recovered segments are fsynced before the recovery point is moved to the log end.
 *
 * <p>Thread-safety: confined to the thread opening the log; nothing is shared until {@link #load} returns.
 */
final class LogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);
    static final String SWAP_SUFFIX = ".swap";

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
        long rebuildTxnIndexFrom = Long.MAX_VALUE;
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            LogSegment segment = LogSegment.open(dir, base, config, nowMs, i == bases.size() - 1);
            segments.put(base, segment);
            if (segment.txnIndex().needsRebuild()) {
                rebuildTxnIndexFrom = Math.min(rebuildTxnIndexFrom, base);
            }
        }
        if (recover) {
            rebuildTxnIndexFrom = Math.min(rebuildTxnIndexFrom, recoverSegments(cp.recoveryPoint()));
        } else if (!segments.isEmpty()) {
            LogSegment last = segments.lastEntry().getValue();
            if (!last.verifyTail()) {
                LOG.warn("{}: last segment {} failed its tail check; recovering it", tp, last.logFile());
                rebuildTxnIndexFrom = Math.min(rebuildTxnIndexFrom, recoverSegments(last.baseOffset()));
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
        replayProducerState(segments, producers, logStartOffset, logEndOffset, rebuildTxnIndexFrom);
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
            } else if (name.endsWith(LogSegment.LOG_SUFFIX + SWAP_SUFFIX)) {
                // Compaction crashed after the cleaned file was complete: it wins over the original.
                String logName = name.substring(0, name.length() - SWAP_SUFFIX.length());
                String base = logName.substring(0, logName.length() - LogSegment.LOG_SUFFIX.length());
                // Its transaction index first: the .log.swap is the commit point, so while it exists the cleaned
                // index (or its absence: no aborted transaction left) is the one that goes with the cleaned log.
                Path txnSwap = dir.resolve(base + LogSegment.TXN_INDEX_SUFFIX + SWAP_SUFFIX);
                Path txnIndex = dir.resolve(base + LogSegment.TXN_INDEX_SUFFIX);
                if (Files.exists(txnSwap)) {
                    Files.move(txnSwap, txnIndex, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Files.deleteIfExists(txnIndex);
                }
                Files.move(p, p.resolveSibling(logName), StandardCopyOption.REPLACE_EXISTING);
                Files.deleteIfExists(dir.resolve(base + LogSegment.INDEX_SUFFIX));
                Files.deleteIfExists(dir.resolve(base + LogSegment.TIME_INDEX_SUFFIX));
            }
        }
        for (Path p : files) {
            if (p.getFileName().toString().endsWith(LogSegment.TXN_INDEX_SUFFIX + SWAP_SUFFIX)) {
                Files.deleteIfExists(p); // left by a compaction that crashed before its commit point
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

    /**
     * Re-validates segments holding offsets at or above {@code from}; truncates at the first bad batch.
     *
     * @return the base offset of the first segment re-validated, or Long.MAX_VALUE when there was none
     */
    private long recoverSegments(long from) throws IOException {
        List<LogSegment> all = new ArrayList<>(segments.values());
        long first = Long.MAX_VALUE;
        for (int i = 0; i < all.size(); i++) {
            LogSegment s = all.get(i);
            boolean wholeBelow = i + 1 < all.size() && all.get(i + 1).baseOffset() <= from;
            if (wholeBelow) {
                continue;
            }
            first = Math.min(first, s.baseOffset());
            int truncated = s.recover(Integer.MAX_VALUE, config.segmentIndexBytes());
            boolean nextOverlaps = i + 1 < all.size() && all.get(i + 1).baseOffset() < s.nextOffset();
            if (truncated > 0 || nextOverlaps) {
                LOG.warn("{}: recovery truncated {} bytes of {}; deleting {} later segments", tp, truncated,
                    s.logFile(), all.size() - i - 1);
                for (LogSegment later : all.subList(i + 1, all.size())) {
                    segments.remove(later.baseOffset());
                    later.deleteFiles();
                }
                return first;
            }
            if (i + 1 < all.size()) {
                s.onBecomeInactive();
            }
        }
        return first;
    }

    /**
     * Rebuilds producer state: the latest snapshot between the log start and the log end (or nothing), then every
     * producer batch after it, replayed with origin {@link AppendOrigin#RECOVERY}. Also used after truncation, which can remove batches the
     * state already counted.
     *
     * <p>Segments from {@code rebuildTxnIndexFrom} on get their transaction index rebuilt on the way: it is emptied
     * and receives the aborted transactions the replay completes in it. The replay then has to start at or below
     * that segment, so the snapshot is taken from there at the latest (Kafka recovers a segment with producer state
     * rebuilt up to its base offset, the same thing).
     *
     * @param rebuildTxnIndexFrom a segment base offset, or Long.MAX_VALUE to rebuild no index
     */
    static void replayProducerState(NavigableMap<Long, LogSegment> segments, ProducerStateManager producers,
                                    long logStartOffset, long logEndOffset, long rebuildTxnIndexFrom) throws IOException {
        producers.deleteSnapshotsAfter(logEndOffset);
        // Not a snapshot below the log start offset: the batches between it and the log start are gone, and
        // skipping them could reopen a transaction whose marker was among them (Kafka drops such snapshots too).
        OptionalLong snapshot = producers.loadLatestSnapshot(logStartOffset, Math.min(logEndOffset, rebuildTxnIndexFrom));
        long from = snapshot.orElse(logStartOffset);
        for (LogSegment s : from(segments, from).values()) {
            boolean rebuild = s.baseOffset() >= rebuildTxnIndexFrom;
            if (rebuild) {
                s.txnIndex().reset();
            }
            ProducerAppend.AbortedTxnSink sink = rebuild ? s.txnIndex()::append : txn -> { };
            // From the batch holding offset `from` (Kafka's replay reads from there too): when that is the log start
            // offset, a batch straddling it still tells which producer a transaction began with.
            s.forEachBatch(from, (position, h) -> {
                Optional<ProducerBatch> batch = ProducerBatches.of(s, position, h);
                if (batch.isPresent()) {
                    ProducerAppend replay = producers.begin(AppendOrigin.RECOVERY);
                    replay.append(batch.get());
                    replay.commit(sink);
                }
            });
        }
    }

    /** The segments that may hold offsets at or above {@code offset}: from its floor segment on. */
    static NavigableMap<Long, LogSegment> from(NavigableMap<Long, LogSegment> segments, long offset) {
        // floorKey, not firstKey: a flush may look while a truncation has emptied the map for a moment.
        Long floor = segments.floorKey(offset);
        return floor == null ? segments : segments.tailMap(floor, true);
    }
}
