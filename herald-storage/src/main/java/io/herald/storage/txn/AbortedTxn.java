package io.herald.storage.txn;

import java.nio.ByteBuffer;

import org.apache.kafka.common.errors.CorruptRecordException;

/**
 * One entry of a transaction index ({@code .txnindex}), in Kafka's layout, 34 bytes, big-endian:
 * <pre>
 * version int16 (0) | producerId int64 | firstOffset int64 | lastOffset int64 | lastStableOffset int64
 * </pre>
 * {@code lastOffset} is the offset of the ABORT marker; {@code lastStableOffset} is what the partition's last
 * stable offset became right after the marker (ignoring the high watermark): the first offset of the earliest
 * transaction of another producer still open then, or {@code lastOffset + 1}. A search for the aborted transactions
 * of a fetch can stop at an entry whose last stable offset reaches the fetch's upper bound: every transaction
 * starting below that bound was complete by then.
 */
public record AbortedTxn(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {
    public static final short CURRENT_VERSION = 0;
    public static final int ENTRY_SIZE = 2 + 8 + 8 + 8 + 8;

    public AbortedTxn(CompletedTxn txn, long lastStableOffset) {
        this(txn.producerId(), txn.firstOffset(), txn.lastOffset(), lastStableOffset);
    }

    /** Writes the entry at {@code out}'s position, advancing it. */
    public void writeTo(ByteBuffer out) {
        out.putShort(CURRENT_VERSION).putLong(producerId).putLong(firstOffset).putLong(lastOffset)
            .putLong(lastStableOffset);
    }

    public byte[] toBytes() {
        ByteBuffer out = ByteBuffer.allocate(ENTRY_SIZE);
        writeTo(out);
        return out.array();
    }

    /**
     * Reads the entry at {@code in}'s position, advancing it.
     *
     * @throws CorruptRecordException a version other than 0 (Kafka refuses newer versions too)
     */
    public static AbortedTxn readFrom(ByteBuffer in) {
        short version = in.getShort();
        if (version != CURRENT_VERSION) {
            throw new CorruptRecordException("aborted transaction entry version " + version + " (expected: "
                + CURRENT_VERSION + ")");
        }
        return new AbortedTxn(in.getLong(), in.getLong(), in.getLong(), in.getLong());
    }

    public AbortedTransaction asAbortedTransaction() {
        return new AbortedTransaction(producerId, firstOffset, lastOffset);
    }
}
