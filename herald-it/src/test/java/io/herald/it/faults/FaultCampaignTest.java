package io.herald.it.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.it.ClusterChecks;
import io.herald.it.ClusterHarness;
import io.herald.it.ClusterNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault campaign (issue 18): three Herald nodes, each in its own network namespace, under an idempotent
 * acks=all stream over 6 partitions (RF 3, min.insync.replicas 2) and a committing consumer group; one fault per
 * scenario, then {@link FaultChecker} on everything acknowledged, read back, committed and replicated.
 *
 * <p>Which scenarios run: kill -9 of a leader, SIGSTOP past the session timeout and garbage frames run in every
 * herald-it test run (about 5 minutes together with {@link FaultCheckerTest}); the rest only with
 * {@code -Dherald.faults=full} ({@code bin/faults}). The log-dir scenario depends on log-dir failure handling
 * that is not merged yet: it runs in the full campaign and, unless {@code -Dherald.faults.logdir=required}, an
 * unmet expectation skips it with what was measured instead of failing. Every scenario is skipped, with the
 * reason, where namespaces cannot be made (not root, no ip/iptables).
 *
 * <p>Each scenario gets a fresh cluster; every wait is bounded and everything is torn down in finally blocks.
 */
@Tag("cluster")
@Tag("faults")
@ExtendWith(CampaignResults.class)
class FaultCampaignTest {

    private static final boolean FULL = "full".equals(System.getProperty("herald.faults"));
    private static final boolean LOGDIR_REQUIRED = "required".equals(System.getProperty("herald.faults.logdir"));
    private static final Duration RECOVERY = Duration.ofSeconds(60);
    private static final int PROGRESS = 500;

