package io.herald.cli.consume;

import io.herald.cli.convert.Timestamps;
import java.time.ZoneId;
import java.util.Locale;

/**
 * Where {@code herald consume --from} starts reading a partition: {@code beginning}, {@code end}, an absolute
 * offset ({@code 42}), a count back from the end ({@code -10}: the last ten records), or a point in time (the
 * first record at or after it; see {@link Timestamps} for the forms).
 */
public sealed interface StartPosition {

    record Beginning() implements StartPosition {}

    record End() implements StartPosition {}

    /** An absolute offset (clamped to the partition's first and end offsets). */
    record Offset(long offset) implements StartPosition {}

    /** The last {@code count} records of each partition. */
    record FromEnd(long count) implements StartPosition {}

    /** The first record whose timestamp is at or after {@code epochMillis}; the end when there is none. */
    record Timestamp(long epochMillis) implements StartPosition {}

    /** @throws IllegalArgumentException with the accepted forms */
    static StartPosition parse(String text, ZoneId zone) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        switch (s) {
            case "beginning", "earliest" -> {
                return new Beginning();
            }
            case "end", "latest" -> {
                return new End();
            }
            default -> {
                // a number, or a time
            }
        }
        if (s.matches("-?\\d+")) {
            long n = Long.parseLong(s);
            return n < 0 ? new FromEnd(-n) : new Offset(n);
        }
        try {
            return new Timestamp(Timestamps.parseEpochMillis(text, zone));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid start position '" + text + "' (expected beginning, end, an "
                    + "offset, -N for the last N records, or a time such as 2025-01-01T00:00:00Z)");
        }
    }
}
