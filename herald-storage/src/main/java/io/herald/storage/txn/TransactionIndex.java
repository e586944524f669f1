package io.herald.storage.txn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aborted-transaction index of one segment, {@code <20-digit base>.txnindex}: the transactions whose ABORT
 * marker lies in the segment, in marker order, as Kafka keeps them.
 *
 * <p>On disk: a plain concatenation of {@link AbortedTxn} entries (34 bytes each, no header), byte for byte Kafka's
 * format, so a Kafka broker can read a Herald log dir and the other way round. As in Kafka the file is created only
 * when the first aborted transaction completes in the segment (a segment without one has no file) and is not
 * preallocated; truncating it to nothing leaves an empty file.
 *
 * <p>Invariants: the file holds whole entries only (a torn entry at the end, from a crash mid-write, is cut on
 * open); entries' last offsets increase strictly and are at or above the segment's base offset. A file breaking
 * them is reported by {@link #needsRebuild()} and emptied, and the log loader rebuilds it from the log.
 *
 * <p>Thread-safety: mutations are confined to the partition lock. Searches run on fetch threads without it: they
 * read the entries up to the volatile {@link #sizeInBytes()} published after each append; one racing with a
 * truncation may see the entries from before it, exactly like a read of the segment's data.
 */
public final class TransactionIndex implements AutoCloseable {
    public static final String SUFFIX = ".txnindex";
    private static final Logger LOG = LoggerFactory.getLogger(TransactionIndex.class);

    private final long baseOffset;
    private volatile Path file;
    /** Null until the file exists. */
    private volatile FileChannel channel;
    private volatile long size;
    /** Guarded by the partition lock; -1 when empty. */
    private long lastOffset = -1;
    private boolean needsRebuild;

    private TransactionIndex(Path file, long baseOffset) {
        this.file = file;
        this.baseOffset = baseOffset;
    }

    /** Opens the index at {@code file} if it exists; a missing file is an empty index. */
    public static TransactionIndex open(Path file, long baseOffset) throws IOException {
        TransactionIndex index = new TransactionIndex(file, baseOffset);
        if (Files.exists(file)) {
            index.load();
        }
        return index;
    }

    private void load() throws IOException {
        FileChannel ch = openChannel();
        long fileSize = ch.size();
        long whole = fileSize - fileSize % AbortedTxn.ENTRY_SIZE;
        if (whole != fileSize) {
            LOG.warn("{}: cutting a torn entry of {} bytes at the end", file, fileSize - whole);
            ch.truncate(whole);
        }
        size = whole;
        try {
            for (AbortedTxn txn : entries()) {
                if (txn.lastOffset() < baseOffset || txn.lastOffset() <= lastOffset || txn.firstOffset() > txn.lastOffset()) {
                    throw new CorruptRecordException("entry " + txn + " after last offset " + lastOffset
                        + " in the index of the segment at " + baseOffset);
                }
                lastOffset = txn.lastOffset();
            }
        } catch (CorruptRecordException e) {
            LOG.warn("{} is corrupt ({}); it will be rebuilt from the log", file, e.getMessage());
            reset();
            needsRebuild = true;
        }
    }

    private FileChannel openChannel() throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        channel = ch;
        return ch;
    }

    public Path file() {
        return file;
    }

    public long sizeInBytes() {
        return size;
    }

    /** Whether the file was corrupt when opened (it has been emptied); the log must rebuild it. */
    public boolean needsRebuild() {
        return needsRebuild;
    }

    /**
     * Appends an entry, creating the file if needed.
     *
     * @throws IllegalArgumentException the entry's last offset does not follow the previous entry's (Kafka's check)
     */
    public void append(AbortedTxn txn) throws IOException {
        if (txn.lastOffset() <= lastOffset || txn.lastOffset() < baseOffset) {
            throw new IllegalArgumentException("aborted transaction " + txn + " does not follow last offset "
                + lastOffset + " in " + file + " (expected: last offset > " + Math.max(lastOffset, baseOffset - 1) + ")");
        }
        FileChannel ch = channel != null ? channel : openChannel();
        ByteBuffer buf = ByteBuffer.wrap(txn.toBytes());
        long p = size;
        while (buf.hasRemaining()) {
            p += ch.write(buf, p);
        }
        lastOffset = txn.lastOffset();
        size = p; // publish the whole entry
        needsRebuild = false;
    }

    /** Every entry, in order. */
    public List<AbortedTxn> entries() throws IOException {
        FileChannel ch = channel;
        long limit = size;
        if (ch == null || limit == 0) {
            return List.of();
        }
        ByteBuffer buf = ByteBuffer.allocate((int) limit);
        long p = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, p);
            if (n < 0) {
                break; // truncated concurrently: what was read is what there is
            }
            p += n;
        }
        buf.flip();
        List<AbortedTxn> out = new ArrayList<>(buf.remaining() / AbortedTxn.ENTRY_SIZE);
        while (buf.remaining() >= AbortedTxn.ENTRY_SIZE) {
            out.add(AbortedTxn.readFrom(buf));
        }
        return out;
    }

    /** The aborted transactions overlapping a fetch, and whether later segments may hold more. */
    public record SearchResult(List<AbortedTxn> abortedTxns, boolean complete) {}

    /**
     * Kafka's {@code collectAbortedTxns}: the entries whose transaction overlaps {@code [fetchOffset,
     * upperBoundOffset)} (last offset at or above the fetch offset, first offset below the bound). The search is
     * complete when an entry's last stable offset reaches the bound: no transaction starting below the bound can
     * have completed after it, so later segments have nothing to add.
     */
    public SearchResult collect(long fetchOffset, long upperBoundOffset) throws IOException {
        List<AbortedTxn> out = new ArrayList<>();
        for (AbortedTxn txn : entries()) {
            if (txn.lastOffset() >= fetchOffset && txn.firstOffset() < upperBoundOffset) {
                out.add(txn);
            }
            if (txn.lastStableOffset() >= upperBoundOffset) {
                return new SearchResult(out, true);
            }
        }
        return new SearchResult(out, false);
    }

    /** Removes the entries whose marker is at or after {@code offset} (truncation of the segment). */
    public void truncateTo(long offset) throws IOException {
        long position = 0;
        long newLast = -1;
        for (AbortedTxn txn : entries()) {
            if (txn.lastOffset() >= offset) {
                cut(position, newLast);
                return;
            }
            newLast = txn.lastOffset();
            position += AbortedTxn.ENTRY_SIZE;
        }
    }

    /** Removes every entry (the file, if any, stays, empty, as in Kafka). */
    public void reset() throws IOException {
        cut(0, -1);
    }

    private void cut(long position, long newLast) throws IOException {
        FileChannel ch = channel;
        size = position;
        lastOffset = newLast;
        if (ch != null) {
            ch.truncate(position);
        }
    }

    public void flush() throws IOException {
        FileChannel ch = channel;
        if (ch != null) {
            ch.force(true);
        }
    }

    /** Renames the file (if there is one); the open channel stays usable. */
    public void renameTo(Path target) throws IOException {
        if (Files.exists(file)) {
            Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
        file = target;
    }

    /** Closes the channel and deletes the file. */
    public void deleteIfExists() throws IOException {
        close();
        Files.deleteIfExists(file);
    }

    @Override
    public void close() throws IOException {
        FileChannel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    /**
     * Writes a complete index file with {@code entries} (a cleaned segment's), fsynced; nothing when there are none.
     *
     * @return whether a file was written
     */
    public static boolean writeFile(Path target, List<AbortedTxn> entries) throws IOException {
        Files.deleteIfExists(target);
        if (entries.isEmpty()) {
            return false;
        }
        ByteBuffer buf = ByteBuffer.allocate(entries.size() * AbortedTxn.ENTRY_SIZE);
        entries.forEach(e -> e.writeTo(buf));
        buf.flip();
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        return true;
    }

    @Override
    public String toString() {
        return "TransactionIndex(" + file.getFileName() + ", entries=" + size / AbortedTxn.ENTRY_SIZE + ")";
    }
}
