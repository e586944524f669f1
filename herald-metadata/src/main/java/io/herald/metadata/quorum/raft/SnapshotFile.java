package io.herald.metadata.quorum.raft;

import io.herald.metadata.quorum.QuorumStateMachine;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * One state-machine snapshot on disk.
 *
 * <p>Format: {@code [int32 magic "HRSN"][int32 version = 1][int64 lastIndex][int32 length][length bytes]},
 * where {@code lastIndex} is what {@link QuorumStateMachine#snapshot()} reported and the bytes are its state.
 * Integrity is checked by the MD5 file Ratis keeps next to it ({@code <name>.md5}); the file name
 * ({@code snapshot.<term>_<index>}, Ratis' {@code SimpleStateMachineStorage} naming) carries the Raft log
 * position the snapshot covers, which may be past {@code lastIndex} when Raft's own entries (configuration,
 * a new leader's first entry) follow the last state-machine entry.
 *
 * <p>Thread-safety: stateless.
 */
final class SnapshotFile {
    private static final int MAGIC = 0x4852534E; // "HRSN"
    private static final int VERSION = 1;
    private static final int HEADER_BYTES = 4 + 4 + 8 + 4;

    private SnapshotFile() {}

    /** Writes {@code snapshot} to {@code file} atomically (temporary file, fsync, rename). */
    static void write(Path file, QuorumStateMachine.Snapshot snapshot) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(HEADER_BYTES + snapshot.bytes().length);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(snapshot.lastIndex());
            out.writeInt(snapshot.bytes().length);
            out.write(snapshot.bytes());
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer data = ByteBuffer.wrap(buffer.toByteArray());
            while (data.hasRemaining()) {
                channel.write(data);
            }
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads a snapshot written by {@link #write}; fails with an {@link IOException} naming the file if the
     *  content is not one. */
    static QuorumStateMachine.Snapshot read(Path file) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file));
        if (data.remaining() < HEADER_BYTES) {
            throw corrupt(file, "only " + data.remaining() + " bytes");
        }
        int magic = data.getInt();
        int version = data.getInt();
        long lastIndex = data.getLong();
        int length = data.getInt();
        if (magic != MAGIC) {
            throw corrupt(file, "magic 0x" + Integer.toHexString(magic) + " (expected: 0x"
                    + Integer.toHexString(MAGIC) + ")");
        }
        if (version != VERSION) {
            throw corrupt(file, "version " + version + " (expected: " + VERSION + ")");
        }
        if (length != data.remaining()) {
            throw corrupt(file, "length " + length + " but " + data.remaining() + " bytes follow the header");
        }
        byte[] bytes = new byte[length];
        data.get(bytes);
        return new QuorumStateMachine.Snapshot(bytes, lastIndex);
    }

    private static IOException corrupt(Path file, String detail) {
        return new IOException("Not a Herald metadata snapshot: " + file + ": " + detail);
    }
}
