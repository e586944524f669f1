package io.herald.metadata.quorum.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.quorum.QuorumStateMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftSnapshotFileTest {
    @TempDir
    Path tmp;

    @Test
    void writtenSnapshotReadsBackWithItsIndex() throws IOException {
        Path file = tmp.resolve("snapshot.3_42");
        SnapshotFile.write(file, new QuorumStateMachine.Snapshot(new byte[] {1, 2, 3}, 40));

        QuorumStateMachine.Snapshot read = SnapshotFile.read(file);

        assertThat(read.bytes()).containsExactly(1, 2, 3);
        assertThat(read.lastIndex()).isEqualTo(40);
        assertThat(Files.list(tmp)).containsExactly(file);
    }

    @Test
    void emptyStateIsASnapshotToo() throws IOException {
        Path file = tmp.resolve("snapshot.1_1");
        SnapshotFile.write(file, new QuorumStateMachine.Snapshot(new byte[0], -1));
        assertThat(SnapshotFile.read(file).bytes()).isEmpty();
        assertThat(SnapshotFile.read(file).lastIndex()).isEqualTo(-1);
    }

    @Test
    void truncatedOrForeignFileIsRejectedWithItsName() throws IOException {
        Path file = tmp.resolve("snapshot.3_42");
        SnapshotFile.write(file, new QuorumStateMachine.Snapshot(new byte[] {1, 2, 3}, 40));
        byte[] bytes = Files.readAllBytes(file);

        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        assertThatThrownBy(() -> SnapshotFile.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("length 3");

        Files.write(file, "not a snapshot at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> SnapshotFile.read(file)).isInstanceOf(IOException.class).hasMessageContaining("magic");
    }
}
