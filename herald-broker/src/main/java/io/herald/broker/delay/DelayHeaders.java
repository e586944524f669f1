package io.herald.broker.delay;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;

/**
 * The record headers of delayed delivery and what a record's headers ask for.
 *
 * <p>{@value #DELIVER_AT} (epoch milliseconds) wins over {@value #DELAY_MS} (milliseconds from the broker's receipt)
 * when a record has both. Values are decimal text, as any client's string header carries them.
 *
 * <p>Thread-safety: stateless.
 */
public final class DelayHeaders {
    /** Deliver at this epoch millisecond. */
    public static final String DELIVER_AT = "herald.deliver.at";
    /** Deliver this many milliseconds after the broker received the record. */
    public static final String DELAY_MS = "herald.delay.ms";
    /**
     * Set by the broker on a released record: {@code <timer partition>:<timer offset>}, which identifies the
     * scheduled record, so that a new timer leader finds what its predecessor released.
     */
    public static final String DELAYED_ID = "herald.delayed.id";

    private DelayHeaders() {
    }

    /** What a record's headers ask for. */
    public sealed interface Due {
        /** No delay header, or one that is due already: append at once. */
        record Now() implements Due {}

        /** Hold the record until {@code dueMs}. */
        record At(long dueMs) implements Due {}

        /** A delay header that does not parse or is negative: append at once, and say why. */
        record Bad(String reason) implements Due {}
    }

    private static final Due NOW = new Due.Now();

    /** What {@code headers} ask for, for a record the broker received at {@code nowMs}. */
    public static Due due(Header[] headers, long nowMs) {
        String deliverAt = null;
        String delay = null;
        for (Header h : headers) {
            if (DELIVER_AT.equals(h.key())) {
                deliverAt = text(h);
            } else if (DELAY_MS.equals(h.key())) {
                delay = text(h);
            }
        }
        if (deliverAt != null) {
            return at(DELIVER_AT, deliverAt, 0, nowMs);
        }
        if (delay != null) {
            return at(DELAY_MS, delay, nowMs, nowMs);
        }
        return NOW;
    }

    private static Due at(String name, String text, long base, long nowMs) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return new Due.Bad(name + " '" + abbreviate(text) + "' is not a decimal number");
        }
        if (value < 0) {
            return new Due.Bad(name + " " + value + " is negative");
        }
        long dueMs = base > Long.MAX_VALUE - value ? Long.MAX_VALUE : base + value;
        return dueMs > nowMs ? new Due.At(dueMs) : NOW;
    }

    private static String text(Header h) {
        return h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
