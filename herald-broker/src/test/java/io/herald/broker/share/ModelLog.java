package io.herald.broker.share;

import io.herald.storage.txn.AbortedTransaction;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A {@link ShareLog} in memory for share-partition tests: batches of offsets with a size, a timestamp and the
 * transaction facts, read as whole batches below the high watermark (or the last stable offset) the way a
 * partition's log is. The records' bytes are zeros of the batch's size: share-partitions never look inside.
 * Not thread-safe beyond what the tests need (synchronized).
 */
final class ModelLog implements ShareLog {
    record Batch(long base, long last, int size, long timestamp, long producerId, boolean transactional,
                 boolean control) {}

    private final List<Batch> batches = new ArrayList<>();
    private final List<AbortedTransaction> aborted = new ArrayList<>();
    private long logStart;
    private long end;
    private long highWatermark = -1; // -1: follows the log end
    private long lastStable = -1;    // -1: follows the high watermark

    ModelLog() {
        this(0);
    }

    ModelLog(long startOffset) {
        this.logStart = startOffset;
        this.end = startOffset;
    }

    /** Appends a data batch of {@code count} records (100 bytes each). */
    synchronized ModelLog append(int count) {
        return append(count, 0);
    }

    synchronized ModelLog append(int count, long timestamp) {
        batches.add(new Batch(end, end + count - 1, 100 * count, timestamp, -1, false, false));
        end += count;
        return this;
    }

    synchronized ModelLog appendTransactional(long producerId, int count) {
        batches.add(new Batch(end, end + count - 1, 100 * count, 0, producerId, true, false));
        end += count;
        return this;
    }

    /** A commit or abort marker of {@code producerId}'s open transaction, which began at {@code firstOffset}. */
    synchronized ModelLog appendMarker(long producerId, boolean commit, long firstOffset) {
        batches.add(new Batch(end, end, 70, 0, producerId, true, true));
        if (!commit) {
            aborted.add(new AbortedTransaction(producerId, firstOffset, end));
        }
        end += 1;
        return this;
    }

    synchronized void setHighWatermark(long hw) {
        this.highWatermark = hw;
    }

    synchronized void setLastStableOffset(long lso) {
        this.lastStable = lso;
    }

    synchronized void deleteBefore(long offset) {
        logStart = offset;
        batches.removeIf(b -> b.last() < offset);
    }

    synchronized long logEndOffset() {
        return end;
    }

    @Override
    public synchronized long logStartOffset() {
        return logStart;
    }

    @Override
    public synchronized long highWatermark() {
        return highWatermark < 0 ? end : highWatermark;
    }

    @Override
    public synchronized long lastStableOffset() {
        return lastStable < 0 ? highWatermark() : lastStable;
    }

    @Override
    public synchronized OptionalLong offsetForTimestamp(long timestamp) {
        for (Batch b : batches) {
            if (b.timestamp() >= timestamp && b.base() < highWatermark()) {
                return OptionalLong.of(b.base());
            }
        }
        return OptionalLong.empty();
    }

    private volatile CountDownLatch reading;
    private volatile CountDownLatch readGate;

    /** The next reads count {@code reading} down and then wait for {@code gate}: a fetch caught mid-read. */
    void gateReads(CountDownLatch reading, CountDownLatch gate) {
        this.reading = reading;
        this.readGate = gate;
    }

    @Override
    public Chunk read(long offset, int maxBytes, boolean minOneMessage, IsolationLevel isolation) {
        CountDownLatch gate = readGate;
        if (gate != null) {
            reading.countDown();
            try {
                if (!gate.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("the read gate was never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return readNow(offset, maxBytes, minOneMessage, isolation);
    }

    private synchronized Chunk readNow(long offset, int maxBytes, boolean minOneMessage, IsolationLevel isolation) {
        if (offset < logStart || offset > end) {
            throw new OffsetOutOfRangeException("offset " + offset + " (expected: " + logStart + ".." + end + ")");
        }
        long bound = isolation == IsolationLevel.READ_COMMITTED ? lastStableOffset() : highWatermark();
        List<FetchedBatch> out = new ArrayList<>();
        int position = 0;
        for (Batch b : batches) {
            if (b.last() < offset) {
                continue;
            }
            if (b.last() >= bound) {
                break;
            }
            if (position + b.size() > maxBytes && !(out.isEmpty() && minOneMessage)) {
                break;
            }
            out.add(new FetchedBatch(b.base(), b.last(), position, b.size(), b.producerId(), b.transactional(),
                    b.control(), -1));
            position += b.size();
        }
        if (out.isEmpty()) {
            return Chunk.EMPTY;
        }
        Optional<List<AbortedTransaction>> abortedHere = isolation == IsolationLevel.READ_COMMITTED
                ? Optional.of(List.copyOf(aborted)) : Optional.empty();
        return new Chunk(out, abortedHere,
                (pos, size) -> MemoryRecords.readableRecords(ByteBuffer.allocate(size)));
    }

    @Override
    public synchronized int bytesAvailable(long offset, int maxBytes, IsolationLevel isolation) {
        return read(offset, maxBytes, false, isolation).sizeInBytes();
    }
}
