package io.herald.storage.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;

/**
 * A per-log-dir checkpoint of one offset per partition, in Kafka's text format:
 * {@code 0} (version), the entry count, then {@code topic partition offset} lines.
 * Used for {@code recovery-point-offset-checkpoint}, {@code log-start-offset-checkpoint} and
 * {@code replication-offset-checkpoint}.
 *
 * <p>Reading tolerates a missing file (empty map) and treats a malformed one as empty: every
 * value in it is an optimisation or a lower bound that recovery can rebuild. Not thread-safe;
 * callers serialise writes per file.
 */
public final class OffsetCheckpointFile {
    public static final String RECOVERY_POINT = "recovery-point-offset-checkpoint";
    public static final String LOG_START_OFFSET = "log-start-offset-checkpoint";
    public static final String HIGH_WATERMARK = "replication-offset-checkpoint";

    private final Path file;

    public OffsetCheckpointFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void write(Map<TopicPartition, Long> offsets) throws IOException {
        StringBuilder sb = new StringBuilder("0\n").append(offsets.size()).append('\n');
        Map<String, Long> sorted = new TreeMap<>();
        offsets.forEach((tp, o) -> sorted.put(tp.topic() + ' ' + tp.partition(), o));
        sorted.forEach((k, o) -> sb.append(k).append(' ').append(o).append('\n'));
        CheckpointWriter.write(file, sb.toString());
    }

    public Map<TopicPartition, Long> read() {
        Map<TopicPartition, Long> out = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() < 2 || !lines.get(0).trim().equals("0")) {
                return out;
            }
            int n = Integer.parseInt(lines.get(1).trim());
            for (int i = 0; i < n && i + 2 < lines.size(); i++) {
                String[] parts = lines.get(i + 2).trim().split(" ");
                if (parts.length == 3) {
                    out.put(new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]));
                }
            }
        } catch (IOException | RuntimeException e) {
            out.clear();
        }
        return out;
    }
}
