package io.herald.storage.log;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes {@code .deleted} segment files after {@code file.delete.delay.ms}, so that a fetch
 * response still holding a {@link FileSlice} of the segment can finish sending it. Shared by all
 * logs; one daemon thread. The delay is wall-clock (the files are real); a process exit leaves the
 * files behind and the next {@link PartitionLog#open} removes them.
 */
final class SegmentDeleter {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentDeleter.class);
    private static final ScheduledExecutorService EXECUTOR = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "herald-segment-deleter");
        t.setDaemon(true);
        return t;
    });

    private SegmentDeleter() {
    }

    static void deleteLater(List<LogSegment> segments, long delayMs) {
        if (delayMs <= 0) {
            segments.forEach(SegmentDeleter::deleteNow);
        } else {
            EXECUTOR.schedule(() -> segments.forEach(SegmentDeleter::deleteNow), delayMs, TimeUnit.MILLISECONDS);
        }
    }

    private static void deleteNow(LogSegment segment) {
        try {
            segment.deleteFiles();
        } catch (IOException e) {
            LOG.warn("Failed to delete segment files of {}: {}", segment.logFile(), e.toString());
        }
    }
}
