package io.herald.common.codec;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The registry of the record types of one format, and how a type id is framed: an {@code int8} or {@code int16}
 * in front of the record's fields.
 *
 * <p>What a reader does with a type id it does not know is the format's rule ({@link UnknownTypes}), decided
 * once per format and kept for its lifetime: a format whose records are separate entries (the key/value pairs
 * of a compacted log) can skip one, so an older Herald still loads a log a newer one wrote; a format whose
 * records follow each other in one byte stream cannot, because nothing says where the unknown one ends, so it
 * reports it.
 *
 * <p>Immutable and thread-safe.
 */
public final class RecordFormat {

    /** The width of the type id in front of each record. */
    public enum TypeIdWidth {
        INT8(1, Byte.MAX_VALUE), INT16(2, Short.MAX_VALUE);

        private final int bytes;
        private final int maxId;

        TypeIdWidth(int bytes, int maxId) {
            this.bytes = bytes;
            this.maxId = maxId;
        }
    }

    /** What a reader does with a record whose type id it does not know. */
    public enum UnknownTypes {
        /** Ignores the record ({@link #readType} is empty). */
        SKIP,
        /** Fails with {@link UnknownRecordTypeException}. */
        REJECT
    }

    private final String name;
    private final TypeIdWidth width;
    private final UnknownTypes unknownTypes;
    private final Map<Integer, RecordType> types;

    private RecordFormat(String name, TypeIdWidth width, UnknownTypes unknownTypes, Map<Integer, RecordType> types) {
        this.name = name;
        this.width = width;
        this.unknownTypes = unknownTypes;
        this.types = types;
    }

    /**
     * @param name what the bytes are, for error messages ({@code "__consumer_offsets consumer group record"})
     * @throws IllegalArgumentException if two types share an id or a name, or an id does not fit {@code width}
     */
    public static RecordFormat of(String name, TypeIdWidth width, UnknownTypes unknownTypes, RecordType... types) {
        Map<Integer, RecordType> byId = new TreeMap<>();
        for (RecordType type : types) {
            if (type.id() > width.maxId) {
                throw new IllegalArgumentException("type id of " + type.name() + ": " + type.id() + " (expected: <= "
                        + width.maxId + " for " + width + ")");
            }
            RecordType previous = byId.putIfAbsent(type.id(), type);
            if (previous != null) {
                throw new IllegalArgumentException("type id " + type.id() + " of both " + previous.name() + " and "
                        + type.name());
            }
        }
        if (byId.values().stream().map(RecordType::name).distinct().count() != byId.size()) {
            throw new IllegalArgumentException("two types of " + name + " share a name: " + byId.values());
        }
        return new RecordFormat(name, width, unknownTypes, Collections.unmodifiableMap(byId));
    }

    public String name() {
        return name;
    }

    public UnknownTypes unknownTypes() {
        return unknownTypes;
    }

    /** The types, by id. */
    public Collection<RecordType> types() {
        return types.values();
    }

    public Optional<RecordType> type(int id) {
        return Optional.ofNullable(types.get(id));
    }

    /** Writes the type id of {@code type}, which must be one of this format's. */
    public void writeType(RecordWriter out, RecordType type) {
        if (!type.equals(types.get(type.id()))) {
            throw new IllegalArgumentException(type + " is not a type of " + name);
        }
        switch (width) {
            case INT8 -> out.int8((byte) type.id());
            case INT16 -> out.int16((short) type.id());
        }
    }

    /**
     * Reads a type id.
     *
     * @return the type, or empty for an unknown id under {@link UnknownTypes#SKIP}
     * @throws UnknownRecordTypeException for an unknown id under {@link UnknownTypes#REJECT}
     * @throws CorruptRecordException if the bytes end before the id
     */
    public Optional<RecordType> readType(RecordReader in) {
        int at = in.position();
        int id = readTypeId(in);
        RecordType type = types.get(id);
        if (type == null && unknownTypes == UnknownTypes.REJECT) {
            throw new UnknownRecordTypeException(in.source(), at, id, "one of " + types.keySet().stream()
                    .map(String::valueOf).collect(Collectors.joining(", ")));
        }
        return Optional.ofNullable(type);
    }

    /** Reads a type id, known or not, whatever the rule for unknown types. */
    public int readTypeId(RecordReader in) {
        return switch (width) {
            case INT8 -> in.int8();
            case INT16 -> in.int16();
        };
    }

    /** The size of a type id: 1 or 2 bytes. */
    public int typeIdBytes() {
        return width.bytes;
    }

    @Override
    public String toString() {
        return name + " " + types.values();
    }
}
