package io.herald.storage.testutil;

import io.herald.storage.log.FileSlice;
import io.herald.storage.log.LogReadResult;
import io.herald.storage.log.PartitionLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/** Builds client-style batches and reads a log back as plain records. */
public final class TestRecords {
    private TestRecords() {
    }

    /** A record as a test sees it; value null is a tombstone. */
    public record Rec(long offset, String key, String value, long timestamp) {}

    /** A key/value/timestamp to put in a batch. */
    public record KV(String key, String value, long timestamp) {
        public static KV of(String key, String value) {
            return new KV(key, value, 1_000L);
        }
    }

    public static MemoryRecords batch(Compression compression, List<KV> records) {
        return idempotentBatch(compression, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, records);
    }

    public static MemoryRecords batch(List<KV> records) {
        return batch(Compression.NONE, records);
    }

    public static MemoryRecords idempotentBatch(Compression compression, long producerId, short epoch, int baseSequence, List<KV> records) {
        return producerBatch(compression, producerId, epoch, baseSequence, false, records);
    }

    /** A batch of a transactional producer. */
    public static MemoryRecords transactionalBatch(long producerId, short epoch, int baseSequence, List<KV> records) {
        return producerBatch(Compression.NONE, producerId, epoch, baseSequence, true, records);
    }

    private static MemoryRecords producerBatch(Compression compression, long producerId, short epoch, int baseSequence,
                                               boolean transactional, List<KV> records) {
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(1024 + records.size() * 128),
            RecordBatch.MAGIC_VALUE_V2, compression, TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, producerId,
            epoch, baseSequence, transactional, RecordBatch.NO_PARTITION_LEADER_EPOCH);
        for (KV kv : records) {
            b.append(kv.timestamp(), bytes(kv.key()), bytes(kv.value()));
        }
        return b.build();
    }

    /** Several batches concatenated into one buffer, as a produce request may carry them. */
    public static MemoryRecords concat(MemoryRecords... parts) {
        int size = 0;
        for (MemoryRecords p : parts) {
            size += p.sizeInBytes();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (MemoryRecords p : parts) {
            out.put(p.buffer());
        }
        return MemoryRecords.readableRecords(out.flip());
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return new String(out, StandardCharsets.UTF_8);
    }

    public static ByteBuffer readSlice(FileSlice slice) {
        ByteBuffer buf = ByteBuffer.allocate(slice.size());
        try {
            long p = slice.position();
            while (buf.hasRemaining()) {
                int n = slice.channel().read(buf, p);
                if (n < 0) {
                    throw new IOException("EOF");
                }
                p += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.flip();
    }

    public static List<MutableRecordBatch> batches(FileSlice slice) {
        List<MutableRecordBatch> out = new ArrayList<>();
        if (slice.size() == 0) {
            return out;
        }
        MemoryRecords.readableRecords(readSlice(slice)).batches().forEach(out::add);
        return out;
    }

    public static List<Rec> records(FileSlice slice) {
        List<Rec> out = new ArrayList<>();
        for (MutableRecordBatch b : batches(slice)) {
            for (Record r : b) {
                out.add(new Rec(r.offset(), string(r.key()), string(r.value()), r.timestamp()));
            }
        }
        return out;
    }

    /** Every record at or after the log start offset, by reading batch after batch. */
    public static List<Rec> readAll(PartitionLog log) {
        List<Rec> out = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            LogReadResult r = log.read(next, Integer.MAX_VALUE, Long.MAX_VALUE, true);
            List<MutableRecordBatch> batches = batches(r.slice());
            if (batches.isEmpty()) {
                break;
            }
            for (MutableRecordBatch b : batches) {
                for (Record rec : b) {
                    if (rec.offset() >= log.logStartOffset()) {
                        out.add(new Rec(rec.offset(), string(rec.key()), string(rec.value()), rec.timestamp()));
                    }
                }
                next = b.nextOffset();
            }
        }
        return out;
    }
}
