package io.herald.group.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigException;

/**
 * Where a share-partition starts when it has no state yet ({@code share.auto.offset.reset}): the earliest offset,
 * the latest (Kafka's default), or the first record at or after {@code now - duration} ({@code by_duration:PT1H},
 * an ISO-8601 duration, not negative).
 */
public sealed interface ShareAutoOffsetReset {
    record Earliest() implements ShareAutoOffsetReset {}

    record Latest() implements ShareAutoOffsetReset {}

    record ByDuration(Duration duration) implements ShareAutoOffsetReset {}

    String BY_DURATION_PREFIX = "by_duration:";

    /**
     * @throws ConfigException for anything else, with Kafka's accepted values in the message
     */
    static ShareAutoOffsetReset parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("earliest")) {
            return new Earliest();
        }
        if (v.equals("latest")) {
            return new Latest();
        }
        if (v.startsWith(BY_DURATION_PREFIX)) {
            try {
                Duration d = Duration.parse(value.trim().substring(BY_DURATION_PREFIX.length()));
                if (!d.isNegative()) {
                    return new ByDuration(d);
                }
            } catch (DateTimeParseException e) {
                // reported below
            }
        }
        throw new ConfigException("share.auto.offset.reset", value,
                "expected: earliest, latest, or by_duration:<ISO-8601 duration, not negative>");
    }
}
