package io.herald.common.codec;

/**
 * One golden fixture and the record it holds.
 *
 * @param name        the fixture's file name without {@code .hex} (see {@link GoldenFixtures})
 * @param description what the fixture holds, written into its comment
 * @param record      the record the fixture's bytes decode to
 * @param current     true if the current code writes this version: its encoding must equal the fixture; false
 *                    for an older version, which is only decoded
 * @param <R>         the record type of the format
 */
public record GoldenCase<R>(String name, String description, R record, boolean current) {

    /** A fixture of the version the code writes today. */
    public static <R> GoldenCase<R> current(String name, String description, R record) {
        return new GoldenCase<>(name, description, record, true);
    }

    /** A fixture of an older version, which the code must still read. */
    public static <R> GoldenCase<R> older(String name, String description, R record) {
        return new GoldenCase<>(name, description, record, false);
    }

    @Override
    public String toString() {
        return name;
    }
}
