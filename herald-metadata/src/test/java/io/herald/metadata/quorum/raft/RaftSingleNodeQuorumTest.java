package io.herald.metadata.quorum.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A quorum of one: {@code controller.quorum.voters} lists only this node (or is absent). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RaftSingleNodeQuorumTest {
    @TempDir
    Path tmp;

    @Test
    void singleVoterElectsItselfAndServesAppendsAcrossRestarts() throws Exception {
        Map<Integer, InetSocketAddress> voters =
                Map.of(7, new InetSocketAddress("127.0.0.1", QuorumCluster.freePort()));
        Path dir = tmp.resolve("raft");
        StringBuilder timings = new StringBuilder();
        for (int run = 0; run < 3; run++) {
            ToyMachine machine = new ToyMachine(7);
            long started = System.nanoTime();
            try (RaftMetadataQuorum quorum = new RaftMetadataQuorum(7, voters, dir, RaftQuorumSettings.DEFAULTS)) {
                quorum.start(machine);
                long startReturned = System.nanoTime();
                byte[] reply = quorum.append(("run-" + run).getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
                long firstAppend = System.nanoTime();
                timings.append(String.format("run %d (%s): start() %d ms, first append done %d ms after start()%n",
                        run, run == 0 ? "fresh dir" : "restart", (startReturned - started) / 1_000_000,
                        (firstAppend - started) / 1_000_000));

                assertThat(new String(reply, StandardCharsets.UTF_8)).startsWith("run-" + run + "@").endsWith(" by 7");
                assertThat(quorum.leaderId()).hasValue(7);
                assertThat(machine.leaderChanges).containsExactly(true);
                List<String> expected = IntStream.rangeClosed(0, run)
                        .mapToObj(i -> "run-" + i).toList();
                assertThat(machine.state()).isEqualTo(expected);
                assertThat(new String(quorum.askLeader("hb".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS),
                        StandardCharsets.UTF_8)).isEqualTo("node 7 answers hb");
            }
            assertThat(machine.leaderChanges).containsExactly(true, false);
            assertThat(machine.violations).isEmpty();
        }
        System.out.print("Single-node metadata quorum timings (start() call to first committed append):\n" + timings);
    }
}
