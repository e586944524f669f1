package io.herald.broker.share;

import io.herald.broker.ttl.ExpiredOffsets;
import io.herald.storage.txn.AbortedTransaction;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * What a share-partition needs of its topic partition's log on the leader: offsets, reads of whole batches as a
 * consumer sees them, and the time index. The broker's implementation reads the partition's log
 * ({@link PartitionShareLog}); tests use a model.
 *
 * <p>Thread-safety: implementations are thread-safe; reads take no share-partition lock.
 */
public interface ShareLog {

    long logStartOffset();

    long highWatermark();

    /** The first offset of a transaction still open, or the high watermark: read_committed reads below it. */
    long lastStableOffset();

    /**
     * The first offset whose record's timestamp is at or after {@code timestamp} and below the high watermark
     * (share.auto.offset.reset=by_duration), if there is one.
     */
    OptionalLong offsetForTimestamp(long timestamp);

    /**
     * Whole batches from the one containing {@code offset}, at most {@code maxBytes} (or one batch if
     * {@code minOneMessage}), below the high watermark (read_uncommitted) or the last stable offset
     * (read_committed, with the aborted transactions among them).
     *
     * @throws org.apache.kafka.common.errors.ApiException NOT_LEADER_OR_FOLLOWER, OFFSET_OUT_OF_RANGE,
     *         KAFKA_STORAGE_ERROR
     */
    Chunk read(long offset, int maxBytes, boolean minOneMessage, IsolationLevel isolation);

    /**
     * {@link #read}, but the batches may end with the first one that reaches {@code lastOffsetWanted}: a fetch
     * acquires at most MaxRecords, so the batch headers past them need not be read. The default reads them all.
     */
    default Chunk read(long offset, int maxBytes, boolean minOneMessage, IsolationLevel isolation,
                       long lastOffsetWanted) {
        return read(offset, maxBytes, minOneMessage, isolation);
    }

    /**
     * The records of {@code chunk} whose TTL ({@code herald.message.ttl.ms}, {@code herald.ttl.ms}) has passed at
     * {@code nowMs}; none by default (a log whose records never expire).
     */
    default ExpiredOffsets expired(Chunk chunk, long nowMs) {
        return ExpiredOffsets.NONE;
    }

    /**
     * How many bytes {@link #read} would return from {@code offset} with at most {@code maxBytes}, without looking at
     * the batches: a parked fetch's min-bytes check.
     */
    int bytesAvailable(long offset, int maxBytes, IsolationLevel isolation);

    /**
     * What a read returned: the batches' headers in offset order, for read_committed the aborted transactions
     * among them (empty for read_uncommitted), and a way to hand a run of the batches to the response.
     */
    record Chunk(List<FetchedBatch> batches, Optional<List<AbortedTransaction>> abortedTransactions, Slicer slicer) {
        public static final Chunk EMPTY = new Chunk(List.of(), Optional.empty(), (position, size) -> MemoryRecords.EMPTY);

        public Chunk {
            batches = List.copyOf(batches);
        }

        public int sizeInBytes() {
            if (batches.isEmpty()) {
                return 0;
            }
            FetchedBatch last = batches.get(batches.size() - 1);
            return last.position() + last.sizeInBytes() - batches.get(0).position();
        }
    }

    /** The bytes {@code [position, position + size)} of a read, for the response (zero-copy when from a file). */
    @FunctionalInterface
    interface Slicer {
        BaseRecords records(int position, int size);
    }
}
