package io.herald.broker.ttl;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Header;

/**
 * The rules of message TTL: the names, when a record expires, and the header's format (decimal text, as the delay
 * headers). Stateless.
 */
public final class MessageTtl {
    /** The topic config (and its broker default of the same name); -1 means records never expire. */
    public static final String TOPIC_CONFIG = "herald.message.ttl.ms";
    /** The per-record header, milliseconds as decimal text; honoured on topics where {@link #TOPIC_CONFIG} is set. */
    public static final String HEADER = "herald.ttl.ms";

    private MessageTtl() {
    }

    /** When a record with {@code timestamp} and {@code ttlMs} expires: never ({@link Long#MAX_VALUE}) on overflow. */
    public static long expiresAt(long timestamp, long ttlMs) {
        long at = timestamp + ttlMs;
        return ((timestamp ^ at) & (ttlMs ^ at)) < 0 ? Long.MAX_VALUE : at;
    }

    /** Whether a record with {@code timestamp} and {@code ttlMs} has expired at {@code nowMs}. */
    public static boolean expired(long timestamp, long ttlMs, long nowMs) {
        return expiresAt(timestamp, ttlMs) <= nowMs;
    }

    /**
     * The record's own TTL: its first {@value #HEADER} header, when that is a non-negative decimal number. A header
     * that does not parse is ignored (the topic's TTL applies).
     */
    public static OptionalLong headerTtl(Header[] headers) {
        for (Header h : headers) {
            if (!HEADER.equals(h.key())) {
                continue;
            }
            if (h.value() == null) {
                return OptionalLong.empty();
            }
            try {
                long ttl = Long.parseLong(new String(h.value(), StandardCharsets.UTF_8).trim());
                return ttl >= 0 ? OptionalLong.of(ttl) : OptionalLong.empty();
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }

    /** RabbitMQ's rule: when a record has its own TTL as well as the topic's, the smaller wins. */
    public static long effective(long topicTtlMs, OptionalLong headerTtlMs) {
        return headerTtlMs.isPresent() ? Math.min(topicTtlMs, headerTtlMs.getAsLong()) : topicTtlMs;
    }
}
