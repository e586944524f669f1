package io.herald.common.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads the fields a {@link RecordWriter} wrote (the byte formats are listed there), and reports bytes that do
 * not follow them as a {@link CorruptRecordException} that names the source, the offset of the field and what
 * was expected. No other exception escapes for bad input.
 *
 * <p>Lengths and counts are checked against the bytes that remain before anything is allocated, so a corrupt
 * length of two billion costs nothing: every element of a list or map takes at least one byte, hence a count
 * larger than the remaining bytes is corrupt, and memory is bounded by the size of the input.
 *
 * <p>Offsets count from the first byte given to the reader. The reader keeps its own position: reading
 * does not move the position of a {@link ByteBuffer} it was given.
 *
 * <p>Not thread-safe: one reader decodes one record on one thread.
 */
public final class RecordReader {
    private final ByteBuffer buf;
    private final String source;

    private RecordReader(ByteBuffer buf, String source) {
        this.buf = buf;
        this.source = source;
    }

    /**
     * A reader of the remaining bytes of {@code bytes}.
     *
     * @param source what the bytes are, for error messages ({@code "__consumer_offsets key"})
     */
    public static RecordReader of(ByteBuffer bytes, String source) {
        if (!bytes.hasArray()) {
            // Direct or read-only: copied once, so that strings decode straight from an array.
            byte[] copy = new byte[bytes.remaining()];
            bytes.duplicate().get(copy);
            return of(copy, source);
        }
        return new RecordReader(bytes.slice(), source); // slice(): big-endian, its own position
    }

    /** A reader of all of {@code bytes}. */
    public static RecordReader of(byte[] bytes, String source) {
        return new RecordReader(ByteBuffer.wrap(bytes), source);
    }

    /** Reads one field of type {@code T}, e.g. a list element ({@code RecordReader::int32}). */
    @FunctionalInterface
    public interface FieldReader<T> {
        T read(RecordReader reader);
    }

    /** Makes a UUID of the caller's type from its two halves, e.g. {@code Uuid::new} or {@code UUID::new}. */
    @FunctionalInterface
    public interface UuidFactory<T> {
        T of(long mostSignificantBits, long leastSignificantBits);
    }

    public byte int8() {
        require(1, "int8");
        return buf.get();
    }

    public short int16() {
        require(2, "int16");
        return buf.getShort();
    }

    public int int32() {
        require(4, "int32");
        return buf.getInt();
    }

    public long int64() {
        require(8, "int64");
        return buf.getLong();
    }

    public boolean bool() {
        int at = position();
        byte b = int8();
        return switch (b) {
            case 0 -> false;
            case 1 -> true;
            default -> throw corrupt(at, "boolean " + b + " (expected: 0 or 1)");
        };
    }

    /** A string that must not be null. */
    public String string() {
        int at = position();
        String s = nullableString();
        if (s == null) {
            throw corrupt(at, "null string (expected: a string)");
        }
        return s;
    }

    /** A string or null (length -1). */
    public String nullableString() {
        int at = position();
        short length = int16();
        if (length == -1) {
            return null;
        }
        if (length < 0) {
            throw corrupt(at, "string length " + length + " (expected: >= -1)");
        }
        require(length, "the string", at);
        String s = new String(buf.array(), buf.arrayOffset() + buf.position(), length, StandardCharsets.UTF_8);
        skip(length);
        return s;
    }

    /** A string in Java's modified UTF-8 with an unsigned 16-bit length ({@link java.io.DataInput#readUTF}). */
    public String modifiedUtf8() {
        int at = position();
        require(2, "the modified UTF-8 length");
        int length = buf.getShort() & 0xffff;
        require(length, "the modified UTF-8 string", at);
        int start = buf.arrayOffset() + buf.position();
        try {
            String s = ModifiedUtf8.decode(buf.array(), start, length);
            skip(length);
            return s;
        } catch (ModifiedUtf8.MalformedException e) {
            throw corrupt(e.offset - buf.arrayOffset(), "malformed modified UTF-8: " + e.getMessage());
        }
    }

    /** {@code int32} length, then that many bytes. */
    public byte[] bytes() {
        int at = position();
        int length = int32();
        if (length < 0) {
            throw corrupt(at, "bytes length " + length + " (expected: >= 0)");
        }
        require(length, "the bytes", at);
        byte[] out = new byte[length];
        buf.get(out);
        return out;
    }

    public <T> T uuid(UuidFactory<T> factory) {
        require(16, "a uuid");
        long most = buf.getLong();
        long least = buf.getLong();
        return factory.of(most, least);
    }

    /** A {@link #bool} presence, then the value if present. */
    public <T> Optional<T> optional(FieldReader<T> field) {
        return bool() ? Optional.of(field.read(this)) : Optional.empty();
    }

    /** {@code int32} count, then that many elements. */
    public <T> List<T> list(FieldReader<T> element) {
        int count = count("list");
        List<T> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(element.read(this));
        }
        return out;
    }

    /**
     * {@code int32} count, then key and value of each entry, into a new map from {@code factory}. A key that
     * appears twice is corrupt: no writer produces it, and keeping either value would be a guess.
     */
    public <K, V, M extends Map<K, V>> M map(Supplier<M> factory, FieldReader<K> key, FieldReader<V> value) {
        int count = count("map");
        M out = factory.get();
        for (int i = 0; i < count; i++) {
            int at = position();
            K k = key.read(this);
            if (out.put(k, value.read(this)) != null || out.size() != i + 1) {
                throw corrupt(at, "duplicate map key " + k);
            }
        }
        return out;
    }

    /** The offset of the next byte to read. */
    public int position() {
        return buf.position();
    }

    public int remaining() {
        return buf.remaining();
    }

    public boolean hasRemaining() {
        return buf.hasRemaining();
    }

    /** What is being read, as given to {@link #of}. */
    public String source() {
        return source;
    }

    /**
     * An exception for a field that was read but is not valid, e.g. an enum code out of range; the caller
     * throws it. {@code offset} is the field's {@link #position()} before it was read.
     */
    public CorruptRecordException corrupt(int offset, String detail) {
        return new CorruptRecordException(source, offset, detail);
    }

    private int count(String what) {
        int at = position();
        int count = int32();
        if (count < 0) {
            throw corrupt(at, what + " count " + count + " (expected: >= 0)");
        }
        if (count > buf.remaining()) {
            throw corrupt(at, what + " count " + count + " but only " + buf.remaining()
                    + " bytes remain (expected: at most one element per byte)");
        }
        return count;
    }

    private void require(int bytes, String what) {
        require(bytes, what, position());
    }

    private void require(int bytes, String what, int fieldOffset) {
        if (buf.remaining() < bytes) {
            throw corrupt(fieldOffset, "truncated: " + what + " needs " + bytes + " bytes, only " + buf.remaining()
                    + " remain");
        }
    }

    private void skip(int bytes) {
        buf.position(buf.position() + bytes);
    }
}
