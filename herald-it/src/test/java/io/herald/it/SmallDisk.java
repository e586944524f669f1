package io.herald.it;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A small real filesystem (tmpfs) mounted on a test's directory, to fill up for real: {@code mount} needs root, so
 * {@link #mount} says whether it worked and tests skip otherwise.
 */
final class SmallDisk implements AutoCloseable {
    private final Path dir;

    private SmallDisk(Path dir) {
        this.dir = dir;
    }

    /** A tmpfs of {@code sizeMiB} on {@code dir} (created), or null when it cannot be mounted. */
    static SmallDisk mount(Path dir, int sizeMiB) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        return run("mount", "-t", "tmpfs", "-o", "size=" + sizeMiB + "m", "tmpfs", dir.toString())
                ? new SmallDisk(dir) : null;
    }

    /** Fills the disk with a junk file until {@code leftBytes} are usable; delete the file to free it. */
    Path fill(long leftBytes) throws IOException {
        Path junk = dir.resolve("junk.bin");
        long bytes = Files.getFileStore(dir).getUsableSpace() - leftBytes;
        byte[] chunk = new byte[1 << 20];
        Arrays.fill(chunk, (byte) 0x5a); // real bytes, not a sparse file: the free space really goes
        try (RandomAccessFile out = new RandomAccessFile(junk.toFile(), "rw")) {
            long left = bytes;
            while (left > 0) {
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                left -= n;
            }
        }
        return junk;
    }

    @Override
    public void close() throws InterruptedException {
        if (!run("umount", dir.toString())) {
            run("umount", "-l", dir.toString());
        }
    }

    private static boolean run(String... command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
