package io.herald.bench.micro;

import java.nio.ByteBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;

/** Producer-like record batches for the micro-benchmarks: what kafka-clients sends with its defaults. */
final class BenchRecords {
    /** The Java producer's default batch.size. */
    static final int BATCH_BYTES = 16_384;

    private BenchRecords() {
    }

    /**
     * One uncompressed magic-v2 batch of {@code recordSize}-byte values (no key), filled up to about
     * {@code batchBytes}, as an idempotent producer would send it when {@code producerId >= 0}.
     */
    static ByteBuffer batch(int recordSize, int batchBytes, long producerId) {
        byte[] value = new byte[recordSize];
        ByteBuffer buffer = ByteBuffer.allocate(batchBytes + recordSize + 1024);
        MemoryRecordsBuilder builder = MemoryRecords.builder(buffer, RecordBatch.CURRENT_MAGIC_VALUE, Compression.NONE,
                TimestampType.CREATE_TIME, 0L, System.currentTimeMillis(), producerId, (short) (producerId >= 0 ? 0 : -1),
                producerId >= 0 ? 0 : -1);
        long now = System.currentTimeMillis();
        do {
            builder.append(now, null, value);
        } while (builder.estimatedSizeInBytes() + recordSize + 30 < batchBytes);
        return builder.build().buffer();
    }
}
