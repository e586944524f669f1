package io.herald.common.codec;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Frames the records of a compacted log ({@code __consumer_offsets} and the like): each record is a key and a
 * value, stored as the key and value of a Kafka record.
 *
 * <pre>
 * key   := typeId keyFields                   (typeId as wide as the format says)
 * value := version:int16 valueFields          (version: the value version of the type that wrote it)
 *        | null                               (a tombstone: compaction drops the key)
 * </pre>
 *
 * <p><b>Compatibility.</b> A key has no version: compaction compares keys byte for byte, so a key's layout never
 * changes; a new kind of key is a new type. A value version only ever appends fields. A reader of version N
 * reads every version: one below N by that version's own layout, N or above by the prefix it knows, ignoring the
 * fields a newer writer appended. A negative version is corrupt. An unknown type id is skipped or reported
 * according to the format ({@link RecordFormat.UnknownTypes}).
 *
 * <p>Immutable and thread-safe.
 */
public final class KeyValueCodec {
    private final RecordFormat format;

    public KeyValueCodec(RecordFormat format) {
        this.format = format;
    }

    public RecordFormat format() {
        return format;
    }

    /** The key: the type id, then what {@code fields} writes. */
    public byte[] key(RecordType type, Consumer<RecordWriter> fields) {
        RecordWriter out = new RecordWriter();
        format.writeType(out, type);
        fields.accept(out);
        return out.toBytes();
    }

    /** A present value: {@code type}'s version, then what {@code fields} writes. */
    public byte[] value(RecordType type, Consumer<RecordWriter> fields) {
        if (format.type(type.id()).filter(type::equals).isEmpty()) {
            throw new IllegalArgumentException(type + " is not a type of " + format.name());
        }
        RecordWriter out = new RecordWriter();
        out.int16(type.version());
        fields.accept(out);
        return out.toBytes();
    }

    /**
     * The known type of a key, without decoding it; empty for an unknown type or a key too short to have one.
     * Never throws: meant for routing records between the formats that share a log.
     */
    public Optional<RecordType> typeOf(byte[] key) {
        if (key == null || key.length < format.typeIdBytes()) {
            return Optional.empty();
        }
        return format.type(format.readTypeId(RecordReader.of(key, format.name() + " key")));
    }

    /**
     * Opens a record: reads the type id from the key and the version from the value, and leaves the fields to
     * the caller, who reads them with the returned readers.
     *
     * @param value the value, or null for a tombstone
     * @return the record, or empty for an unknown type under {@link RecordFormat.UnknownTypes#SKIP}
     * @throws CorruptRecordException if the key has no type id, or the value no valid version
     */
    public Optional<Decoded> decode(ByteBuffer key, ByteBuffer value) {
        RecordReader keyIn = RecordReader.of(key, format.name() + " key");
        Optional<RecordType> type = format.readType(keyIn);
        if (type.isEmpty()) {
            return Optional.empty();
        }
        if (value == null) {
            return Optional.of(new Decoded(type.get(), keyIn, Optional.empty()));
        }
        RecordReader valueIn = RecordReader.of(value, format.name() + " value");
        short version = valueIn.int16();
        if (version < 0) {
            throw valueIn.corrupt(0, "value version " + version + " of " + type.get().name() + " (expected: >= 0)");
        }
        return Optional.of(new Decoded(type.get(), keyIn, Optional.of(new Value(version, valueIn))));
    }

    /**
     * An opened record.
     *
     * @param type  its type
     * @param key   the key, positioned after the type id
     * @param value the value, empty for a tombstone
     */
    public record Decoded(RecordType type, RecordReader key, Optional<Value> value) {
        public boolean isTombstone() {
            return value.isEmpty();
        }
    }

    /**
     * A present value.
     *
     * @param version the value version its writer wrote; may be newer than {@link RecordType#version()}
     * @param fields  the value, positioned after the version
     */
    public record Value(short version, RecordReader fields) {}
}
