package io.herald.protocol.codec;

import io.herald.common.time.Time;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's view of connections closed for malformed requests (a frame size out of range, an unknown API key
 * or version, a header that does not parse): in each {@link #WINDOW_MS} window the first {@link #FIRST_LINES}
 * closures get a WARN line each, the rest are only counted (DEBUG), and a window that suppressed some ends with one
 * summary line, "N connections closed for malformed requests in the last minute, from M addresses". A port
 * scanner or a client speaking another protocol in a retry loop thus costs a few lines a minute, not one per
 * connection, and every well-behaved client is unaffected (DESIGN: errors are answers, log lines are for operators).
 *
 * <p>Invariant: {@code count} closures in the window starting at {@code windowStartMs}, of which {@code logged}
 * had their own line; {@code addresses} holds at most {@link #MAX_ADDRESSES} distinct hosts of them.
 *
 * <p>Thread-safety: thread-safe; every event loop of a listener shares one instance. The lock is held only to
 * count, never while logging.
 */
public final class MalformedRequestLog {
    private static final Logger log = LoggerFactory.getLogger(MalformedRequestLog.class);
    public static final long WINDOW_MS = 60_000;
    static final int FIRST_LINES = 5;
    /** Bounds the memory a flood from many addresses can take; the summary then says "at least". */
    static final int MAX_ADDRESSES = 10_000;

    private final Time time;
    private final java.util.function.Consumer<String> warn;
    private long windowStartMs;
    private int count;
    private int logged;
    private final Set<Object> addresses = new HashSet<>();
    private boolean addressesCapped;

    public MalformedRequestLog(Time time) {
        this(time, log::warn);
    }

    /** @param warn where the WARN lines go (tests capture them) */
    MalformedRequestLog(Time time, java.util.function.Consumer<String> warn) {
        this.time = time;
        this.warn = warn;
        this.windowStartMs = time.milliseconds();
    }

    /** A connection from {@code remote} is being closed because of {@code reason}; logged or counted. */
    public void connectionClosed(SocketAddress remote, String reason) {
        String summary;
        boolean ownLine;
        synchronized (this) {
            summary = rollIfDue(time.milliseconds());
            count++;
            Object host = remote instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress()
                : remote;
            if (addresses.size() < MAX_ADDRESSES) {
                addresses.add(host);
            } else if (!addresses.contains(host)) {
                addressesCapped = true;
            }
            ownLine = logged < FIRST_LINES;
            if (ownLine) {
                logged++;
            }
        }
        if (summary != null) {
            warn.accept(summary);
        }
        if (ownLine) {
            warn.accept("Closing connection from " + remote + ": " + reason);
        } else {
            log.debug("Closing connection from {}: {}", remote, reason);
        }
    }

    /** Logs the summary of a window that has ended; the listener calls it periodically. */
    public void maybeLogSummary() {
        String summary;
        synchronized (this) {
            summary = rollIfDue(time.milliseconds());
        }
        if (summary != null) {
            warn.accept(summary);
        }
    }

    /** Under the lock: starts a new window if this one is over; the summary to log, if any was suppressed. */
    private String rollIfDue(long nowMs) {
        if (nowMs - windowStartMs < WINDOW_MS) {
            return null;
        }
        String summary = count > logged ? count + " connections closed for malformed requests in the last minute, from "
            + (addressesCapped ? "at least " : "") + addresses.size() + " addresses (" + logged + " logged above)" : null;
        windowStartMs = nowMs;
        count = 0;
        logged = 0;
        addresses.clear();
        addressesCapped = false;
        return summary;
    }

    /** Closures counted in the current window (tests). */
    synchronized int countInWindow() {
        return count;
    }
}
