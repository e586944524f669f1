package io.herald.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the log dirs are probed (free space, and writability on recheck), which are offline, since when and why, when each is due for its next recheck, and the operator's view
 * of it: one log line per dir per state change, a quiet DEBUG line for a recheck that fails for the reason already
 * reported, and while any dir stays offline a one-line summary every {@link #SUMMARY_INTERVAL_MS}. A full disk
 * fails every append of every partition in the dir; none of that repeats here.
 *
 * <p>Invariant: a dir is offline iff it has an entry; its {@code nextCheckMs} is {@code recheckIntervalMs} after
 * the last transition or recheck. Times come from the log manager's injected clock.
 *
 * <p>Thread-safety: thread-safe; {@link #isOffline} is a lock-free read, transitions are synchronized.
 */
final class LogDirHealth {
    private static final Logger LOG = LoggerFactory.getLogger(LogDirHealth.class);
    static final long SUMMARY_INTERVAL_MS = 60_000;
    static final String PROBE_FILE = ".herald_dir_probe";

    private record Offline(String reason, long sinceMs, long nextCheckMs, int failedRechecks) {}

    private final long recheckIntervalMs;
    private final long minFreeBytes;
    private final DiskSpace diskSpace;
    private final Map<Path, Offline> offline = new ConcurrentHashMap<>();
    private long nextSummaryMs = Long.MIN_VALUE;

    LogDirHealth(LogDirHealthConfig config, DiskSpace diskSpace) {
        this.recheckIntervalMs = config.recheckIntervalMs();
        this.minFreeBytes = config.minFreeBytes();
        this.diskSpace = diskSpace;
    }

    /** Why {@code dir} is too full to stay online, if it is (only with a {@code min.free.bytes} threshold). */
    Optional<String> freeSpaceProblem(Path dir) {
        if (minFreeBytes <= 0) {
            return Optional.empty();
        }
        try {
            long usable = diskSpace.usableBytes(dir);
            return usable < minFreeBytes ? Optional.of("only " + usable + " bytes usable, below "
                + LogDirHealthConfig.MIN_FREE_BYTES + "=" + minFreeBytes) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of("cannot read its free space: " + e);
        }
    }

    /**
     * The recheck of an offline dir: writes, fsyncs and deletes a small file in it (what a log needs at the
     * least), then checks its free space. Empty when the dir is usable.
     */
    Optional<String> probe(Path dir) {
        Path probe = dir.resolve(PROBE_FILE);
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.allocate(4096));
                ch.force(true);
            }
            Files.delete(probe);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // the next probe tries again
            }
            return Optional.of("not writable: " + e);
        }
        return freeSpaceProblem(dir);
    }

    boolean isOffline(Path dir) {
        return offline.containsKey(dir);
    }

    Optional<String> reason(Path dir) {
        return Optional.ofNullable(offline.get(dir)).map(Offline::reason);
    }

    /** @return false if the dir already was offline (then nothing is logged) */
    synchronized boolean markOffline(Path dir, String reason, int partitions, long nowMs) {
        if (offline.containsKey(dir)) {
            return false;
        }
        offline.put(dir, new Offline(reason, nowMs, nowMs + recheckIntervalMs, 0));
        if (nextSummaryMs == Long.MIN_VALUE || nextSummaryMs < nowMs) {
            nextSummaryMs = nowMs + SUMMARY_INTERVAL_MS;
        }
        LOG.error("Log dir {} is offline ({} partitions): {}; checking it again every {} ms", dir, partitions, reason,
                recheckIntervalMs);
        return true;
    }

    synchronized boolean recheckDue(Path dir, long nowMs) {
        Offline o = offline.get(dir);
        return o != null && nowMs >= o.nextCheckMs();
    }

    /** A recheck found the dir still unusable: logged at INFO only when the reason changed. */
    synchronized void recheckFailed(Path dir, String reason, long nowMs) {
        Offline o = offline.get(dir);
        if (o == null) {
            return;
        }
        if (!o.reason().equals(reason)) {
            LOG.info("Log dir {} is still offline, now because: {}", dir, reason);
        } else {
            LOG.debug("Log dir {} is still offline: {}", dir, reason);
        }
        offline.put(dir, new Offline(reason, o.sinceMs(), nowMs + recheckIntervalMs, o.failedRechecks() + 1));
    }

    synchronized void markOnline(Path dir, int partitions, long nowMs) {
        Offline o = offline.remove(dir);
        if (o != null) {
            LOG.info("Log dir {} is back online after {} ms: {} partitions recovered", dir, nowMs - o.sinceMs(),
                    partitions);
        }
    }

    /** While some dir is offline, one summary line per {@link #SUMMARY_INTERVAL_MS}. */
    synchronized void maybeLogSummary(long nowMs) {
        if (offline.isEmpty() || nowMs < nextSummaryMs) {
            return;
        }
        nextSummaryMs = nowMs + SUMMARY_INTERVAL_MS;
        StringBuilder line = new StringBuilder();
        new TreeMap<>(offline).forEach((dir, o) -> line.append(line.isEmpty() ? "" : "; ").append(dir)
                .append(" for ").append((nowMs - o.sinceMs()) / 1000).append(" s (").append(o.failedRechecks())
                .append(" failed rechecks): ").append(o.reason()));
        LOG.warn("{} log dirs offline: {}", offline.size(), line);
    }
}