    @TempDir
    Path workDir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void leaderKill9(TestInfo info) throws Exception {
        try (CampaignCluster world = CampaignCluster.start(workDir, net -> { })) {
            scenario(info, world, () -> {
                int leader = ClusterChecks.leader(world.cluster.admin(), CampaignCluster.TOPIC, 0, RECOVERY);
                world.workload.markFault();
                long killed = System.nanoTime();
                world.cluster.node(leader).kill9();
                long failoverMs = world.workload.awaitEveryPartitionAcksAfter(killed, RECOVERY, "after kill -9 of "
                        + leader);
                world.cluster.restart(leader, RECOVERY);
                return "kill -9 node " + leader + " (led p0); every partition acked again after " + failoverMs
                        + " ms";
            });
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void sigstopPastSessionTimeout(TestInfo info) throws Exception {
        try (CampaignCluster world = CampaignCluster.start(workDir, net -> { })) {
            scenario(info, world, () -> {
                int frozen = ClusterChecks.leader(world.cluster.admin(), CampaignCluster.TOPIC, 1, RECOVERY);
                world.workload.markFault();
                long paused = System.nanoTime();
                world.cluster.node(frozen).pause();
                long failoverMs;
                long stoppedMs;
                try {
                    failoverMs = world.workload.awaitEveryPartitionAcksAfter(paused, RECOVERY, "while node "
                            + frozen + " is stopped");
                    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - paused);
                    Thread.sleep(Math.max(0, CampaignCluster.SESSION_TIMEOUT_MS + 2_000 - elapsedMs));
                    world.workload.producer().awaitProgress(-1, PROGRESS, RECOVERY, "while node " + frozen
                            + " is stopped");
                    stoppedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - paused);
                } finally {
                    world.cluster.node(frozen).resume();
                }
                world.cluster.awaitAllBrokersVisible(RECOVERY);
                return "SIGSTOP node " + frozen + " (led p1) for " + stoppedMs + " ms (session timeout "
                        + CampaignCluster.SESSION_TIMEOUT_MS + " ms); every partition acked again after "
                        + failoverMs + " ms";
            });
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void garbageFrames(TestInfo info) throws Exception {
        try (CampaignCluster world = CampaignCluster.start(workDir, net -> { })) {
            scenario(info, world, () -> {
                world.workload.markFault();
                FrameAbuser abuser = new FrameAbuser(18L);
                Map<String, Map<FrameAbuser.Outcome, Integer>> outcomes = new TreeMap<>();
                for (int round = 0; round < 5; round++) {
                    for (ClusterNode node : world.cluster.nodes()) {
                        for (FrameAbuser.Abuse abuse : abuser.round(node.host(), node.clientPort())) {
                            outcomes.computeIfAbsent(abuse.kind(), k -> new TreeMap<>())
                                    .merge(abuse.outcome(), 1, Integer::sum);
                        }
                    }
                }
                String note = "5 rounds x 3 nodes under load: " + outcomes;
                world.workload.producer().awaitProgress(-1, PROGRESS, RECOVERY, "after the garbage frames");
                for (ClusterNode node : world.cluster.nodes()) {
                    assertThat(node.isAlive()).as("node %d survives garbage frames", node.id()).isTrue();
                    assertThat(node.probeBrokers(Duration.ofSeconds(5)))
                            .as("node %d still answers Metadata", node.id()).hasSize(3);
                }
                assertThat(outcomes.get("2 GiB size prefix")).as("a 2 GiB frame closes the connection: %s", note)
                        .containsOnlyKeys(FrameAbuser.Outcome.CLOSED);
                assertThat(outcomes.get("garbage header")).as("an unparseable header closes the connection: %s",
                        note).containsOnlyKeys(FrameAbuser.Outcome.CLOSED);
                return note;
            });
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void partitionLeaderIsolated(TestInfo info) throws Exception {
        assumeFull();
        try (CampaignCluster world = CampaignCluster.start(workDir, net -> { })) {
            scenario(info, world, () -> {
                int leader = ClusterChecks.leader(world.cluster.admin(), CampaignCluster.TOPIC, 0, RECOVERY);
                world.workload.markFault();
                long cut = System.nanoTime();
                world.net.isolate(leader);
                long failoverMs;
                try {
                    failoverMs = world.workload.awaitEveryPartitionAcksAfter(cut, RECOVERY, "while node " + leader
                            + " is isolated");
                    world.workload.producer().awaitProgress(-1, PROGRESS, RECOVERY, "while node " + leader
                            + " is isolated");
                } finally {
                    world.net.heal(leader);
                }
                world.cluster.awaitAllBrokersVisible(RECOVERY);
                return "node " + leader + " (led p0) cut off from its peers; every partition acked again after "
                        + failoverMs + " ms";
            });
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void quorumLeaderIsolated(TestInfo info) throws Exception {
        assumeFull();
        try (CampaignCluster world = CampaignCluster.start(workDir, net -> { })) {
            scenario(info, world, () -> {
                ClusterHarness cluster = world.cluster;
                int quorumLeader = cluster.quorumLeader(1, RECOVERY);
                world.workload.markFault();
                long cut = System.nanoTime();
                world.net.isolate(quorumLeader);
                long failoverMs;
                long metadataWriteMs;
                int newLeader;
                try {
                    int witness = quorumLeader == 1 ? 2 : 1;
                    newLeader = awaitQuorumLeaderOtherThan(cluster, witness, quorumLeader, RECOVERY);
                    failoverMs = world.workload.awaitEveryPartitionAcksAfter(cut, RECOVERY, "while the quorum "
                            + "leader " + quorumLeader + " is isolated");
                    metadataWriteMs = awaitTopicCreated(cluster, "after-quorum-cut", cut, RECOVERY);
                } finally {
                    world.net.heal(quorumLeader);
                }
                cluster.awaitAllBrokersVisible(RECOVERY);
                return "quorum leader " + quorumLeader + " cut off; node " + newLeader + " took over; every "
                        + "partition acked again after " + failoverMs + " ms; a topic could be created after "
                        + metadataWriteMs + " ms";
            });
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void lossAndDelayBetweenBrokers(TestInfo info) throws Exception {
        assumeFull();
        try (CampaignCluster world = CampaignCluster.start(workDir, net -> { })) {
            scenario(info, world, () -> {
                Map<Integer, String> delayed = new TreeMap<>();
                int before = world.workload.producer().acked();
                try {
                    world.workload.markFault();
                    for (int id = 1; id <= 3; id++) {
                        world.net.loseFromPeers(id, 0.2);
                        int node = id;
                        world.net.tryDelay(id, 30).ifPresent(how -> delayed.put(node, how));
                    }
                    long start = System.nanoTime();
                    while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
                        world.workload.producer().awaitProgress(-1, 1, RECOVERY, "under 20% loss between brokers");
                        Thread.sleep(1_000);
                    }
                } finally {
                    for (int id = 1; id <= 3; id++) {
                        world.net.heal(id);
                    }
                }
                return "20% loss between brokers for 20 s (" + (world.workload.producer().acked() - before)
                        + " acks meanwhile); " + (delayed.isEmpty()
                        ? "delay: skipped (no netem, no nfq-delay: bin/faults builds it with cc and libnetfilter-queue)"
                        : "30 ms delay of all they send to peers, on nodes " + delayed);
            });
        }
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void killAllNodesThenRestart(TestInfo info) throws Exception {
        assumeFull();
        try (CampaignCluster world = CampaignCluster.start(workDir, net -> { })) {
            scenario(info, world, () -> {
                world.workload.markFault();
                for (ClusterNode node : world.cluster.nodes()) {
                    node.kill9();
                }
                long killed = System.nanoTime();
                world.cluster.restartAll(Duration.ofSeconds(120));
                long restartMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                long failoverMs = world.workload.awaitEveryPartitionAcksAfter(killed, RECOVERY, "after restarting "
                        + "all (cluster back after " + restartMs + " ms)");
                return "kill -9 of all 3 nodes; cluster back in " + restartMs + " ms, every partition acked again "
                        + "after " + failoverMs + " ms";
            });
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void logDirFullThenFreed(TestInfo info) throws Exception {
        assumeFull();
        int victim = 3;
        List<String> unmet = new ArrayList<>();
        try (CampaignCluster world = CampaignCluster.start(workDir, net -> net.tmpfsDataDir(victim, 64))) {
            scenario(info, world, () -> logDirFullThenFreed(world, victim, unmet));
        } catch (AssertionError e) {
            if (unmet.isEmpty()) {
                throw e; // not one of the pending expectations: a real failure (e.g. the checker's)
            }
            failOrExpect("log-dir failure handling: " + unmet);
        }
    }

    /**
     * Fills node {@code victim}'s tmpfs log dir for 10 s (past replica.lag.time.max.ms), then frees it. Expected
     * once log-dir failure handling is in: every partition writable again within 5 s (via another leader), and
     * the node back in every ISR within 30 s of freeing, without a restart. Unmet expectations go to {@code unmet}.
     */
    private static String logDirFullThenFreed(CampaignCluster world, int victim, List<String> unmet)
            throws Exception {
        ClusterNode node = world.cluster.node(victim);
        long pid = node.pid();
        Path filler = node.dataDir().resolve("hf-filler");
        world.workload.markFault();
        long filled = System.nanoTime();
        long fillerBytes = fill(filler);
        String measured;
        try {
            try {
                long ms = world.workload.awaitEveryPartitionAcksAfter(filled, Duration.ofSeconds(5), "with node "
                        + victim + "'s log dir full");
                measured = "every partition acked " + ms + " ms after the fill";
            } catch (AssertionError e) {
                unmet.add("not every partition acked within 5 s of the fill");
                long ms = world.workload.awaitEveryPartitionAcksAfter(filled, RECOVERY, "with node " + victim
                        + "'s log dir full");
                measured = "every partition acked " + ms + " ms after the fill";
            }
            long leftMs = 10_000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - filled);
            Thread.sleep(Math.max(0, leftMs));
            world.workload.producer().awaitProgress(-1, PROGRESS, RECOVERY, "with node " + victim
                    + "'s log dir full for 10 s");
        } finally {
            Files.deleteIfExists(filler);
        }
        long freed = System.nanoTime();
        try {
            ClusterChecks.awaitFullIsr(world.cluster.admin(), CampaignCluster.TOPIC, Duration.ofSeconds(30));
            measured += "; full ISRs " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - freed)
                    + " ms after freeing";
        } catch (AssertionError e) {
            unmet.add("node " + victim + " not back in all ISRs within 30 s of freeing");
        }
        if (!node.isAlive() || node.pid() != pid) {
            unmet.add("node " + victim + " did not survive without a restart");
        }
        String note = "64 MiB tmpfs log dir on node " + victim + " filled (" + (fillerBytes >> 20)
                + " MiB filler) for 10 s, then freed; " + measured;
        if (!unmet.isEmpty()) {
            throw new AssertionError("unmet: " + unmet + "; " + note);
        }
        return note;
    }

    /** Writes zeros to {@code file} until its filesystem is full (bounded by 1 GiB); the bytes written. */
    private static long fill(Path file) throws IOException {
        byte[] chunk = new byte[1 << 20];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            while (written < (1L << 30)) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException full) {
            // ENOSPC: the point
        }
        return written;
    }

    private static void failOrExpect(String message) {
        if (LOGDIR_REQUIRED) {
            throw new AssertionError(message);
        }
        abort("expected until the log-dir failure handling merges (-Dherald.faults.logdir=required to enforce): "
                + message);
    }

    private static int awaitQuorumLeaderOtherThan(ClusterHarness cluster, int witness, int old, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int leader = cluster.quorumLeader(witness, Duration.ofSeconds(5));
            if (leader != old) {
                return leader;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("node " + witness + " named no quorum leader other than " + old + " within "
                + timeout.toSeconds() + " s");
    }

    /**
     * Creates a topic (1 partition, RF 1), retrying until the metadata quorum accepts the write; the time since
     * {@code since}. The new quorum leader must accept metadata writes while the old one is cut off.
     */
    private static long awaitTopicCreated(ClusterHarness cluster, String topic, long since, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not tried";
        while (System.nanoTime() < deadline) {
            try {
                cluster.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all()
                        .get(15, TimeUnit.SECONDS);
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
                }
                last = e.getCause().toString();
            } catch (TimeoutException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no metadata write (CreateTopics " + topic + ") accepted within "
                + timeout.toSeconds() + " s: " + last);
    }

    private static void assumeFull() {
        assumeTrue(FULL, "full fault campaign only: run bin/faults (or -Dherald.faults=full)");
    }

    /** A scenario's fault phase: injects the fault, waits for its effect; returns a note for the results row. */
    @FunctionalInterface
    private interface FaultPhase {
        String run() throws Exception;
    }

    /**
     * Warms the workload up, runs the fault phase, then finishes the workload and records the checker's row in
     * every case: a fault phase whose expectation fails (no acks within the bound, say) still gets its
     * acknowledged/lost/... numbers. Fails the test when the fault phase or the checker failed.
     */
    private static void scenario(TestInfo info, CampaignCluster world, FaultPhase phase) throws Exception {
        String scenario = info.getTestMethod().orElseThrow().getName();
        world.workload.producer().awaitProgress(-1, 3 * PROGRESS, RECOVERY, "the stream to start");
        world.workload.awaitGroupCommit(RECOVERY);
        String note;
        AssertionError phaseFailure = null;
        try {
            note = phase.run();
        } catch (AssertionError e) {
            phaseFailure = e;
            note = "fault phase failed: " + firstLine(e);
        }
        FaultWorkload.Outcome outcome = world.workload.finish();
        CampaignResults.measured(scenario, outcome, note);
        if (phaseFailure != null) {
            throw phaseFailure;
        }
        assertThat(outcome.passed()).as("%s: %s", scenario, outcome.summary()).isTrue();
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        return message.lines().findFirst().orElse(message);
    }
}
