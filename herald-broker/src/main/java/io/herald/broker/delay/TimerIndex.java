package io.herald.broker.delay;

import io.herald.broker.delay.TimerState.Pending;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pending records of one timer partition by due time: the near future in memory, the rest in time buckets
 * on disk, so that millions of pending records cost the heap almost nothing.
 *
 * <p>A record due before the <em>horizon</em> ({@code now + nearMs}, never moving back) is kept in memory. A
 * later one goes to a bucket file: a range {@code [start, start + width)} of due times, its width picked by how
 * far ahead the record is ({@link #WIDTHS}: a second for the next two minutes, a minute for the next two hours,
 * an hour for the next two days, a day for the next two years, a year beyond), in the manner of a hierarchical
 * timing wheel. So a partition holds at most a few hundred bucket files, whatever the delays. Once the horizon
 * reaches a bucket's start, the bucket is read back: records now before the horizon go to memory, the others
 * into finer buckets (always ones starting at or after the horizon, so a bucket is never refilled while read).
 *
 * <p>On-disk format: one file per bucket, {@code <start>-<width>.bucket}, of fixed {@value #ENTRY_BYTES}-byte
 * entries (due ms, timer offset, target id, all big-endian), appended in batches of up to
 * {@value #BUFFER_ENTRIES} entries held in memory until then. Target ids index a table in memory. The files are
 * a cache of the timer log, not a second source of truth: the index is built afresh from the log each time the
 * partition is led here, nothing is fsynced, and the directory is deleted on close. A bucket write that fails
 * keeps its records in memory from then on (logged once); a bucket read that fails leaves the bucket in place
 * and fails the caller's cycle, which retries.
 *
 * <p>A record released while still on disk (only when another leader's clock ran far ahead of this one) is
 * remembered as a tombstone and dropped when its bucket is read.
 *
 * <p>Not thread-safe: the timer partition's loop owns it.
 */
final class TimerIndex implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TimerIndex.class);
    static final int ENTRY_BYTES = 20;
    static final int BUFFER_ENTRIES = 512;
    /** Bucket widths, finest first; a width is used for records at least {@link #SPAN} widths ahead of it. */
    static final long[] WIDTHS = {1_000L, 60_000L, 3_600_000L, 86_400_000L, 365L * 86_400_000L};
    /** How many of the next finer buckets a width spans before the coarser width takes over. */
    static final long SPAN = 120;
    /** The default near window: records due within it (from now) are in memory. */
    static final long NEAR_MS = 2_000L;

    private static final Comparator<Pending> BY_DUE =
            Comparator.comparingLong(Pending::dueMs).thenComparingLong(Pending::offset);
    private static final Comparator<Bucket> BY_START =
            Comparator.comparingLong(Bucket::start).thenComparingLong(Bucket::width);

    private final Path dir;
    private final long nearMs;
    private final TreeSet<Pending> byDue = new TreeSet<>(BY_DUE);
    private final Map<Long, Pending> byOffset = new HashMap<>();
    private final TreeMap<Bucket, Bucket> buckets = new TreeMap<>(BY_START);
    /** Records removed while on disk, with whether their topic's count was decremented already. */
    private final Map<Long, Boolean> tombstones = new HashMap<>();
    private final Map<String, Integer> pendingByTopic = new HashMap<>();
    private final Map<TopicPartition, Integer> targetIds = new HashMap<>();
    private final List<TopicPartition> targets = new ArrayList<>();
    private long horizonMs = Long.MIN_VALUE;
    private int onDisk;
    private boolean spillFailed;

    /** The bucket of due times {@code [start, start + width)}; its file holds all but the buffered entries. */
    private static final class Bucket {
        private final long start;
        private final long width;
        private ByteBuffer buffer;
        private int count;
        private int written;
        private long minDueMs = Long.MAX_VALUE;
        private long minOffset = Long.MAX_VALUE;

        Bucket(long start, long width) {
            this.start = start;
            this.width = width;
        }

        long start() {
            return start;
        }

        long width() {
            return width;
        }

        String fileName() {
            return start + "-" + width + ".bucket";
        }
    }

    /**
     * @param dir    where the bucket files go; created on first use, its previous content deleted
     * @param nearMs records due less than this far ahead stay in memory
     */
    TimerIndex(Path dir, long nearMs) {
        if (nearMs < 0) {
            throw new IllegalArgumentException("nearMs: " + nearMs + " (expected: >= 0)");
        }
        this.dir = dir;
        this.nearMs = nearMs;
        deleteDir();
    }

    /** Adds a pending record. */
    void add(Pending p, long nowMs) {
        moveHorizon(nowMs);
        int target = targetId(p.target());
        pendingByTopic.merge(p.target().topic(), 1, Integer::sum);
        if (!spillFailed && p.dueMs() >= horizonMs) {
            Bucket b = bucketFor(p.dueMs(), nowMs);
            if (b != null && spill(b, p.dueMs(), p.offset(), target)) {
                return;
            }
        }
        keep(new Pending(p.dueMs(), p.offset(), targets.get(target)));
    }

    /**
     * Removes a record that was released or dropped.
     *
     * @return false if it is not pending in memory (a tombstone then drops it from its bucket if it is there)
     */
    boolean remove(long offset) {
        return remove(offset, Optional.empty());
    }

    /**
     * As {@link #remove(long)}, for a record known to be pending for {@code topic}: the topic's count drops at
     * once even if the record is on disk.
     */
    boolean remove(long offset, Optional<String> topic) {
        Pending p = byOffset.remove(offset);
        if (p == null) {
            if (onDisk > 0) {
                tombstones.put(offset, topic.isPresent());
                topic.ifPresent(this::decrement);
            }
            return false;
        }
        byDue.remove(p);
        decrement(p.target().topic());
        return true;
    }

    /** Up to {@code max} pending records due at {@code nowMs}, by due time then timer offset. */
    List<Pending> due(long nowMs, int max) {
        moveHorizon(nowMs);
        loadBucketsBeforeHorizon(nowMs);
        List<Pending> due = new ArrayList<>();
        Iterator<Pending> it = byDue.iterator();
        while (it.hasNext() && due.size() < max) {
            Pending p = it.next();
            if (p.dueMs() > nowMs) {
                break;
            }
            due.add(p);
        }
        return due;
    }

    /** The earliest due time pending, in memory or on disk. */
    OptionalLong nextDueMs() {
        long min = byDue.isEmpty() ? Long.MAX_VALUE : byDue.first().dueMs();
        for (Bucket b : buckets.values()) {
            if (b.start >= min) {
                break;
            }
            min = Math.min(min, b.minDueMs);
        }
        return min == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(min);
    }

    /** When {@link #due} should next be called: the earliest due time in memory, or when a bucket must be read. */
    OptionalLong nextWakeMs() {
        long wake = byDue.isEmpty() ? Long.MAX_VALUE : byDue.first().dueMs();
        if (!buckets.isEmpty()) {
            wake = Math.min(wake, buckets.firstKey().start - nearMs);
        }
        return wake == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(wake);
    }

    /**
     * The lowest timer offset pending (a tombstoned record may keep it lower until its bucket is read); scans the
     * records in memory, so it is for occasional use.
     */
    OptionalLong minPendingOffset() {
        long min = Long.MAX_VALUE;
        for (long offset : byOffset.keySet()) {
            min = Math.min(min, offset);
        }
        for (Bucket b : buckets.values()) {
            if (!tombstones.isEmpty() && tombstones.containsKey(b.minOffset)) {
                b.minOffset = minLiveOffset(b); // its lowest record was released or moved while on disk
            }
            min = Math.min(min, b.minOffset);
        }
        return min == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(min);
    }

    /** Up to {@code max} pending records below {@code offset}, from memory and the bucket files that may hold some. */
    List<Pending> pendingBelow(long offset, int max) {
        List<Pending> found = new ArrayList<>();
        for (Pending p : byOffset.values()) {
            if (p.offset() < offset && found.size() < max) {
                found.add(p);
            }
        }
        for (Bucket b : buckets.values()) {
            if (b.minOffset >= offset || found.size() >= max) {
                continue;
            }
            ByteBuffer entries = read(b);
            while (entries.remaining() >= ENTRY_BYTES && found.size() < max) {
                long dueMs = entries.getLong();
                long o = entries.getLong();
                int target = entries.getInt();
                if (o < offset && !tombstones.containsKey(o)) {
                    found.add(new Pending(dueMs, o, targets.get(target)));
                }
            }
        }
        return found;
    }

    private long minLiveOffset(Bucket b) {
        ByteBuffer entries = read(b);
        long min = Long.MAX_VALUE;
        while (entries.remaining() >= ENTRY_BYTES) {
            entries.getLong();
            long offset = entries.getLong();
            entries.getInt();
            if (!tombstones.containsKey(offset)) {
                min = Math.min(min, offset);
            }
        }
        return min;
    }

    /** Records pending, in memory and on disk (a tombstoned record counts until its bucket is read). */
    int pending() {
        return byOffset.size() + onDisk;
    }

    /** Pending records per target topic. */
    Map<String, Integer> pendingByTopic() {
        return Map.copyOf(pendingByTopic);
    }

    /** Pending records held in memory. */
    int inMemory() {
        return byOffset.size();
    }

    /** Bucket files (or buffers) not yet read back. */
    int buckets() {
        return buckets.size();
    }

    @Override
    public void close() {
        spillFailed = true; // a cycle still finishing after close keeps what it adds in memory, not in a new dir
        buckets.clear();
        deleteDir();
    }

    // ---- placing records ----

    private void moveHorizon(long nowMs) {
        horizonMs = Math.max(horizonMs, nowMs + nearMs);
    }

    private void keep(Pending p) {
        byDue.add(p);
        byOffset.put(p.offset(), p);
    }

    /** The coarsest bucket for a record this far ahead that starts at or after the horizon; null if none does. */
    private Bucket bucketFor(long dueMs, long nowMs) {
        long ahead = dueMs - nowMs;
        for (int i = WIDTHS.length - 1; i >= 0; i--) {
            long width = WIDTHS[i];
            if (i > 0 && ahead < SPAN * WIDTHS[i - 1]) {
                continue;
            }
            long start = Math.floorDiv(dueMs, width) * width;
            if (start >= horizonMs) {
                Bucket key = new Bucket(start, width);
                return buckets.computeIfAbsent(key, k -> k);
            }
        }
        return null;
    }

    private boolean spill(Bucket b, long dueMs, long offset, int target) {
        if (b.buffer == null) {
            b.buffer = ByteBuffer.allocate(BUFFER_ENTRIES * ENTRY_BYTES);
        }
        b.buffer.putLong(dueMs).putLong(offset).putInt(target);
        b.count++;
        onDisk++;
        b.minDueMs = Math.min(b.minDueMs, dueMs);
        b.minOffset = Math.min(b.minOffset, offset);
        if (!b.buffer.hasRemaining()) {
            try {
                flush(b);
            } catch (IOException e) {
                // The buffered entries stay in memory with the bucket; new records stay in memory from now on.
                spillFailed = true;
                log.warn("Timer index {}: cannot write bucket {}; pending records stay in memory: {}", dir,
                        b.fileName(), e.toString());
            }
        }
        return true;
    }

    private void flush(Bucket b) throws IOException {
        if (b.buffer == null || b.buffer.position() == 0) {
            return;
        }
        Files.createDirectories(dir);
        ByteBuffer out = b.buffer.duplicate().flip(); // the buffer keeps its entries until they are all written
        try (FileChannel ch = FileChannel.open(dir.resolve(b.fileName()), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            while (out.hasRemaining()) {
                ch.write(out);
            }
        }
        b.written += out.limit() / ENTRY_BYTES;
        b.buffer.clear();
    }

    // ---- reading buckets back ----

    private void loadBucketsBeforeHorizon(long nowMs) {
        while (!buckets.isEmpty() && buckets.firstKey().start < horizonMs) {
            Bucket b = buckets.firstKey();
            ByteBuffer entries = read(b);
            buckets.remove(b);
            onDisk -= b.count;
            deleteFile(b);
            while (entries.remaining() >= ENTRY_BYTES) {
                long dueMs = entries.getLong();
                long offset = entries.getLong();
                int target = entries.getInt();
                TopicPartition tp = targets.get(target);
                Boolean counted = tombstones.isEmpty() ? null : tombstones.remove(offset);
                if (counted != null) {
                    if (!counted) {
                        decrement(tp.topic());
                    }
                    continue;
                }
                Bucket finer = dueMs >= horizonMs && !spillFailed ? bucketFor(dueMs, nowMs) : null;
                if (finer == null || !spill(finer, dueMs, offset, target)) {
                    keep(new Pending(dueMs, offset, tp));
                }
            }
        }
        if (onDisk == 0) {
            tombstones.clear();
        }
    }

    /** The bucket's entries: its file, then its buffer. */
    private ByteBuffer read(Bucket b) {
        int buffered = b.buffer == null ? 0 : b.buffer.position();
        ByteBuffer all = ByteBuffer.allocate(b.written * ENTRY_BYTES + buffered);
        if (b.written > 0) {
            try (FileChannel ch = FileChannel.open(dir.resolve(b.fileName()), StandardOpenOption.READ)) {
                while (all.position() < b.written * ENTRY_BYTES) {
                    if (ch.read(all) < 0) {
                        throw new IOException("bucket " + b.fileName() + " ends after " + all.position()
                                + " bytes, " + b.written * ENTRY_BYTES + " written");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Timer index " + dir + ": cannot read bucket " + b.fileName(), e);
            }
        }
        if (buffered > 0) {
            all.put(b.buffer.duplicate().flip());
        }
        return all.flip();
    }

    private void deleteFile(Bucket b) {
        if (b.written > 0) {
            try {
                Files.deleteIfExists(dir.resolve(b.fileName()));
            } catch (IOException e) {
                log.warn("Timer index {}: cannot delete read bucket {}: {}", dir, b.fileName(), e.toString());
            }
        }
    }

    private void deleteDir() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            log.warn("Timer index {}: cannot delete: {}", dir, e.toString());
        }
    }

    private int targetId(TopicPartition tp) {
        Integer id = targetIds.get(tp);
        if (id == null) {
            id = targets.size();
            targets.add(tp);
            targetIds.put(tp, id);
        }
        return id;
    }

    private void decrement(String topic) {
        pendingByTopic.computeIfPresent(topic, (t, n) -> n == 1 ? null : n - 1);
    }
}
