package io.herald.storage.producer;

import java.io.DataInputStream;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Idempotent-producer state of one partition, and its snapshots.
 *
 * <p>Validation rules for a batch with a producer id (see {@link Append#check}): an older epoch is
 * fenced; a newer epoch must start at sequence 0; within an epoch, a batch whose sequence range
 * equals one of the last five is a duplicate (the original offsets are returned, nothing is
 * appended), one that continues the last sequence (with int wraparound) is accepted, anything else
 * is out of order. An <em>unknown</em> producer id is accepted at any sequence: its state may have
 * been dropped because retention deleted every segment holding its batches (Kafka's
 * UNKNOWN_PRODUCER_ID case), and rejecting it would make that producer's next retry fail forever.
 *
 * <p>Snapshot file {@code <offset>.snapshot} (big-endian): {@code int magic 0x48505331 ("HPS1"),
 * int crc32c of everything after it, int entryCount}, then per entry {@code long producerId,
 * short epoch, int batchCount} and per batch {@code int firstSeq, int lastSeq, long firstOffset,
 * long lastOffset}. A snapshot at offset {@code o} holds the state after every batch below {@code o}.
 *
 * <p>Thread-safety: mutations happen under the partition lock; {@link #entry} may be called from
 * any thread (entries are immutable, the map is concurrent).
 */
public final class ProducerStateManager {
    public static final String SNAPSHOT_SUFFIX = ".snapshot";
    private static final int MAGIC = 0x48505331;
    private static final int SNAPSHOTS_TO_KEEP = 2;

    private final Path dir;
    private final Map<Long, ProducerStateEntry> producers = new ConcurrentHashMap<>();

    public ProducerStateManager(Path dir) {
        this.dir = dir;
    }

    public Optional<ProducerStateEntry> entry(long producerId) {
        return Optional.ofNullable(producers.get(producerId));
    }

    public Map<Long, ProducerStateEntry> entries() {
        return Collections.unmodifiableMap(producers);
    }

    /** Starts staging the producer batches of one append; nothing changes until {@link Append#commit}. */
    public Append begin() {
        return new Append();
    }

    /**
     * The staged producer updates of one append call. Checks see earlier batches of the same append.
     */
    public final class Append {
        private final Map<Long, ProducerStateEntry> staged = new HashMap<>();

        private Append() {
        }

        private Optional<ProducerStateEntry> current(long producerId) {
            ProducerStateEntry e = staged.get(producerId);
            return e != null ? Optional.of(e) : entry(producerId);
        }

        /**
         * Checks the sequences of an append's producer batches ({@link #check}); the original of the first
         * duplicate, if one is a retry.
         */
        public Optional<BatchMetadata> firstDuplicate(List<? extends RecordBatch> batches) {
            for (RecordBatch b : batches) {
                if (b.hasProducerId()) {
                    Optional<BatchMetadata> dup = check(b.producerId(), b.producerEpoch(), b.baseSequence(),
                        b.lastSequence());
                    if (dup.isPresent()) {
                        return dup;
                    }
                }
            }
            return Optional.empty();
        }

        /**
         * Validates one batch's sequence.
         *
         * @return the original batch when this one is a duplicate
         * @throws InvalidProducerEpochException when the epoch is older than the known one
         * @throws OutOfOrderSequenceException   when the sequence neither continues nor repeats
         */
        public Optional<BatchMetadata> check(long producerId, short epoch, int firstSeq, int lastSeq) {
            Optional<ProducerStateEntry> known = current(producerId);
            if (known.isEmpty()) {
                return Optional.empty();
            }
            ProducerStateEntry e = known.get();
            if (epoch < e.producerEpoch()) {
                throw new InvalidProducerEpochException("producer " + producerId + " epoch " + epoch
                    + " is older than current epoch " + e.producerEpoch());
            }
            if (epoch > e.producerEpoch()) {
                if (firstSeq != 0) {
                    throw new OutOfOrderSequenceException("producer " + producerId + " new epoch " + epoch
                        + " must start at sequence 0, got " + firstSeq);
                }
                return Optional.empty();
            }
            Optional<BatchMetadata> dup = e.findDuplicate(firstSeq, lastSeq);
            if (dup.isPresent()) {
                return dup;
            }
            Optional<BatchMetadata> last = e.lastBatch();
            if (last.isPresent() && firstSeq != DefaultRecordBatch.incrementSequence(last.get().lastSeq(), 1)) {
                throw new OutOfOrderSequenceException("producer " + producerId + " epoch " + epoch + ": sequence "
                    + firstSeq + " (expected: " + DefaultRecordBatch.incrementSequence(last.get().lastSeq(), 1) + ")");
            }
            return Optional.empty();
        }

        /** Stages an accepted batch with its assigned offsets. */
        public void stage(long producerId, short epoch, BatchMetadata batch) {
            ProducerStateEntry base = current(producerId).orElse(new ProducerStateEntry(producerId, epoch, List.of()));
            staged.put(producerId, base.withBatch(epoch, batch));
        }

        public void commit() {
            producers.putAll(staged);
        }
    }

    /** Applies a batch read back from the log (recovery replay); no validation. */
    public void replay(long producerId, short epoch, BatchMetadata batch) {
        ProducerStateEntry base = producers.getOrDefault(producerId, new ProducerStateEntry(producerId, epoch, List.of()));
        if (epoch >= base.producerEpoch()) {
            producers.put(producerId, base.withBatch(epoch, batch));
        }
    }

    public void clear() {
        producers.clear();
    }

    /** Forgets batches at or after {@code offset}; producers left with no batch are forgotten. */
    public void truncateFrom(long offset) {
        for (ProducerStateEntry e : List.copyOf(producers.values())) {
            List<BatchMetadata> kept = e.batches().stream().filter(b -> b.lastOffset() < offset).toList();
            if (kept.isEmpty()) {
                producers.remove(e.producerId());
            } else if (kept.size() != e.batches().size()) {
                producers.put(e.producerId(), new ProducerStateEntry(e.producerId(), e.producerEpoch(), kept));
            }
        }
    }

    // ---- snapshots ----

    public static Path snapshotFile(Path dir, long offset) {
        return dir.resolve(String.format("%020d", offset) + SNAPSHOT_SUFFIX);
    }

    /** Writes the current state as of {@code offset} (write to temp, fsync, rename) and prunes old snapshots. */
    public void takeSnapshot(long offset) throws IOException {
        List<ProducerStateEntry> all = new ArrayList<>(producers.values());
        int size = 4;
        for (ProducerStateEntry e : all) {
            size += 14 + e.batches().size() * 24;
        }
        ByteBuffer body = ByteBuffer.allocate(size);
        body.putInt(all.size());
        for (ProducerStateEntry e : all) {
            body.putLong(e.producerId()).putShort(e.producerEpoch()).putInt(e.batches().size());
            for (BatchMetadata b : e.batches()) {
                body.putInt(b.firstSeq()).putInt(b.lastSeq()).putLong(b.firstOffset()).putLong(b.lastOffset());
            }
        }
        body.flip();
        CRC32C crc = new CRC32C();
        crc.update(body.duplicate());
        ByteBuffer header = ByteBuffer.allocate(8).putInt(MAGIC).putInt((int) crc.getValue()).flip();
        Path target = snapshotFile(dir, offset);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            while (header.hasRemaining()) {
                ch.write(header);
            }
            while (body.hasRemaining()) {
                ch.write(body);
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
     * Loads the newest valid snapshot at or below {@code maxOffset}, deleting corrupt ones.
     *
     * @return the snapshot's offset, empty (and state cleared) when none is usable
     */
    public OptionalLong loadLatestSnapshot(long maxOffset) throws IOException {
        List<Long> offsets = snapshotOffsets();
        for (int i = offsets.size() - 1; i >= 0; i--) {
            long o = offsets.get(i);
            if (o > maxOffset) {
                continue;
            }
            try {
                Map<Long, ProducerStateEntry> loaded = read(snapshotFile(dir, o));
                producers.clear();
                producers.putAll(loaded);
                return OptionalLong.of(o);
            } catch (CorruptRecordException | IOException e) {
                Files.deleteIfExists(snapshotFile(dir, o));
            }
        }
        producers.clear();
        return OptionalLong.empty();
    }

    private static Map<Long, ProducerStateEntry> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 12) {
            throw new CorruptRecordException("snapshot " + file + " too short: " + bytes.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (buf.getInt() != MAGIC) {
            throw new CorruptRecordException("snapshot " + file + " has a bad magic");
        }
        int expected = buf.getInt();
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate());
        if ((int) crc.getValue() != expected) {
            throw new CorruptRecordException("snapshot " + file + " has a bad CRC");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, 8, bytes.length - 8))) {
            int n = in.readInt();
            Map<Long, ProducerStateEntry> out = new HashMap<>();
            for (int i = 0; i < n; i++) {
                long pid = in.readLong();
                short epoch = in.readShort();
                int nb = in.readInt();
                List<BatchMetadata> batches = new ArrayList<>(nb);
                for (int j = 0; j < nb; j++) {
                    batches.add(new BatchMetadata(in.readInt(), in.readInt(), in.readLong(), in.readLong()));
                }
                out.put(pid, new ProducerStateEntry(pid, epoch, batches));
            }
            return out;
        }
    }
}
