package io.herald.metadata.log;

import io.herald.metadata.record.MetadataRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
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
 * A metadata log in one local file, for a single-node cluster.
 *
 * <p>Format: a sequence of frames {@code [int32 length][int32 crc32c of payload][payload]}; one frame holds
 * one appended batch ({@link MetadataRecordSerde}). Every append is fsynced before it returns, because a
 * created topic that a client was told about must not vanish after a power loss.
 *
 * <p>Recovery: frames are read until the first incomplete or corrupt one; the file is truncated there, so a
 * batch torn by a crash disappears as a whole (its request was never answered).
 *
 * <p>Thread-safety: {@link #append} is synchronized; callers serialize through the controller anyway.
 */
public final class FileMetadataLog implements MetadataLog {
    private static final Logger log = LoggerFactory.getLogger(FileMetadataLog.class);
    private static final int HEADER_BYTES = 8;

    private final Path file;
    private final FileChannel channel;

    public FileMetadataLog(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    @Override
    public synchronized List<MetadataRecord> readAll() throws IOException {
        List<MetadataRecord> records = new ArrayList<>();
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
            channel.read(payload, position + HEADER_BYTES);
            payload.flip();
            CRC32C checksum = new CRC32C();
            checksum.update(payload.duplicate());
            if ((int) checksum.getValue() != crc) {
                break;
            }
            records.addAll(MetadataRecordSerde.readBatch(
                    new DataInputStream(new ByteArrayInputStream(payload.array()))));
            position += HEADER_BYTES + length;
        }
        if (position < size) {
            log.warn("Metadata log {}: truncating {} bytes of an incomplete or corrupt batch at position {}",
                    file, size - position, position);
            channel.truncate(position);
            channel.force(true);
        }
        channel.position(position);
        return records;
    }

    @Override
    public synchronized void append(List<MetadataRecord> records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MetadataRecordSerde.writeBatch(records, new DataOutputStream(bytes));
        byte[] payload = bytes.toByteArray();
        CRC32C checksum = new CRC32C();
        checksum.update(payload);
        ByteBuffer frame = ByteBuffer.allocate(HEADER_BYTES + payload.length);
        frame.putInt(payload.length).putInt((int) checksum.getValue()).put(payload).flip();
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
