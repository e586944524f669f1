package io.herald.cli.convert;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * Parses points in time for {@code --to-datetime}, {@code --from} and {@code --deliver-at}: epoch milliseconds
 * ({@code 1735689600000}), an ISO-8601 instant or offset date-time ({@code 2025-01-01T00:00:00Z},
 * {@code 2025-01-01T01:00:00+01:00}), or a local date-time or date ({@code 2025-01-01T00:00}, {@code 2025-01-01}),
 * read in the given zone as kafka-consumer-groups reads {@code --to-datetime} without an offset.
 *
 * <p>Stateless and thread-safe.
 */
public final class Timestamps {

    private Timestamps() {
    }

    /** Epoch milliseconds of {@code text}; @throws IllegalArgumentException listing the accepted forms. */
    public static long parseEpochMillis(String text, ZoneId zone) {
        String s = text.strip();
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw invalid(text);
            }
        }
        try {
            return OffsetDateTime.parse(s).toInstant().toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // not with an offset: try the local forms
        }
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // not an instant
        }
        try {
            return LocalDateTime.parse(s).atZone(zone).toInstant().toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // not a local date-time
        }
        try {
            return LocalDate.parse(s).atStartOfDay(zone).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw invalid(text);
        }
    }

    /** Whether {@code text} looks like a date rather than a number: it has a '-' after its first character. */
    public static boolean looksLikeDate(String text) {
        return text.strip().indexOf('-') > 0;
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid time '" + text + "' (expected epoch milliseconds, "
                + "2025-01-01T00:00:00Z, 2025-01-01T00:00:00+01:00, 2025-01-01T00:00 or 2025-01-01)");
    }
}
