package io.herald.cli.produce;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LineReaderTest {

    private static List<String> lines(InputStream in) throws IOException {
        LineReader reader = new LineReader(in, (byte) '\n');
        List<String> out = new ArrayList<>();
        Optional<byte[]> line;
        while ((line = reader.next()).isPresent()) {
            out.add(new String(line.get(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static List<String> lines(String text) throws IOException {
        return lines(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aTrailingNewlineMakesNoEmptyLastRecordButEmptyLinesInBetweenAreRecords() throws IOException {
        assertThat(lines("a\nb\n")).containsExactly("a", "b");
        assertThat(lines("a\nb")).containsExactly("a", "b");
        assertThat(lines("a\n\nb\n")).containsExactly("a", "", "b");
        assertThat(lines("")).isEmpty();
        assertThat(lines("\n")).containsExactly("");
    }

    @Test
    void countsBytesAndLines() throws IOException {
        LineReader reader = new LineReader(new ByteArrayInputStream("héllo\nx".getBytes(StandardCharsets.UTF_8)),
                (byte) '\n');
        reader.next();
        assertThat(reader.bytesRead()).isEqualTo(7);
        reader.next();
        assertThat(reader.bytesRead()).isEqualTo(8);
        assertThat(reader.lines()).isEqualTo(2);
        assertThat(reader.next()).isEmpty();
    }

    @Test
    void matchesStringSplitOnInputArrivingInFragments() throws IOException {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            StringBuilder text = new StringBuilder();
            int n = random.nextInt(20);
            for (int i = 0; i < n; i++) {
                text.append("x".repeat(random.nextInt(5))).append('\n');
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            // A stream that returns at most a few bytes per read, as a pipe may.
            InputStream fragmented = new ByteArrayInputStream(bytes) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    return super.read(b, off, Math.min(len, 1 + random.nextInt(3)));
                }
            };
            List<String> expected = text.isEmpty() ? List.of()
                    : List.of(text.substring(0, text.length() - 1).split("\n", -1));
            assertThat(lines(fragmented)).as(text.toString()).isEqualTo(expected);
        }
    }
}
