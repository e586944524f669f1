package io.herald.storage.epoch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.herald.storage.checkpoint.CheckpointWriter;

import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * The partition's leader epochs and the offset at which each began, persisted in
 * {@code leader-epoch-checkpoint} in Kafka's text format: a version line ({@code 0}), a count
 * line, then one {@code epoch startOffset} line per entry.
 *
 * <p>Invariants: epochs and start offsets are both strictly increasing. The file is rewritten
 * (temp file, fsync, atomic rename) on every change; changes are rare (once per leader election).
 *
 * <p>Thread-safety: {@code synchronized}; writers hold the partition lock too.
 */
public final class LeaderEpochCache {
    public static final String FILE_NAME = "leader-epoch-checkpoint";

    private final Path file;
    private final List<EpochEntry> entries = new ArrayList<>();

    public LeaderEpochCache(Path dir) throws IOException {
        this.file = dir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() >= 2 && lines.get(0).trim().equals("0")) {
                int n = Integer.parseInt(lines.get(1).trim());
                for (int i = 0; i < n && i + 2 < lines.size(); i++) {
                    String[] parts = lines.get(i + 2).trim().split("\\s+");
                    EpochEntry e = new EpochEntry(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
                    if (entries.isEmpty() || (e.epoch() > last().epoch() && e.startOffset() > last().startOffset())) {
                        entries.add(e);
                    }
                }
            }
        }
    }

    private EpochEntry last() {
        return entries.get(entries.size() - 1);
    }

    public synchronized List<EpochEntry> entries() {
        return List.copyOf(entries);
    }

    public synchronized int latestEpoch() {
        return entries.isEmpty() ? -1 : last().epoch();
    }

    /** Records that {@code epoch} starts at {@code startOffset} if it is newer than the latest epoch. */
    public synchronized void maybeAssign(int epoch, long startOffset) {
        if (epoch < 0 || (!entries.isEmpty() && epoch <= last().epoch())) {
            return;
        }
        // An epoch that wrote nothing before a newer one took over at the same offset is dropped.
        while (!entries.isEmpty() && last().startOffset() >= startOffset) {
            entries.remove(entries.size() - 1);
        }
        entries.add(new EpochEntry(epoch, startOffset));
        persist();
    }

    /** Drops entries starting at or after {@code endOffset} (log truncated to it). */
    public synchronized void truncateFromEnd(long endOffset) {
        boolean changed = entries.removeIf(e -> e.startOffset() >= endOffset);
        if (changed) {
            persist();
        }
    }

    /** Drops entries wholly below {@code startOffset}; the one covering it is clamped to it. */
    public synchronized void truncateFromStart(long startOffset) {
        int lastBelow = -1;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).startOffset() <= startOffset) {
                lastBelow = i;
            }
        }
        if (lastBelow < 0 || (lastBelow == 0 && entries.get(0).startOffset() == startOffset)) {
            return;
        }
        EpochEntry covering = entries.get(lastBelow);
        entries.subList(0, lastBelow + 1).clear();
        entries.add(0, new EpochEntry(covering.epoch(), startOffset));
        persist();
    }

    public synchronized void clear() {
        entries.clear();
        persist();
    }

    /**
     * End offset of {@code requested}: the start offset of the first epoch above it, or
     * {@code logEndOffset} when it is (or exceeds) the latest epoch. The answer's epoch is the
     * largest known epoch {@code <= requested}; {@code (-1, -1)} when there is none.
     */
    public synchronized EpochEndOffset endOffsetFor(int requested, long logEndOffset) {
        EpochEntry floor = null;
        for (EpochEntry e : entries) {
            if (e.epoch() <= requested) {
                floor = e;
            } else {
                return floor == null ? EpochEndOffset.UNDEFINED : new EpochEndOffset(floor.epoch(), e.startOffset());
            }
        }
        return floor == null ? EpochEndOffset.UNDEFINED : new EpochEndOffset(floor.epoch(), logEndOffset);
    }

    private void persist() {
        StringBuilder sb = new StringBuilder("0\n").append(entries.size()).append('\n');
        for (EpochEntry e : entries) {
            sb.append(e.epoch()).append(' ').append(e.startOffset()).append('\n');
        }
        try {
            CheckpointWriter.write(file, sb.toString());
        } catch (IOException e) {
            throw new KafkaStorageException("failed to write " + file, e);
        }
    }
}
