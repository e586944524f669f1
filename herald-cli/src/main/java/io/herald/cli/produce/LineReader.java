package io.herald.cli.produce;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Splits a byte stream into records at a delimiter byte (a newline by default), as bytes: the CLI does not decode
 * what it sends, so any encoding passes through unchanged. A trailing delimiter at the end of the input does not
 * make an empty last record (a text file's last line ends with one); an empty line in between is an empty record.
 *
 * <p>Not thread-safe: one produce loop reads it.
 */
final class LineReader {

    private final InputStream in;
    private final int delimiter;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private long bytesRead;
    private long lines;

    LineReader(InputStream in, byte delimiter) {
        this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 64 * 1024);
        this.delimiter = delimiter & 0xff;
    }

    /** The next record, or empty at the end of the input. */
    Optional<byte[]> next() throws IOException {
        line.reset();
        int b;
        boolean any = false;
        while ((b = in.read()) != -1) {
            bytesRead++;
            any = true;
            if (b == delimiter) {
                lines++;
                return Optional.of(line.toByteArray());
            }
            line.write(b);
        }
        if (!any) {
            return Optional.empty();
        }
        lines++;
        return Optional.of(line.toByteArray());
    }

    /** Bytes consumed so far, delimiters included: the progress through a file. */
    long bytesRead() {
        return bytesRead;
    }

    /** Records returned so far (1-based line number of the last one). */
    long lines() {
        return lines;
    }
}
