package io.herald.common.codec;

/**
 * One kind of record of a {@link RecordFormat}.
 *
 * @param id      the type id written in front of the record; unique within its format, never reused
 * @param name    a stable lower-case name ({@code offset-commit}); golden fixtures are named after it
 * @param version the value version this code writes, for formats with versioned values ({@link KeyValueCodec});
 *                0 in formats without one
 */
public record RecordType(int id, String name, short version) {
    public RecordType {
        if (id < 0) {
            throw new IllegalArgumentException("record type id: " + id + " (expected: >= 0)");
        }
        if (!name.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("record type name: '" + name + "' (expected: lower-case words joined"
                    + " by '-')");
        }
        if (version < 0) {
            throw new IllegalArgumentException("version of " + name + ": " + version + " (expected: >= 0)");
        }
    }

    /** A type of a format without value versions. */
    public RecordType(int id, String name) {
        this(id, name, (short) 0);
    }
}
