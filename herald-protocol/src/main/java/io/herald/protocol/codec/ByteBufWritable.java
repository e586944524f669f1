package io.herald.protocol.codec;

import io.herald.protocol.FileRegionRecords;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A {@link Writable} that serializes a response into one pre-sized {@link ByteBuf} and cuts it
 * into the parts to write around zero-copy records: every {@link FileRegionRecords} ends the
 * current slice and becomes a {@code FileRegion} of its own, so the wire order is bytes, region,
 * bytes, ... and log bytes never pass through the heap.
 *
 * <p>Encodings match kafka-clients' {@code ByteBufferAccessor} (big-endian, zig-zag varints).
 * {@link MemoryRecords} become a part of their own too (a wrapped buffer, not copied): the message's size counts
 * every records field as zero-copy bytes, whatever its kind. Null records never reach
 * {@link #writeRecords}: the generated message classes write the null marker (-1 length or
 * compact 0) themselves, exactly as for kafka-clients' own writer.
 *
 * <p>Not thread-safe; single use: {@link #finish()} hands over the parts, {@link #abort()}
 * releases everything.
 */
public final class ByteBufWritable implements Writable {

    private final ByteBuf buffer;
    private final List<Object> parts = new ArrayList<>(3);
    private int sliceStart;
    private long zeroCopyBytes;

    /** Takes ownership of {@code buffer}. */
    public ByteBufWritable(ByteBuf buffer) {
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        this.sliceStart = buffer.writerIndex();
    }

    /** Bytes written into the buffer so far (zero-copy regions excluded). */
    public int bufferedBytes() {
        return buffer.writerIndex();
    }

    /** Bytes handed over as file regions so far. */
    public long zeroCopyBytes() {
        return zeroCopyBytes;
    }

    @Override
    public void writeByte(byte val) {
        buffer.writeByte(val);
    }

    @Override
    public void writeShort(short val) {
        buffer.writeShort(val);
    }

    @Override
    public void writeInt(int val) {
        buffer.writeInt(val);
    }

    @Override
    public void writeLong(long val) {
        buffer.writeLong(val);
    }

    @Override
    public void writeDouble(double val) {
        buffer.writeDouble(val);
    }

    @Override
    public void writeByteArray(byte[] arr) {
        buffer.writeBytes(arr);
    }

    @Override
    public void writeByteBuffer(ByteBuffer buf) {
        // duplicate(): like ByteBufferAccessor, do not move the caller's position (the records of
        // a cached response may be written again).
        buffer.writeBytes(buf.duplicate());
    }

    @Override
    public void writeUnsignedVarint(int value) {
        while ((value & 0xffffff80) != 0) {
            buffer.writeByte((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        buffer.writeByte(value);
    }

    @Override
    public void writeVarint(int value) {
        writeUnsignedVarint((value << 1) ^ (value >> 31));
    }

    @Override
    public void writeVarlong(long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & 0xffffffffffffff80L) != 0L) {
            buffer.writeByte(((int) v & 0x7f) | 0x80);
            v >>>= 7;
        }
        buffer.writeByte((int) v);
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof FileRegionRecords fileRecords) {
            cutSlice();
            parts.add(fileRecords.toFileRegion());
            zeroCopyBytes += fileRecords.sizeInBytes();
        } else if (records instanceof MemoryRecords memoryRecords) {
            if (memoryRecords.sizeInBytes() > 0) {
                cutSlice();
                // duplicate(): do not move the caller's position (a cached response may be written again).
                parts.add(Unpooled.wrappedBuffer(memoryRecords.buffer().duplicate()));
                zeroCopyBytes += memoryRecords.sizeInBytes();
            }
        } else {
            throw new UnsupportedOperationException("unsupported records type: "
                + (records == null ? "null" : records.getClass().getName())
                + " (expected: MemoryRecords or FileRegionRecords)");
        }
    }

    /** The parts in wire order (ByteBufs and FileRegions, each with one reference for the caller). */
    public List<Object> finish() {
        cutSlice();
        buffer.release();
        return parts;
    }

    /** Releases the buffer and every part produced so far. */
    public void abort() {
        parts.forEach(ReferenceCountUtil::safeRelease);
        parts.clear();
        buffer.release();
    }

    private void cutSlice() {
        int end = buffer.writerIndex();
        if (end > sliceStart) {
            parts.add(buffer.retainedSlice(sliceStart, end - sliceStart));
            sliceStart = end;
        }
    }
}
