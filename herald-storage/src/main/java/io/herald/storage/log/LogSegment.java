package io.herald.storage.log;

import io.herald.storage.config.LogConfig;
import io.herald.storage.index.OffsetIndex;
import io.herald.storage.index.OffsetPosition;
import io.herald.storage.index.TimeIndex;
import io.herald.storage.index.TimestampOffset;
import io.herald.storage.txn.AbortedTxn;
import io.herald.storage.txn.TransactionIndex;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * One segment of a partition log: {@code <base>.log} plus its {@code .index}, {@code .timeindex} and, once a
 * transaction aborted in it, {@code .txnindex} ({@link TransactionIndex}).
 *
 * <p>On disk the {@code .log} file is a plain concatenation of magic v2 record batches exactly as
 * they travel on the wire (offsets and leader epoch stamped in), with no framing of its own, so a
 * range of it can be sent to a consumer with {@code transferTo}. The file name is the 20-digit
 * zero-padded base offset; every batch in it has {@code baseOffset >= base} and offsets increase
 * strictly from batch to batch.
 *
 * <p>With {@code preallocate} a new active segment's file is created at {@code segment.bytes} (sparse where
 * the file system allows), and cut to its data when the segment becomes inactive or is closed; after a crash
 * the zeros after the data fail the tail check and recovery cuts them.
 *
 * <p>Invariants: {@link #sizeInBytes()} only ever covers whole batches (it is published after the
 * bytes are written); offset index entries point at batch starts; {@code nextOffset} is the last
 * batch's last offset + 1, or the base offset when empty.
 *
 * <p>Thread-safety: mutations ({@link #append}, {@link #truncateTo}, {@link #recover}, roll/close)
 * are confined to the owning {@link PartitionLog}'s lock. Reads may run concurrently with an append:
 * they bound themselves by the volatile size read once at the start.
 */
public final class LogSegment {
    public static final String LOG_SUFFIX = ".log";
    public static final String INDEX_SUFFIX = ".index";
    public static final String TIME_INDEX_SUFFIX = ".timeindex";
    public static final String TXN_INDEX_SUFFIX = TransactionIndex.SUFFIX;
    public static final String DELETED_SUFFIX = ".deleted";

    private final long baseOffset;
    private final FileChannel channel;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final TransactionIndex txnIndex;
    private final int indexIntervalBytes;
    private final long createdMs;
    /** How much earlier than {@code segment.ms} this segment rolls (segment.jitter.ms), drawn when opened. */
    private final long rollJitterMs;
    private volatile Path logFile;
    private volatile int size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    /** Last offset of the batch holding {@link #maxTimestamp} (the first such batch). */
    private volatile long maxTimestampBatchOffset;
    /** Max timestamp of the first batch, or NO_TIMESTAMP; max.compaction.lag.ms counts from it. */
    private volatile long firstBatchTimestamp = RecordBatch.NO_TIMESTAMP;
    private int bytesSinceLastIndexEntry;
    /** Where the tail scan of {@link #loadTail} stopped, and the last whole batch it saw (-1: none). */
    private int tailEnd;
    private int lastBatchPosition = -1;

    private LogSegment(Path logFile, long baseOffset, FileChannel channel, OffsetIndex offsetIndex, TimeIndex timeIndex,
                       TransactionIndex txnIndex, LogConfig config, long createdMs, int size) {
        this.logFile = logFile;
        this.baseOffset = baseOffset;
        this.channel = channel;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.txnIndex = txnIndex;
        this.indexIntervalBytes = config.indexIntervalBytes();
        this.createdMs = createdMs;
        this.rollJitterMs = RollPolicy.drawJitter(config, ThreadLocalRandom.current());
        this.size = size;
        this.nextOffset = baseOffset;
        this.maxTimestampBatchOffset = baseOffset;
    }

    public static String fileName(long offset, String suffix) {
        return String.format("%020d", offset) + suffix;
    }

    /**
     * Opens (or creates) the segment with the given base offset. Index files are created when
     * missing and preallocated when {@code active}. The tail of the file (after the last index
     * entry) is scanned to learn the next offset and max timestamp; call {@link #recover} to
     * validate the whole file instead.
     */
    public static LogSegment open(Path dir, long baseOffset, LogConfig config, long nowMs, boolean active) throws IOException {
        Path logFile = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
        boolean existed = Files.exists(logFile);
        if (!existed && active && config.preallocate() && config.segmentBytes() > 0) {
            try (RandomAccessFile raf = new RandomAccessFile(logFile.toFile(), "rw")) {
                raf.setLength(config.segmentBytes());
            }
        }
        FileChannel channel = FileChannel.open(logFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        OffsetIndex offsetIndex = null;
        TimeIndex timeIndex = null;
        try {
            Path indexFile = dir.resolve(fileName(baseOffset, INDEX_SUFFIX));
            Path timeIndexFile = dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX));
            boolean indexesMissing = !Files.exists(indexFile) || !Files.exists(timeIndexFile);
            offsetIndex = new OffsetIndex(indexFile, baseOffset, config.segmentIndexBytes(), active);
            timeIndex = new TimeIndex(timeIndexFile, baseOffset, config.segmentIndexBytes(), active);
            TransactionIndex txnIndex = TransactionIndex.open(dir.resolve(fileName(baseOffset, TXN_INDEX_SUFFIX)), baseOffset);
            long created = existed ? Files.getLastModifiedTime(logFile).toMillis() : nowMs;
            int size = existed ? (int) Math.min(channel.size(), Integer.MAX_VALUE) : 0;
            LogSegment segment = new LogSegment(logFile, baseOffset, channel, offsetIndex, timeIndex, txnIndex, config,
                Math.min(created, nowMs), size);
            if (existed) {
                if (indexesMissing) {
                    segment.recover(Integer.MAX_VALUE, config.segmentIndexBytes());
                    if (!active) {
                        segment.onBecomeInactive();
                    }
                } else {
                    segment.loadTail();
                }
            }
            return segment;
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (offsetIndex != null) {
                offsetIndex.closeHandler();
            }
            if (timeIndex != null) {
                timeIndex.closeHandler();
            }
            throw e;
        }
    }

    /** Scans the batches after the last index entry to restore nextOffset and the max timestamp. */
    private void loadTail() throws IOException {
        TimestampOffset lastTime = timeIndex.lastEntry();
        if (lastTime.timestamp() >= 0) {
            maxTimestamp = lastTime.timestamp();
            maxTimestampBatchOffset = lastTime.offset();
        }
        OffsetPosition last = offsetIndex.entries() == 0 ? new OffsetPosition(baseOffset, 0) : offsetIndex.entryAt(offsetIndex.entries() - 1);
        int position = last.position();
        int limit = size;
        ByteBuffer header = ByteBuffer.allocate(BatchHeader.SIZE);
        if (position > 0 && limit >= BatchHeader.SIZE) {
            firstBatchTimestamp = readHeader(header, 0).maxTimestamp();
        }
        while (position + BatchHeader.SIZE <= limit) {
            BatchHeader h = readHeader(header, position);
            if (h.sizeInBytes() < BatchHeader.SIZE || position + h.sizeInBytes() > limit) {
                break;
            }
            observe(h, position);
            lastBatchPosition = position;
            position += h.sizeInBytes();
        }
        tailEnd = position;
        bytesSinceLastIndexEntry = position - last.position();
    }

    /**
     * The cheap check done on a clean start: the tail scan ended exactly at the end of the file and
     * the last batch passes its CRC. Anything else means the clean marker lied (or the disk did).
     */
    boolean verifyTail() throws IOException {
        if (tailEnd != size) {
            return false;
        }
        if (lastBatchPosition < 0) {
            return true;
        }
        BatchHeader h = readHeader(ByteBuffer.allocate(BatchHeader.SIZE), lastBatchPosition);
        return h.magic() == RecordBatch.MAGIC_VALUE_V2 && readBatch(lastBatchPosition, h.sizeInBytes()).isValid();
    }

    private void observe(BatchHeader h, int position) {
        if (position == 0) {
            firstBatchTimestamp = h.maxTimestamp();
        }
        nextOffset = h.nextOffset();
        if (h.maxTimestamp() > maxTimestamp) {
            maxTimestamp = h.maxTimestamp();
            maxTimestampBatchOffset = h.lastOffset();
        }
    }

    private BatchHeader readHeader(ByteBuffer header, int position) throws IOException {
        header.clear();
        readFully(header, position);
        return BatchHeader.parse(header, 0);
    }

    private void readFully(ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, p);
            if (n < 0) {
                throw new EOFException("unexpected end of " + logFile + " at " + p);
            }
            p += n;
        }
    }

    /**
     * Appends already validated and offset-stamped batches at the end of the file, adding an index
     * entry whenever more than {@code indexIntervalBytes} were written since the last one.
     */
    void append(ByteBuffer records, java.util.List<BatchHeader> batches) throws IOException {
        int position = size;
        ByteBuffer src = records.duplicate();
        long p = position;
        while (src.hasRemaining()) {
            p += channel.write(src, p);
        }
        int batchPosition = position;
        for (BatchHeader h : batches) {
            if (batchPosition == 0) {
                firstBatchTimestamp = h.maxTimestamp();
            }
            if (h.maxTimestamp() > maxTimestamp) {
                maxTimestamp = h.maxTimestamp();
                maxTimestampBatchOffset = h.lastOffset();
            }
            maybeIndex(h, batchPosition);
            batchPosition += h.sizeInBytes();
        }
        // Publish: readers bound themselves by size, so whole batches only.
        nextOffset = batches.get(batches.size() - 1).nextOffset();
        size = batchPosition;
    }

    /**
     * Adds index entries for the batch at {@code position} when enough bytes passed since the last
     * entry. Position 0 is never indexed (it is the lookup fallback). A full index skips entries;
     * the log rolls before the next append.
     */
    private void maybeIndex(BatchHeader h, int position) {
        if (bytesSinceLastIndexEntry > indexIntervalBytes && position > 0 && !indexesFull()) {
            offsetIndex.append(h.lastOffset(), position);
            timeIndex.maybeAppend(maxTimestamp, maxTimestampBatchOffset);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += h.sizeInBytes();
    }

    /** Position and header of the first batch whose last offset is {@code >= offset}, if any. */
    Optional<Located> locate(long offset, int sizeLimit) throws IOException {
        int position = offsetIndex.lookup(offset).position();
        ByteBuffer header = ByteBuffer.allocate(BatchHeader.SIZE);
        while (position + BatchHeader.SIZE <= sizeLimit) {
            BatchHeader h = readHeader(header, position);
            if (h.lastOffset() >= offset) {
                return Optional.of(new Located(position, h));
            }
            position += h.sizeInBytes();
        }
        return Optional.empty();
    }

    /** A batch header and where it starts in the file. */
    record Located(int position, BatchHeader header) {}

    /**
     * Whole batches starting with the one containing {@code startOffset}, stopping at {@code maxBytes}
     * (at least one batch if {@code minOneMessage}) and before any batch with base offset
     * {@code >= maxOffsetExclusive}. Empty when no batch here ends at or after {@code startOffset}.
     *
     * <p>The end is found with the offset index first: its entries point at batch starts, so the last entry
     * within the byte budget and below {@code maxOffsetExclusive} ends a run of whole, eligible batches. Only
     * the headers after that entry (about {@code index.interval.bytes} worth) are then read one by one. A 1 MiB
     * fetch of 16 KiB batches thus costs a few header reads instead of 64 (one pread each).
     */
    Optional<FileSlice> read(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneMessage) throws IOException {
        int limit = size;
        Optional<Located> first = locate(startOffset, limit);
        if (first.isEmpty()) {
            return Optional.empty();
        }
        int start = first.get().position();
        BatchHeader h = first.get().header();
        if (h.baseOffset() >= maxOffsetExclusive || (h.sizeInBytes() > maxBytes && !minOneMessage)) {
            return Optional.of(new FileSlice(channel, start, 0));
        }
        // Invariant: [start, position) holds whole batches, each with base offset < maxOffsetExclusive, and
        // position - start <= maxBytes unless it is the single first batch (minOneMessage); end is the offset after
        // them, unknown (-1) right after a jump until the next header is read.
        int position = start + h.sizeInBytes();
        long end = h.nextOffset();
        int budgetEnd = (int) Math.min(limit, (long) start + maxBytes);
        if (maxOffsetExclusive > 0) {
            Optional<OffsetPosition> jump = offsetIndex.floor(maxOffsetExclusive - 1, budgetEnd);
            // Not onto a batch appended after this read took the size: the header read there gives the end offset.
            if (jump.isPresent() && jump.get().position() > position
                    && jump.get().position() + BatchHeader.SIZE <= limit) {
                // The batch before the entry ends there; every batch up to it has offsets below the entry's.
                position = jump.get().position();
                end = FileSlice.UNKNOWN_END;
            }
        }
        ByteBuffer header = ByteBuffer.allocate(BatchHeader.SIZE);
        while (position + BatchHeader.SIZE <= limit) {
            h = readHeader(header, position);
            if (h.baseOffset() >= maxOffsetExclusive || position - start + h.sizeInBytes() > maxBytes) {
                if (end == FileSlice.UNKNOWN_END) {
                    end = h.baseOffset(); // the batch right after the slice: the slice ends before it
                }
                break;
            }
            position += h.sizeInBytes();
            end = h.nextOffset();
        }
        return Optional.of(new FileSlice(channel, start, position - start, end));
    }

    /** Reads the complete batch at {@code position}. */
    MutableRecordBatch readBatch(int position, int sizeInBytes) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(sizeInBytes);
        readFully(buf, position);
        buf.flip();
        return MemoryRecords.readableRecords(buf).batches().iterator().next();
    }

    /**
     * Validates every batch from the start of the file: bounds, magic 2, CRC, offsets increasing.
     * Truncates at the first invalid byte and rebuilds both indexes.
     *
     * @return the number of bytes truncated
     */
    int recover(int maxBatchBytes, int maxIndexBytes) throws IOException {
        offsetIndex.truncate();
        timeIndex.truncate();
        offsetIndex.resize(maxIndexBytes);
        timeIndex.resize(maxIndexBytes);
        maxTimestamp = RecordBatch.NO_TIMESTAMP;
        maxTimestampBatchOffset = baseOffset;
        firstBatchTimestamp = RecordBatch.NO_TIMESTAMP;
        nextOffset = baseOffset;
        bytesSinceLastIndexEntry = 0;
        long fileSize = channel.size();
        int position = 0;
        ByteBuffer header = ByteBuffer.allocate(BatchHeader.SIZE);
        while (position + BatchHeader.SIZE <= fileSize) {
            BatchHeader h = readHeader(header, position);
            if (h.magic() != RecordBatch.MAGIC_VALUE_V2 || h.sizeInBytes() < BatchHeader.SIZE
                || h.sizeInBytes() > maxBatchBytes || position + (long) h.sizeInBytes() > fileSize
                || h.baseOffset() < nextOffset || h.lastOffsetDelta() < 0 || h.lastOffset() - baseOffset > Integer.MAX_VALUE) {
                break;
            }
            MutableRecordBatch batch = readBatch(position, h.sizeInBytes());
            if (!batch.isValid()) {
                break;
            }
            observe(h, position);
            maybeIndex(h, position);
            position += h.sizeInBytes();
        }
        int truncated = (int) (fileSize - position);
        if (truncated > 0) {
            channel.truncate(position);
        }
        size = position;
        return truncated;
    }

    /**
     * Removes every batch whose last offset is {@code >= offset} (so a batch straddling
     * {@code offset} goes entirely) and the index entries pointing at them.
     *
     * @return the number of bytes removed
     */
    int truncateTo(long offset) throws IOException {
        Optional<Located> at = locate(offset, size);
        if (at.isEmpty()) {
            return 0;
        }
        int position = at.get().position();
        int removed = size - position;
        // Offset index entries name the last offset of the batch they point at, so exactly the
        // entries of removed batches have offset >= offset. A time index entry (t, o) with o < offset
        // only describes kept batches and stays true.
        offsetIndex.truncateTo(offset);
        timeIndex.truncateTo(offset);
        txnIndex.truncateTo(offset);
        channel.truncate(position);
        size = position;
        // Recompute the tail state from the remaining index and batches.
        maxTimestamp = RecordBatch.NO_TIMESTAMP;
        maxTimestampBatchOffset = baseOffset;
        firstBatchTimestamp = RecordBatch.NO_TIMESTAMP;
        nextOffset = baseOffset;
        lastBatchPosition = -1;
        loadTail();
        return removed;
    }

    /**
     * First record in this segment with timestamp {@code >= target}. The time index gives the last
     * entry strictly below target; no record at or before its offset can qualify.
     */
    Optional<TimestampAndOffset> findOffsetByTimestamp(long target, long startingOffset) throws IOException {
        if (maxTimestamp < target) {
            return Optional.empty();
        }
        TimestampOffset entry = timeIndex.lookupBefore(target);
        long from = Math.max(entry.offset(), startingOffset);
        int limit = size;
        Optional<Located> located = locate(from, limit);
        if (located.isEmpty()) {
            return Optional.empty();
        }
        int position = located.get().position();
        ByteBuffer header = ByteBuffer.allocate(BatchHeader.SIZE);
        while (position + BatchHeader.SIZE <= limit) {
            BatchHeader h = readHeader(header, position);
            if (h.maxTimestamp() >= target && !h.isControl()) {
                MutableRecordBatch batch = readBatch(position, h.sizeInBytes());
                for (Record r : batch) {
                    if (r.offset() >= startingOffset && r.timestamp() >= target) {
                        return Optional.of(new TimestampAndOffset(r.timestamp(), r.offset(), epochOf(h)));
                    }
                }
            }
            position += h.sizeInBytes();
        }
        return Optional.empty();
    }

    /** The record carrying this segment's max timestamp (first one if several). */
    Optional<TimestampAndOffset> maxTimestampRecord() throws IOException {
        if (maxTimestamp < 0) {
            return Optional.empty();
        }
        Optional<Located> located = locate(maxTimestampBatchOffset, size);
        if (located.isEmpty()) {
            return Optional.empty();
        }
        BatchHeader h = located.get().header();
        MutableRecordBatch batch = readBatch(located.get().position(), h.sizeInBytes());
        for (Record r : batch) {
            if (r.timestamp() == maxTimestamp) {
                return Optional.of(new TimestampAndOffset(r.timestamp(), r.offset(), epochOf(h)));
            }
        }
        return Optional.of(new TimestampAndOffset(maxTimestamp, h.lastOffset(), epochOf(h)));
    }

    private static Optional<Integer> epochOf(BatchHeader h) {
        return h.partitionLeaderEpoch() >= 0 ? Optional.of(h.partitionLeaderEpoch()) : Optional.empty();
    }

    /** Calls {@code visitor} for every batch header (with its position) up to the current size. */
    void forEachBatch(long fromOffset, BatchVisitor visitor) throws IOException {
        int limit = size;
        Optional<Located> located = locate(fromOffset, limit);
        if (located.isEmpty()) {
            return;
        }
        int position = located.get().position();
        ByteBuffer header = ByteBuffer.allocate(BatchHeader.SIZE);
        while (position + BatchHeader.SIZE <= limit) {
            BatchHeader h = readHeader(header, position);
            visitor.visit(position, h);
            position += h.sizeInBytes();
        }
    }

    /** Callback for {@link #forEachBatch}. */
    @FunctionalInterface
    interface BatchVisitor {
        void visit(int position, BatchHeader header) throws IOException;
    }

    public long baseOffset() {
        return baseOffset;
    }

    public int sizeInBytes() {
        return size;
    }

    public long nextOffset() {
        return nextOffset;
    }

    public long maxTimestamp() {
        return maxTimestamp;
    }

    public long createdMs() {
        return createdMs;
    }

    /** How much before {@code segment.ms} this segment rolls; drawn from {@code segment.jitter.ms} when opened. */
    public long rollJitterMs() {
        return rollJitterMs;
    }

    /** The max timestamp of the first batch, or {@link RecordBatch#NO_TIMESTAMP} when empty. */
    public long firstBatchTimestamp() {
        return firstBatchTimestamp;
    }

    public Path logFile() {
        return logFile;
    }

    public FileChannel channel() {
        return channel;
    }

    OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    TimeIndex timeIndex() {
        return timeIndex;
    }

    TransactionIndex txnIndex() {
        return txnIndex;
    }

    /** The aborted transactions whose marker lies in this segment, in marker order. */
    public List<AbortedTxn> abortedTxns() throws IOException {
        return txnIndex.entries();
    }

    /** Retention's notion of age: the largest record timestamp, or the file's mtime when there is none. */
    public long largestTimestampOrMtime() throws IOException {
        return maxTimestamp >= 0 ? maxTimestamp : Files.getLastModifiedTime(logFile).toMillis();
    }

    boolean indexesFull() {
        return offsetIndex.isFull() || timeIndex.isFull();
    }

    /** Called when this segment stops being the active one: indexes and a preallocated file are cut to their data. */
    void onBecomeInactive() throws IOException {
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
        trimFile();
    }

    private void trimFile() throws IOException {
        if (channel.isOpen() && channel.size() > size) {
            channel.truncate(size);
        }
    }

    /** Re-grows the indexes when this segment becomes active again (after truncation). */
    void onBecomeActive(int maxIndexBytes) throws IOException {
        offsetIndex.resize(maxIndexBytes);
        timeIndex.resize(maxIndexBytes);
    }

    void flush() throws IOException {
        channel.force(true);
        offsetIndex.flush();
        timeIndex.flush();
        txnIndex.flush();
    }

    /** Renames all files with the {@code .deleted} suffix; the channels stay usable. */
    void markDeleted() throws IOException {
        Path target = logFile.resolveSibling(logFile.getFileName() + DELETED_SUFFIX);
        Files.move(logFile, target, StandardCopyOption.REPLACE_EXISTING);
        logFile = target;
        offsetIndex.renameTo(offsetIndex.file().resolveSibling(offsetIndex.file().getFileName() + DELETED_SUFFIX));
        timeIndex.renameTo(timeIndex.file().resolveSibling(timeIndex.file().getFileName() + DELETED_SUFFIX));
        txnIndex.renameTo(txnIndex.file().resolveSibling(txnIndex.file().getFileName() + DELETED_SUFFIX));
    }

    /** Closes the channel and removes all files. */
    void deleteFiles() throws IOException {
        channel.close();
        offsetIndex.deleteIfExists();
        timeIndex.deleteIfExists();
        txnIndex.deleteIfExists();
        Files.deleteIfExists(logFile);
    }

    void close() throws IOException {
        offsetIndex.close();
        timeIndex.close();
        txnIndex.close();
        trimFile();
        channel.close();
    }

    @Override
    public String toString() {
        return "LogSegment(base=" + baseOffset + ", size=" + size + ", next=" + nextOffset + ")";
    }
}
