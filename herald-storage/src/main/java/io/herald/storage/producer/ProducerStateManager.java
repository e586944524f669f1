package io.herald.storage.producer;

import io.herald.common.txn.VerificationGuard;
import io.herald.storage.txn.TransactionTracker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Producer state of one partition: an entry per producer id ({@link ProducerStateEntry}), the transactions not yet
 * stable ({@link TransactionTracker}), and their snapshots.
 *
 * <p>Changes come in two ways: an append stages its batches in a {@link ProducerAppend} (which applies the
 * idempotence and transaction rules for its {@link AppendOrigin}) and commits them after the bytes are written; a
 * load or truncation reads the latest snapshot and replays the log after it with origin
 * {@link AppendOrigin#RECOVERY}, so the same code builds the state live and on recovery.
 *
 * <p>Snapshot file {@code <20-digit offset>.snapshot}, in {@link ProducerSnapshot}'s format; a snapshot at offset
 * {@code o} holds the state after every batch below {@code o}. It holds the entries with their ongoing
 * transactions; completed transactions whose marker was not yet replicated are not kept (as in Kafka), so after a
 * reload they count as stable once the replay that follows the snapshot has passed them. The two newest snapshots
 * are kept.
 *
 * <p>Invariants: the tracker's ongoing transactions are exactly the entries' {@code currentTxnFirstOffset}s (after
 * every commit and load).
 *
 * <p>Thread-safety: mutations happen under the partition lock; {@link #entry}, {@link #entries} and
 * {@link #firstUnstableOffset} may be called from any thread (entries are immutable, the map is concurrent, the
 * first unstable offset volatile).
 */
public final class ProducerStateManager {
    public static final String SNAPSHOT_SUFFIX = ".snapshot";
    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateManager.class);
    private static final int SNAPSHOTS_TO_KEEP = 2;

    private final Path dir;
    private final Map<Long, ProducerStateEntry> producers = new ConcurrentHashMap<>();
    private final TransactionTracker transactions = new TransactionTracker();
    /** The verification guards handed out and not yet used or ended (KIP-890); in memory only, as in Kafka. */
    private final Map<Long, Verification> verifications = new ConcurrentHashMap<>();

    /** A guard and the producer epoch it was handed out for. */
    record Verification(VerificationGuard guard, short producerEpoch) {}

    public ProducerStateManager(Path dir) {
        this.dir = dir;
    }

    String name() {
        return String.valueOf(dir.getFileName());
    }

    public Optional<ProducerStateEntry> entry(long producerId) {
        return Optional.ofNullable(producers.get(producerId));
    }

    public Map<Long, ProducerStateEntry> entries() {
        return Collections.unmodifiableMap(producers);
    }

    /** Starts staging the producer batches of one append; nothing changes until {@link ProducerAppend#commit}. */
    public ProducerAppend begin(AppendOrigin origin) {
        return new ProducerAppend(this, origin, Optional.empty());
    }

    /**
     * Like {@link #begin(AppendOrigin)}, for an append that must present {@code verification} to start a
     * transaction ({@link ProducerAppend}); empty: no verification asked.
     */
    public ProducerAppend begin(AppendOrigin origin, Optional<VerificationGuard> verification) {
        return new ProducerAppend(this, origin, verification);
    }

    /**
     * The producer's verification guard for {@code producerEpoch} (under the partition lock): the one already handed
     * out, so produces in flight together share it (Kafka's verification state entry), unless that was for an older
     * epoch; else a new one.
     */
    public VerificationGuard startVerification(long producerId, short producerEpoch) {
        Verification current = verifications.get(producerId);
        if (current != null && current.producerEpoch() >= producerEpoch) {
            return current.guard();
        }
        VerificationGuard created = VerificationGuard.create(producerId);
        verifications.put(producerId, new Verification(created, producerEpoch));
        return created;
    }

    /** The producer's current verification, if one was handed out and is still valid. */
    Optional<Verification> verification(long producerId) {
        return Optional.ofNullable(verifications.get(producerId));
    }

    /** The producer's transaction started or ended: its guard is used up. */
    void endVerification(long producerId) {
        verifications.remove(producerId);
    }

    void putAll(Map<Long, ProducerStateEntry> entries) {
        producers.putAll(entries);
    }

    TransactionTracker tracker() {
        return transactions;
    }

    /** The smallest first offset of an ongoing or unreplicated transaction; not clamped to the log start. */
    public OptionalLong firstUnstableOffset() {
        return transactions.firstUnstableOffset();
    }

    /** The smallest first offset of an ongoing transaction. */
    public OptionalLong firstUndecidedOffset() {
        return transactions.firstUndecidedOffset();
    }

    public void onHighWatermarkUpdated(long highWatermark) {
        transactions.onHighWatermarkUpdated(highWatermark);
    }

    public void onLogStartOffsetIncremented(long logStartOffset) {
        transactions.onLogStartOffsetIncremented(logStartOffset);
    }

    public void clear() {
        producers.clear();
        transactions.clear();
        verifications.clear();
    }

    private void load(List<ProducerStateEntry> entries) {
        clear();
        for (ProducerStateEntry e : entries) {
            producers.put(e.producerId(), e);
            e.currentTxnFirstOffset().ifPresent(first -> transactions.start(e.producerId(), first));
        }
    }

    // ---- snapshots ----

    public static Path snapshotFile(Path dir, long offset) {
        return dir.resolve(String.format("%020d", offset) + SNAPSHOT_SUFFIX);
    }

    /** Writes the current state as of {@code offset} (write to temp, fsync, rename) and prunes old snapshots. */
    public void takeSnapshot(long offset) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(ProducerSnapshot.encode(producers.values()));
        Path target = snapshotFile(dir, offset);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        List<Long> offsets = snapshotOffsets();
        for (int i = 0; i < offsets.size() - SNAPSHOTS_TO_KEEP; i++) {
            Files.deleteIfExists(snapshotFile(dir, offsets.get(i)));
        }
    }

    /** Offsets of the snapshot files present, ascending. */
    public List<Long> snapshotOffsets() throws IOException {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SNAPSHOT_SUFFIX)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                try {
                    out.add(Long.parseLong(name.substring(0, name.length() - SNAPSHOT_SUFFIX.length())));
                } catch (NumberFormatException ignored) {
                    // not ours
                }
            }
        }
        Collections.sort(out);
        return out;
    }

    /** Deletes snapshots at offsets {@code > offset} (after truncation they describe a future that is gone). */
    public void deleteSnapshotsAfter(long offset) throws IOException {
        for (long o : snapshotOffsets()) {
            if (o > offset) {
                Files.deleteIfExists(snapshotFile(dir, o));
            }
        }
    }

    /**
     * Replaces the state by the newest valid snapshot in {@code [minOffset, maxOffset]}, deleting corrupt ones.
     *
     * @return the snapshot's offset, empty (and state cleared) when none is usable
     */
    public OptionalLong loadLatestSnapshot(long minOffset, long maxOffset) throws IOException {
        List<Long> offsets = snapshotOffsets();
        for (int i = offsets.size() - 1; i >= 0 && offsets.get(i) >= minOffset; i--) {
            long o = offsets.get(i);
            if (o > maxOffset) {
                continue;
            }
            Path file = snapshotFile(dir, o);
            try {
                load(ProducerSnapshot.decode(Files.readAllBytes(file)));
                return OptionalLong.of(o);
            } catch (CorruptRecordException | IOException e) {
                LOG.warn("{}: ignoring producer snapshot {}: {}", name(), file.getFileName(), e.getMessage());
                Files.deleteIfExists(file);
            }
        }
        clear();
        return OptionalLong.empty();
    }
}
