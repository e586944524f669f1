package io.herald.metadata.quorum.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.quorum.QuorumDescription;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broker-only nodes: an {@link ObserverMetadataQuorum} beside three voters on loopback. It must see exactly the
 * committed entries, in order, start from the leader's snapshot when the log was purged, keep following across a
 * leader change, and reach the leader for appends and leader requests without voting.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ObserverMetadataQuorumTest {
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
    void observerAppliesTheCommittedEntriesInOrderAndAppendsThroughTheLeader() throws Exception {
        cluster = new QuorumCluster(3, tmp, RaftQuorumSettings.DEFAULTS).startAll();
        int leader = cluster.awaitLeader();
        List<String> expected = appendMany(leader, "before", 10);
        ToyMachine observer = cluster.startObserver(4);
        // start() returns once caught up: no waiting needed for what was committed before it.
        assertThat(observer.state()).isEqualTo(expected);

        String reply = cluster.append(4, "via-observer");
        expected.add("via-observer");
        assertThat(reply).matches("via-observer@\\d+ by " + leader);
        expected.addAll(appendMany(leader, "after", 10));
        cluster.awaitStates(expected);
        assertThat(observer.appliedIndexes).isEqualTo(cluster.machine(leader).appliedIndexes);

        byte[] answer = cluster.member(4).askLeader("ask".getBytes(StandardCharsets.UTF_8)).get(60, TimeUnit.SECONDS);
        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("node " + leader + " answers ask");
        assertThat(cluster.member(4).leaderId()).hasValue(leader);
        assertThat(observer.leaderChanges).as("an observer never leads").doesNotContain(true);
        assertThat(observer.restoredAt).as("the log was not purged, so no snapshot").isEmpty();

        // DescribeQuorum's view, asked through the observer and through a follower: the same leader's.
        for (int via : List.of(4, cluster.anyFollower(leader))) {
            QuorumDescription quorum = cluster.member(via).describe().get(60, TimeUnit.SECONDS);
            assertThat(quorum.leaderId()).isEqualTo(leader);
            assertThat(quorum.leaderEpoch()).isPositive();
            assertThat(quorum.highWatermark()).isGreaterThanOrEqualTo(observer.appliedIndexes.getLast());
            assertThat(quorum.voters()).extracting(QuorumDescription.Replica::nodeId).containsExactly(1, 2, 3);
            assertThat(quorum.observers()).singleElement().satisfies(o -> {
                assertThat(o.nodeId()).isEqualTo(4);
                assertThat(o.logEndOffset()).isGreaterThanOrEqualTo(observer.appliedIndexes.getLast());
                assertThat(o.lastFetchTimestamp()).isPositive();
            });
        }
    }

    @Test
    void observerStartedAfterThePurgeRestoresTheLeadersSnapshotThenAppliesOnlyLaterEntries() throws Exception {
        RaftQuorumSettings settings = RaftQuorumSettings.DEFAULTS.withSnapshots(20, 1024);
        cluster = new QuorumCluster(3, tmp, settings).startAll();
        int leader = cluster.awaitLeader();
        List<String> expected = appendMany(leader, "x", 100);
        cluster.awaitStates(expected);

        ToyMachine observer = cluster.startObserver(4);

        assertThat(observer.state()).isEqualTo(expected);
        assertThat(observer.restoredAt).as("the leader's snapshot").hasSize(1);
        long snapshotIndex = observer.restoredAt.getFirst();
        assertThat(snapshotIndex).isGreaterThanOrEqualTo(20);
        assertThat(observer.appliedIndexes).allSatisfy(index -> assertThat(index).isGreaterThan(snapshotIndex));
        expected.addAll(appendMany(leader, "y", 5));
        cluster.awaitStates(expected);
    }

    @Test
    void observerFollowsTheNewLeaderWhenTheLeaderStops() throws Exception {
        cluster = new QuorumCluster(3, tmp, RaftQuorumSettings.DEFAULTS).startAll();
        int oldLeader = cluster.awaitLeader();
        ToyMachine observer = cluster.startObserver(4);
        List<String> expected = appendMany(oldLeader, "before", 5);
        cluster.awaitStates(expected);

        cluster.stop(oldLeader);
        int newLeader = cluster.awaitLeader();
        assertThat(newLeader).isNotEqualTo(oldLeader).isNotEqualTo(4);
        assertThat(cluster.append(4, "through-new-leader")).endsWith(" by " + newLeader);
        expected.add("through-new-leader");
        expected.addAll(appendMany(newLeader, "after", 5));
        cluster.awaitStates(expected);
        assertThat(observer.violations).isEmpty();
    }

    @Test
    void aVoterCannotBeAnObserver() {
        Map<Integer, InetSocketAddress> voters =
                Map.of(1, new InetSocketAddress("127.0.0.1", QuorumCluster.freePort()));
        assertThatThrownBy(() -> new ObserverMetadataQuorum(1, voters, RaftQuorumSettings.DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node 1 is one of controller.quorum.voters");
    }

    private List<String> appendMany(int via, String prefix, int count) throws Exception {
        return cluster.appendMany(via, prefix, count);
    }
}
