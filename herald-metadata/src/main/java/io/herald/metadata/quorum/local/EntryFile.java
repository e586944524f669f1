package io.herald.metadata.quorum.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A log of opaque entries in one local file.
 *
 * <p>Format: a sequence of frames {@code [int32 length][int32 crc32c of payload][payload]}, one per entry.
 * Every append is fsynced before it returns: an entry is applied (and its change acknowledged to a client)
 * only after that, so nothing acknowledged vanishes after a power loss.
 *
 * <p>Recovery ({@link #readAll}): frames are read until the first incomplete or corrupt one; the file is
 * truncated there, so an entry torn by a crash disappears as a whole (its request was never answered).
 *
 * <p>Thread-safety: synchronized; the quorum calls it from its apply thread anyway.
 */
final class EntryFile implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EntryFile.class);
    private static final int HEADER_BYTES = 8;

    private final Path file;
    private final FileChannel channel;

    EntryFile(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    /** Every complete entry in order; drops a torn or corrupt tail from the file. Call once, before appends. */
    synchronized List<byte[]> readAll() throws IOException {
        List<byte[]> entries = new ArrayList<>();
        long size = channel.size();
        long position = 0;
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        while (position + HEADER_BYTES <= size) {
            header.clear();
            channel.read(header, position);
            header.flip();
            int length = header.getInt();
            int crc = header.getInt();
            if (length < 0 || position + HEADER_BYTES + length > size) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            while (payload.hasRemaining() && channel.read(payload, position + HEADER_BYTES + payload.position()) > 0) {
                // read until full
            }
            CRC32C checksum = new CRC32C();
            checksum.update(payload.array(), 0, length);
            if ((int) checksum.getValue() != crc) {
                break;
            }
            entries.add(payload.array());
            position += HEADER_BYTES + length;
        }
        if (position < size) {
            log.warn("Metadata log {}: truncating {} bytes of an incomplete or corrupt entry at position {}",
                    file, size - position, position);
            channel.truncate(position);
            channel.force(true);
        }
        channel.position(position);
        return entries;
    }

    synchronized void append(byte[] entry) throws IOException {
        CRC32C checksum = new CRC32C();
        checksum.update(entry);
        ByteBuffer frame = ByteBuffer.allocate(HEADER_BYTES + entry.length);
        frame.putInt(entry.length).putInt((int) checksum.getValue()).put(entry).flip();
        while (frame.hasRemaining()) {
            channel.write(frame);
        }
        channel.force(false);
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
