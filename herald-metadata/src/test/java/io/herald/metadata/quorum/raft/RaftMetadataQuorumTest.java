package io.herald.metadata.quorum.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.metadata.quorum.MetadataQuorum;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A three-member metadata quorum on loopback, through {@link RaftMetadataQuorum}'s public API only. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RaftMetadataQuorumTest {
    @TempDir
    Path tmp;

    private QuorumCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void appendFromFollowerReturnsLeaderReplyAndEveryMemberAppliesTheSameEntriesInOrder() throws Exception {
        cluster = new QuorumCluster(3, tmp, RaftQuorumSettings.DEFAULTS).startAll();
        int leader = cluster.awaitLeader();
        int follower = cluster.anyFollower(leader);

        String reply = cluster.append(follower, "a");
        assertThat(reply).matches("a@\\d+ by " + leader);

        List<CompletableFuture<byte[]>> pending = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            int via = 1 + i % 3;
            String entry = "e" + i + "-via-" + via;
            pending.add(cluster.member(via).append(entry.getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < 30; i++) {
            // Each reply is the applying leader's (normally `leader`; another one if leadership moved meanwhile).
            assertThat(new String(pending.get(i).get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8))
                    .matches("e" + i + "-via-" + (1 + i % 3) + "@\\d+ by [123]");
        }
        leader = cluster.awaitLeader();
        cluster.awaitStates(cluster.machine(leader).state());
        List<String> state = cluster.machine(leader).state();
        assertThat(state).hasSize(31).startsWith("a");
        // Appends from one member keep their order (the Ratis client is ordered).
        for (int via = 1; via <= 3; via++) {
            String suffix = "-via-" + via;
            List<String> fromVia = state.stream().filter(s -> s.endsWith(suffix)).toList();
            List<String> sent = new ArrayList<>();
            for (int i = via - 1; i < 30; i += 3) {
                sent.add("e" + i + suffix);
            }
            assertThat(fromVia).isEqualTo(sent);
        }
        for (int id = 1; id <= 3; id++) {
            assertThat(cluster.machine(id).appliedIndexes).isEqualTo(cluster.machine(leader).appliedIndexes);
        }
        int finalLeader = leader;
        await().atMost(QuorumCluster.WAIT).untilAsserted(() -> {
            for (int id = 1; id <= 3; id++) {
                List<Boolean> changes = cluster.machine(id).leaderChanges;
                assertThat(!changes.isEmpty() && changes.getLast()).as("node %d believes it leads", id)
                        .isEqualTo(id == finalLeader);
            }
        });
    }

    @Test
    void askLeaderFromFollowerReachesOnlyTheLeader() throws Exception {
        cluster = new QuorumCluster(3, tmp, RaftQuorumSettings.DEFAULTS).startAll();
        int leader = cluster.awaitLeader();
        int follower = cluster.anyFollower(leader);

        byte[] answer = cluster.member(follower).askLeader("heartbeat".getBytes(StandardCharsets.UTF_8))
                .get(60, TimeUnit.SECONDS);

        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("node " + leader + " answers heartbeat");
        for (int id = 1; id <= 3; id++) {
            assertThat(cluster.machine(id).leaderRequests).as("requests seen by node %d", id)
                    .isEqualTo(id == leader ? List.of("heartbeat") : List.of());
        }
        // Not written to the log.
        assertThat(cluster.machine(leader).state()).isEmpty();
    }

    @Test
    void closedLeaderIsReplacedAndRestartedMemberCatchesUp() throws Exception {
        cluster = new QuorumCluster(3, tmp, RaftQuorumSettings.DEFAULTS).startAll();
        int oldLeader = cluster.awaitLeader();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            cluster.append(1 + i % 3, "before-" + i);
            expected.add("before-" + i);
        }
        cluster.awaitStates(expected);
        ToyMachine oldLeaderMachine = cluster.machine(oldLeader);

        cluster.stop(oldLeader);
        int newLeader = cluster.awaitLeader();
        assertThat(newLeader).isNotEqualTo(oldLeader);
        assertThat(oldLeaderMachine.leaderChanges).containsExactly(true, false);
        for (int id : cluster.runningIds()) {
            String reply = cluster.append(id, "after-" + id);
            assertThat(reply).endsWith(" by " + newLeader);
            expected.add("after-" + id);
        }
        cluster.awaitStates(expected);

        ToyMachine restarted = cluster.start(oldLeader);
        cluster.awaitStates(expected);
        assertThat(restarted.restoredAt).as("no snapshot was taken, so the log is replayed").isEmpty();
        cluster.append(oldLeader, "through-restarted");
        expected.add("through-restarted");
        cluster.awaitStates(expected);
    }

    @Test
    void restartedMemberRestoresItsSnapshotThenReplaysOnlyLaterEntries() throws Exception {
        RaftQuorumSettings settings = RaftQuorumSettings.DEFAULTS.withSnapshots(20, 1024);
        cluster = new QuorumCluster(3, tmp, settings).startAll();
        int leader = cluster.awaitLeader();
        int follower = cluster.anyFollower(leader);
        List<String> expected = appendMany(leader, "x", 100);
        cluster.awaitStates(expected);

        cluster.stop(follower);
        expected.addAll(appendMany(leader, "while-down", 5));
        ToyMachine restarted = cluster.start(follower);

        cluster.awaitStates(expected);
        assertThat(restarted.restoredAt).as("snapshot restored on start").hasSize(1);
        long snapshotIndex = restarted.restoredAt.getFirst();
        assertThat(snapshotIndex).isGreaterThanOrEqualTo(20);
        assertThat(restarted.appliedIndexes).as("only entries after the snapshot are applied")
                .isNotEmpty()
                .allSatisfy(index -> assertThat(index).isGreaterThan(snapshotIndex));
        assertThat(restarted.appliedIndexes.size()).isLessThan(expected.size());
    }

    @Test
    void wipedMemberCatchesUpFromTheLeadersSnapshot() throws Exception {
        RaftQuorumSettings settings = RaftQuorumSettings.DEFAULTS.withSnapshots(20, 1024);
        cluster = new QuorumCluster(3, tmp, settings).startAll();
        int leader = cluster.awaitLeader();
        int follower = cluster.anyFollower(leader);
        List<String> expected = appendMany(leader, "x", 100);
        cluster.awaitStates(expected);

        cluster.stop(follower);
        cluster.wipe(follower);
        expected.addAll(appendMany(leader, "while-wiped", 30));
        ToyMachine fresh = cluster.start(follower);

        cluster.awaitStates(expected);
        // The leader purged its log's beginning after snapshotting, so only InstallSnapshot can have done this.
        assertThat(fresh.restoredAt).as("snapshot installed by the leader").isNotEmpty();
        long installedAt = fresh.restoredAt.getLast();
        assertThat(fresh.appliedIndexes).allSatisfy(index -> assertThat(index).isGreaterThan(installedAt));
    }

    @Test
    void appendFailsWithNoLeaderWhenTwoOfThreeMembersAreDown() throws Exception {
        RaftQuorumSettings settings = RaftQuorumSettings.DEFAULTS.withNoLeaderTimeout(Duration.ofSeconds(3));
        cluster = new QuorumCluster(3, tmp, settings).startAll();
        int leader = cluster.awaitLeader();
        cluster.append(leader, "committed");
        int survivor = cluster.anyFollower(leader);
        for (int id : cluster.runningIds()) {
            if (id != survivor) {
                cluster.stop(id);
            }
        }

        CompletableFuture<byte[]> append = cluster.member(survivor).append("lost".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> append.get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(MetadataQuorum.NoLeaderException.class);
        CompletableFuture<byte[]> ask = cluster.member(survivor).askLeader("hb".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ask.get(60, TimeUnit.SECONDS))
                .cause().isInstanceOf(MetadataQuorum.NoLeaderException.class);
        assertThat(cluster.machine(survivor).state()).containsExactly("committed");
    }

    @Test
    void nodeOutsideTheVotersIsRejected() {
        Map<Integer, InetSocketAddress> voters =
                Map.of(1, new InetSocketAddress("127.0.0.1", QuorumCluster.freePort()));
        assertThatThrownBy(() -> new RaftMetadataQuorum(4, voters, tmp, RaftQuorumSettings.DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node 4 is not in controller.quorum.voters");
    }

    @Test
    void closedQuorumRefusesRequestsAndCloseIsIdempotent() throws Exception {
        cluster = new QuorumCluster(1, tmp, RaftQuorumSettings.DEFAULTS).startAll();
        MetadataQuorum member = cluster.member(1);
        cluster.stop(1);
        member.close();

        assertThat(member.leaderId()).isEmpty();
        assertThatThrownBy(() -> member.append(new byte[] {1}).get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> member.start(new ToyMachine(1))).isInstanceOf(IllegalStateException.class);
    }

    private List<String> appendMany(int via, String prefix, int count) throws Exception {
        return cluster.appendMany(via, prefix, count);
    }
}
