package io.herald.storage.producer;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.zip.CRC32C;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The body of a producer snapshot file ({@code <offset>.snapshot}): every producer entry, big-endian. Herald's own
 * format (Kafka's is a generated message schema); it is versioned by its magic, and every version stays readable.
 *
 * <pre>
 * header (both versions): magic int32 | crc32c int32 of everything after it | entryCount int32
 * v1 ("HPS1") entry:      producerId int64 | epoch int16 | batchCount int32 | batch*
 * v2 ("HPS2") entry:      producerId int64 | epoch int16 | coordinatorEpoch int32 | lastTimestamp int64 |
 *                         currentTxnFirstOffset int64 (-1: no ongoing transaction) | batchCount int32 | batch*
 * batch (both):           firstSeq int32 | lastSeq int32 | firstOffset int64 | lastOffset int64
 * </pre>
 *
 * <p>v2 adds what transactions need (the ongoing transaction's first offset and the last coordinator epoch, so a
 * restart restores the first unstable offset and still fences zombie coordinators) and the last timestamp that
 * DescribeProducers reports. A v1 entry reads as coordinator epoch -1, last timestamp -1 and no transaction. Entries
 * are written in producer id order so that equal states give equal bytes.
 *
 * <p>Thread-safety: stateless.
 */
public final class ProducerSnapshot {
    static final int MAGIC_V1 = 0x48505331;
    static final int MAGIC_V2 = 0x48505332;
    private static final int HEADER = 12;
    private static final int BATCH_SIZE = 24;

    private ProducerSnapshot() {
    }

    /** The current version (v2) of {@code entries}. */
    public static byte[] encode(Collection<ProducerStateEntry> entries) {
        List<ProducerStateEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(ProducerStateEntry::producerId));
        int size = HEADER;
        for (ProducerStateEntry e : sorted) {
            size += 8 + 2 + 4 + 8 + 8 + 4 + e.batches().size() * BATCH_SIZE;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putInt(MAGIC_V2).putInt(0).putInt(sorted.size());
        for (ProducerStateEntry e : sorted) {
            buf.putLong(e.producerId()).putShort(e.producerEpoch()).putInt(e.coordinatorEpoch())
                .putLong(e.lastTimestamp()).putLong(e.currentTxnFirstOffset().orElse(-1L)).putInt(e.batches().size());
            for (BatchMetadata b : e.batches()) {
                buf.putInt(b.firstSeq()).putInt(b.lastSeq()).putLong(b.firstOffset()).putLong(b.lastOffset());
            }
        }
        buf.putInt(4, crc(buf.array()));
        return buf.array();
    }

    /**
     * The entries of a v1 or v2 snapshot.
     *
     * @throws CorruptRecordException unknown magic, bad CRC, a body that does not parse to its exact length, or a
     *                                producer (or an ongoing transaction's first offset) that appears twice
     */
    public static List<ProducerStateEntry> decode(byte[] bytes) {
        if (bytes.length < HEADER) {
            throw new CorruptRecordException("producer snapshot of " + bytes.length + " bytes (expected: >= " + HEADER + ")");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int magic = buf.getInt();
        if (magic != MAGIC_V1 && magic != MAGIC_V2) {
            throw new CorruptRecordException(String.format("producer snapshot magic 0x%08x (expected: 0x%08x or 0x%08x)",
                magic, MAGIC_V1, MAGIC_V2));
        }
        if (buf.getInt() != crc(bytes)) {
            throw new CorruptRecordException("producer snapshot fails its CRC check");
        }
        try {
            int count = buf.getInt();
            List<ProducerStateEntry> out = new ArrayList<>(Math.max(0, Math.min(count, bytes.length / 14)));
            Set<Long> producerIds = new HashSet<>();
            Set<Long> txnFirstOffsets = new HashSet<>();
            for (int i = 0; i < count; i++) {
                ProducerStateEntry e = magic == MAGIC_V1 ? readV1(buf) : readV2(buf);
                boolean txnTaken = e.currentTxnFirstOffset().isPresent()
                    && !txnFirstOffsets.add(e.currentTxnFirstOffset().getAsLong());
                if (!producerIds.add(e.producerId()) || txnTaken) {
                    throw new CorruptRecordException("producer snapshot repeats producer " + e.producerId()
                        + " or its transaction's first offset");
                }
                out.add(e);
            }
            if (buf.hasRemaining()) {
                throw new CorruptRecordException("producer snapshot has " + buf.remaining() + " bytes after its entries");
            }
            return out;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptRecordException("producer snapshot is truncated or malformed: " + e, e);
        }
    }

    private static ProducerStateEntry readV1(ByteBuffer buf) {
        long producerId = buf.getLong();
        short epoch = buf.getShort();
        return new ProducerStateEntry(producerId, epoch, readBatches(buf), -1, RecordBatch.NO_TIMESTAMP,
            OptionalLong.empty());
    }

    private static ProducerStateEntry readV2(ByteBuffer buf) {
        long producerId = buf.getLong();
        short epoch = buf.getShort();
        int coordinatorEpoch = buf.getInt();
        long lastTimestamp = buf.getLong();
        long txnFirstOffset = buf.getLong();
        return new ProducerStateEntry(producerId, epoch, readBatches(buf), coordinatorEpoch, lastTimestamp,
            txnFirstOffset < 0 ? OptionalLong.empty() : OptionalLong.of(txnFirstOffset));
    }

    private static List<BatchMetadata> readBatches(ByteBuffer buf) {
        int n = buf.getInt();
        if (n < 0 || (long) n * BATCH_SIZE > buf.remaining()) {
            throw new IllegalArgumentException("batch count " + n + " with " + buf.remaining() + " bytes left");
        }
        List<BatchMetadata> batches = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            batches.add(new BatchMetadata(buf.getInt(), buf.getInt(), buf.getLong(), buf.getLong()));
        }
        return batches;
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 8, bytes.length - 8);
        return (int) crc.getValue();
    }
}
