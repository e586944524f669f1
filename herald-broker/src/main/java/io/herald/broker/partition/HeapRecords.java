package io.herald.broker.partition;

import io.herald.protocol.FileRegionRecords;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/** Records read into heap memory, for a caller that decodes them. Stateless. */
public final class HeapRecords {
    private HeapRecords() {
    }

    /** Records as heap bytes: a file region (the share log's zero-copy reads) is read into memory. */
    public static MemoryRecords toMemory(BaseRecords records) {
        if (records instanceof MemoryRecords memory) {
            return memory;
        }
        if (records instanceof FileRegionRecords region) {
            ByteBuffer buf = ByteBuffer.allocate(region.sizeInBytes());
            try {
                while (buf.hasRemaining()) {
                    if (region.channel().read(buf, region.position() + buf.position()) < 0) {
                        throw new KafkaStorageException("Segment ended inside a read of " + region);
                    }
                }
            } catch (IOException e) {
                throw new KafkaStorageException("Reading " + region + " failed", e);
            }
            buf.flip();
            return MemoryRecords.readableRecords(buf);
        }
        throw new IllegalArgumentException("records: " + records.getClass().getName()
                + " (expected: MemoryRecords or FileRegionRecords)");
    }
}
