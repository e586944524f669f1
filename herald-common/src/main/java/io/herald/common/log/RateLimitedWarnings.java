package io.herald.common.log;

import io.herald.common.time.Time;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Warnings about what a client configured wrong (a dead-letter topic that is missing or not enabled, a delay header that does not parse), at most one
 * per key and interval: every rejected record of a misconfigured group would otherwise log a line. The keys are
 * bounded too, so a flood of distinct groups cannot grow the map forever.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class RateLimitedWarnings {
    private static final int MAX_KEYS = 10_000;

    private final Logger log;
    private final Time time;
    private final long intervalMs;
    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    public RateLimitedWarnings(Logger log, Time time, long intervalMs) {
        this.log = log;
        this.time = time;
        this.intervalMs = intervalMs;
    }

    /** Logs {@code message} at WARN unless {@code key} was warned about within the interval. */
    public void warn(String key, String message) {
        long now = time.milliseconds();
        if (lastLogged.size() >= MAX_KEYS) {
            lastLogged.clear();
        }
        Long before = lastLogged.get(key);
        if (before != null && now - before < intervalMs) {
            return;
        }
        lastLogged.put(key, now);
        log.warn(message);
    }
}
