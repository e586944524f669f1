package io.herald.common.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes the fields of a record, big-endian, into a growing array. The byte format of each field is that of the
 * {@link RecordReader} method of the same name:
 *
 * <pre>
 * int8 int16 int32 int64   1, 2, 4, 8 bytes, big-endian, two's complement
 * bool                     int8: 1 true, 0 false
 * string                   int16 length, then that many bytes of UTF-8 (length &lt;= 32767)
 * nullableString           as string; length -1 for null
 * modifiedUtf8             uint16 length, then Java's modified UTF-8 (DataOutput.writeUTF; length &lt;= 65535)
 * bytes                    int32 length, then the bytes
 * uuid                     int64 most significant bits, int64 least significant bits
 * optional                 bool present, then the value if present
 * list                     int32 count, then the elements
 * map                      int32 count, then key and value of each entry, in the map's iteration order
 * </pre>
 *
 * <p>A value the format cannot hold (a string too long for its length field) is a bug of the caller and fails
 * with {@link IllegalArgumentException} before anything is written for that field.
 *
 * <p>Not thread-safe: one writer encodes one record on one thread.
 */
public final class RecordWriter {
    private byte[] buf;
    private int size;

    public RecordWriter() {
        this(64);
    }

    /** A writer whose first array has {@code capacity} bytes. */
    public RecordWriter(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 0)");
        }
        this.buf = new byte[capacity];
    }

    /** Writes one field of type {@code T}, e.g. a list element ({@code RecordWriter::int32}). */
    @FunctionalInterface
    public interface FieldWriter<T> {
        void write(RecordWriter writer, T value);
    }

    public RecordWriter int8(byte v) {
        ensure(1);
        buf[size++] = v;
        return this;
    }

    public RecordWriter int16(short v) {
        ensure(2);
        buf[size++] = (byte) (v >> 8);
        buf[size++] = (byte) v;
        return this;
    }

    public RecordWriter int32(int v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >> shift);
        }
        return this;
    }

    public RecordWriter int64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >> shift);
        }
        return this;
    }

    public RecordWriter bool(boolean v) {
        return int8(v ? (byte) 1 : (byte) 0);
    }

    /** A non-null string; {@code int16} length and UTF-8 (unpaired surrogates become {@code '?'}). */
    public RecordWriter string(String s) {
        Objects.requireNonNull(s, "string (use nullableString for a field that may be null)");
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("string of " + utf8.length + " UTF-8 bytes (expected: <= 32767)");
        }
        int16((short) utf8.length);
        return raw(utf8);
    }

    /** A string that may be null, written as length -1. */
    public RecordWriter nullableString(String s) {
        return s == null ? int16((short) -1) : string(s);
    }

    /**
     * A non-null string in Java's modified UTF-8 with an unsigned 16-bit length, byte for byte what
     * {@link java.io.DataOutput#writeUTF} writes. For the formats that were written with {@code DataOutputStream};
     * new fields use {@link #string}.
     */
    public RecordWriter modifiedUtf8(String s) {
        Objects.requireNonNull(s, "modifiedUtf8");
        int length = ModifiedUtf8.length(s);
        if (length > ModifiedUtf8.MAX_BYTES) {
            throw new IllegalArgumentException("string of " + length + " modified UTF-8 bytes (expected: <= 65535)");
        }
        ensure(2 + length);
        buf[size++] = (byte) (length >> 8);
        buf[size++] = (byte) length;
        size = ModifiedUtf8.encode(s, buf, size);
        return this;
    }

    /** {@code int32} length, then the bytes. */
    public RecordWriter bytes(byte[] bytes) {
        int32(bytes.length);
        return raw(bytes);
    }

    public RecordWriter uuid(long mostSignificantBits, long leastSignificantBits) {
        return int64(mostSignificantBits).int64(leastSignificantBits);
    }

    /** Presence as a {@link #bool}, then the value if present. */
    public <T> RecordWriter optional(Optional<T> value, FieldWriter<? super T> field) {
        bool(value.isPresent());
        value.ifPresent(v -> field.write(this, v));
        return this;
    }

    /** {@code int32} count, then each element. */
    public <T> RecordWriter list(Collection<T> elements, FieldWriter<? super T> element) {
        int32(elements.size());
        int written = 0;
        for (T e : elements) {
            element.write(this, e);
            written++;
        }
        if (written != elements.size()) {
            // A collection changed by another thread while it was written: the count would lie.
            throw new IllegalStateException("wrote " + written + " elements after a count of " + elements.size());
        }
        return this;
    }

    /**
     * {@code int32} count, then key and value of each entry in the map's iteration order; equal records give
     * equal bytes only if that order is deterministic (a sorted map).
     */
    public <K, V> RecordWriter map(Map<K, V> map, FieldWriter<? super K> key, FieldWriter<? super V> value) {
        return list(map.entrySet(), (w, e) -> {
            key.write(w, e.getKey());
            value.write(w, e.getValue());
        });
    }

    /** The number of bytes written so far. */
    public int size() {
        return size;
    }

    /** A copy of the bytes written so far. */
    public byte[] toBytes() {
        return Arrays.copyOf(buf, size);
    }

    private RecordWriter raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
        return this;
    }

    private void ensure(int more) {
        if (buf.length - size < more) {
            long needed = (long) size + more;
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("record of " + needed + " bytes (expected: < 2 GiB)");
            }
            buf = Arrays.copyOf(buf, (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 8, 2L * buf.length)));
        }
    }
}
