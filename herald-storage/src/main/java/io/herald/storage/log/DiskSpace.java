package io.herald.storage.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much space a log dir's filesystem has left for this process. The log manager asks it to decide whether a
 * dir is below {@code herald.log.dir.min.free.bytes}; tests substitute a fake to simulate a full disk without
 * filling one.
 *
 * <p>Thread-safety: implementations must be thread-safe.
 */
@FunctionalInterface
public interface DiskSpace {

    /** The filesystem's own answer ({@link java.nio.file.FileStore#getUsableSpace()}). */
    DiskSpace FILE_STORE = dir -> Files.getFileStore(dir).getUsableSpace();

    /**
     * Bytes this process may still write below {@code dir}.
     *
     * @throws IOException the filesystem cannot be asked (the dir is then treated as failed)
     */
    long usableBytes(Path dir) throws IOException;
}
