package io.herald.broker.replica;

import io.herald.common.time.ManualTime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.image.PartitionImage;
import io.herald.storage.epoch.EpochEndOffset;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.PartitionLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's replication state machine with a manual clock and a fake controller link: HW over the ISR, ISR
 * shrink and expand, one AlterPartition in flight, stale answers, acks=all decisions, divergence detection.
 */
@Timeout(30)
class PartitionReplicationTest {
    private static final long LAG_MS = 10_000;
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    /** An AlterPartition sent by the partition, answered by the test. */
    private record Sent(int leaderEpoch, int partitionEpoch, List<Integer> isr, CompletableFuture<PartitionImage> answer) {}

    @TempDir
    Path dir;
    private final ManualTime time = new ManualTime();
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final List<TopicPartition> hwEvents = new CopyOnWriteArrayList<>();
    private final List<PartitionLog> logs = new ArrayList<>();
    /** Brokers the metadata shows fenced or unregistered; every other one is alive. */
    private final java.util.Set<Integer> fencedBrokers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Brokers the metadata shows with their replica of {@link #TP} offline (a failed log dir). */
    private final java.util.Set<Integer> offlineReplicas = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @AfterEach
    void closeLogs() {
        logs.forEach(PartitionLog::close);
    }

    private Partition partition(int localId, String name) throws Exception {
        PartitionLog log = PartitionLog.open(dir.resolve(name), TP, LogConfig.defaults(), io.herald.common.time.Time.SYSTEM, false);
        logs.add(log);
        AlterPartitionChannel channel = (broker, topicId, p, leaderEpoch, partitionEpoch, isr) -> {
            CompletableFuture<PartitionImage> f = new CompletableFuture<>();
            sent.add(new Sent(leaderEpoch, partitionEpoch, List.copyOf(isr), f));
            return f;
        };
        Partition.Context ctx = new Partition.Context(localId, time, new ReplicationConfig(LAG_MS, 1 << 20, 10 << 20,
                500, 1, 100, 1, 30_000), channel, Runnable::run, hwEvents::add,
                broker -> !fencedBrokers.contains(broker), tp -> { },
                (broker, topicId, partition) -> offlineReplicas.contains(broker));
        return new Partition(TP, TOPIC_ID, log, ctx);
    }

    private static MemoryRecords records(int n) {
        SimpleRecord[] r = new SimpleRecord[n];
        for (int i = 0; i < n; i++) {
            r[i] = new SimpleRecord(1000L + i, ("k" + i).getBytes(), ("v" + i).getBytes());
        }
        return MemoryRecords.withRecords(Compression.NONE, r);
    }

    private static PartitionImage image(int leader, int leaderEpoch, int partitionEpoch, List<Integer> isr) {
        return new PartitionImage(0, List.of(1, 2, 3), isr, leader, leaderEpoch, partitionEpoch);
    }

    @Test
    void highWatermarkIsTheSmallestLogEndOffsetOfTheIsrAndNeverMovesBack() throws Exception {
        Partition p = partition(1, "leader");
        assertThat(p.makeLeader(image(1, 0, 0, List.of(1, 2, 3)))).isTrue();
        p.appendRecordsToLeader(records(10), -1, 1);
        assertThat(p.highWatermark()).as("a new leader waits for its followers").isZero();

        p.updateFollowerFetchState(2, 10, 0);
        assertThat(p.highWatermark()).as("follower 3 has not reported").isZero();
        p.updateFollowerFetchState(3, 4, 0);
        assertThat(p.highWatermark()).isEqualTo(4);
        p.updateFollowerFetchState(3, 7, 0);
        assertThat(p.highWatermark()).isEqualTo(7);
        assertThat(hwEvents).contains(TP);

        // A follower that truncated and fetches from lower down does not pull the HW back.
        p.updateFollowerFetchState(3, 2, 0);
        assertThat(p.highWatermark()).isEqualTo(7);
        p.updateFollowerFetchState(3, 10, 0);
        assertThat(p.highWatermark()).isEqualTo(10);
    }

    @Test
    void laggingFollowerIsRemovedAfterTheLagTimeAndTheAnswerAppliesTheIsr() throws Exception {
        Partition p = partition(1, "leader");
        p.makeLeader(image(1, 3, 5, List.of(1, 2, 3)));
        p.appendRecordsToLeader(records(5), -1, 1);
        p.updateFollowerFetchState(2, 5, 0);
        p.updateFollowerFetchState(3, 2, 0);
        assertThat(p.highWatermark()).isEqualTo(2);

        time.advance(LAG_MS);
        p.maybeShrinkIsr();
        assertThat(sent).as("caught up within the lag time: still in sync").isEmpty();

        time.advance(1);
        p.updateFollowerFetchState(2, 5, 0); // follower 2 keeps up
        p.maybeShrinkIsr();
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).isr()).containsExactly(1, 2);
        assertThat(sent.get(0).leaderEpoch()).isEqualTo(3);
        assertThat(sent.get(0).partitionEpoch()).isEqualTo(5);
        assertThat(p.isr()).as("the shrink counts only once committed").containsExactly(1, 2, 3);
        assertThat(p.highWatermark()).isEqualTo(2);

        p.maybeShrinkIsr();
        assertThat(sent).as("one AlterPartition in flight").hasSize(1);

        sent.get(0).answer().complete(image(1, 3, 6, List.of(1, 2)));
        assertThat(p.isr()).containsExactly(1, 2);
        assertThat(p.partitionEpoch()).isEqualTo(6);
        assertThat(p.hasPendingIsrChange()).isFalse();
        assertThat(p.highWatermark()).as("follower 3 no longer holds the HW back").isEqualTo(5);
    }

    @Test
    void followerThatReachesTheHighWatermarkJoinsTheIsr() throws Exception {
        Partition p = partition(1, "leader");
        p.makeLeader(image(1, 1, 2, List.of(1, 2)));
        p.appendRecordsToLeader(records(6), -1, 1);
        p.updateFollowerFetchState(2, 6, 0);
        assertThat(p.highWatermark()).isEqualTo(6);

        p.updateFollowerFetchState(3, 3, 0);
        assertThat(sent).as("below the HW: not in sync yet").isEmpty();
        p.updateFollowerFetchState(3, 6, 0);
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).isr()).containsExactly(1, 2, 3);
        assertThat(p.maximalIsr()).as("an expansion counts at once for the HW").containsExactly(1, 2, 3);

        sent.get(0).answer().complete(image(1, 1, 3, List.of(1, 2, 3)));
        assertThat(p.isr()).containsExactly(1, 2, 3);
    }

    @Test
    void aFencedFollowerIsNotProposedForTheIsrEvenWhenCaughtUp() throws Exception {
        Partition p = partition(1, "leader");
        p.makeLeader(image(1, 1, 2, List.of(1, 2)));
        p.appendRecordsToLeader(records(6), -1, 1);
        p.updateFollowerFetchState(2, 6, 0);
        fencedBrokers.add(3); // stopped (controlled shutdown) right after its last fetch

        p.updateFollowerFetchState(3, 6, 0);
        assertThat(sent).as("the controller would refuse it as ineligible").isEmpty();
        fencedBrokers.remove(3);
        p.updateFollowerFetchState(3, 6, 0);
        assertThat(sent).singleElement().satisfies(s -> assertThat(s.isr()).containsExactly(1, 2, 3));
    }

    @Test
    void aFollowerWhoseReplicaIsOfflineIsNotProposedForTheIsrUntilItIsBack() throws Exception {
        Partition p = partition(1, "leader");
        p.makeLeader(image(1, 1, 2, List.of(1, 2)));
        p.appendRecordsToLeader(records(6), -1, 1);
        p.updateFollowerFetchState(2, 6, 0);
        offlineReplicas.add(3); // its log dir failed after its last fetch (KIP-858)

        p.updateFollowerFetchState(3, 6, 0);
        assertThat(sent).as("the controller would refuse it as ineligible").isEmpty();
        offlineReplicas.remove(3);
        p.updateFollowerFetchState(3, 6, 0);
        assertThat(sent).singleElement().satisfies(s -> assertThat(s.isr()).containsExactly(1, 2, 3));
    }

    @Test
    void staleOrRejectedAnswersAreDroppedAndNewerMetadataWins() throws Exception {
        Partition p = partition(1, "leader");
        p.makeLeader(image(1, 1, 2, List.of(1, 2)));
        p.appendRecordsToLeader(records(3), -1, 1);
        p.updateFollowerFetchState(3, 3, 0);
        assertThat(sent).hasSize(1);

        // The metadata image with a newer partition epoch arrives first: it wins and ends the pending change.
        p.makeLeader(image(1, 1, 3, List.of(1, 2, 3)));
        assertThat(p.hasPendingIsrChange()).isFalse();
        sent.get(0).answer().complete(image(1, 1, 3, List.of(1, 2, 3)));
        assertThat(p.isr()).containsExactly(1, 2, 3);
        assertThat(p.partitionEpoch()).isEqualTo(3);

        // A rejection for a stale version is dropped; the state waits for newer metadata.
        p.appendRecordsToLeader(records(2), -1, 1);
        time.advance(LAG_MS + 1);
        p.updateFollowerFetchState(2, 5, 0);
        p.maybeShrinkIsr();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).isr()).containsExactly(1, 2);
        sent.get(1).answer().completeExceptionally(new InvalidUpdateVersionException("stale"));
        assertThat(p.isr()).containsExactly(1, 2, 3);
        assertThat(p.hasPendingIsrChange()).isFalse();

        // An answer from an older leader epoch is ignored.
        p.maybeShrinkIsr();
        assertThat(sent).hasSize(3);
        p.makeLeader(image(1, 2, 4, List.of(1, 2, 3)));
        sent.get(2).answer().complete(image(1, 1, 4, List.of(1, 2)));
        assertThat(p.leaderEpoch()).isEqualTo(2);
        assertThat(p.isr()).containsExactly(1, 2, 3);
    }

    @Test
    void acksAllIsRefusedBelowMinInsyncAndReportsAShrinkWhileWaiting() throws Exception {
        Partition p = partition(1, "leader");
        p.makeLeader(image(1, 0, 0, List.of(1)));
        assertThatThrownBy(() -> p.appendRecordsToLeader(records(1), -1, 2))
                .isInstanceOf(NotEnoughReplicasException.class);
        assertThat(p.log().logEndOffset()).as("nothing appended").isZero();
        p.appendRecordsToLeader(records(1), 1, 2); // acks=1 ignores min.insync.replicas
        assertThat(p.log().logEndOffset()).isEqualTo(1);

        // min.insync.replicas above the replication factor is capped at it (Kafka's effective min ISR).
        Partition single = partition(1, "single");
        single.makeLeader(new PartitionImage(0, List.of(1), List.of(1), 1, 0, 0));
        single.appendRecordsToLeader(records(1), -1, 3);
        assertThat(single.checkEnoughReplicasReachOffset(1, 3)).contains(Errors.NONE);

        // ISR [1,2], min 2: appended, then the ISR shrinks to [1] while waiting.
        Partition q = partition(1, "q");
        q.makeLeader(image(1, 0, 0, List.of(1, 2)));
        q.appendRecordsToLeader(records(4), -1, 2);
        assertThat(q.checkEnoughReplicasReachOffset(4, 2)).isEmpty();
        time.advance(LAG_MS + 1);
        q.maybeShrinkIsr();
        assertThat(q.checkEnoughReplicasReachOffset(4, 2)).as("the shrink is not committed yet").isEmpty();
        sent.get(sent.size() - 1).answer().complete(image(1, 0, 1, List.of(1)));
        assertThat(q.highWatermark()).isEqualTo(4);
        assertThat(q.checkEnoughReplicasReachOffset(4, 2)).contains(Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
        assertThat(q.checkEnoughReplicasReachOffset(4, 1)).contains(Errors.NONE);
    }

    @Test
    void awaitHighWatermarkCompletesFailsOnResignAndTimesOut() throws Exception {
        Partition p = partition(1, "leader");
        p.makeLeader(image(1, 0, 0, List.of(1, 2)));
        p.appendRecordsToLeader(records(3), -1, 1);
        CompletableFuture<Void> reached = p.awaitHighWatermark(2, 20_000);
        CompletableFuture<Void> beyond = p.awaitHighWatermark(3, 20_000);
        CompletableFuture<Void> timesOut = p.awaitHighWatermark(3, 50);
        assertThat(p.awaitHighWatermark(0, 1)).isCompleted();
        p.updateFollowerFetchState(2, 2, 0);
        assertThat(reached).isCompleted();
        assertThat(beyond).isNotDone();
        assertThatThrownBy(() -> timesOut.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        p.makeFollower(image(2, 1, 1, List.of(1, 2)));
        assertThatThrownBy(() -> beyond.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(
                NotLeaderOrFollowerException.class);
        assertThat(p.checkEnoughReplicasReachOffset(3, 1)).contains(Errors.NOT_LEADER_OR_FOLLOWER);
    }

    @Test
    void followerFetchWithADivergentEpochGetsTheDivergingEpochAndTruncationConverges() throws Exception {
        // Leader: offsets 0-2 in epoch 0, then (after a failover it did not see) 3-6 in epoch 2.
        Partition leader = partition(1, "leader");
        leader.makeLeader(image(1, 0, 0, List.of(1, 2)));
        leader.appendRecordsToLeader(records(3), 1, 1);
        leader.makeLeader(image(1, 2, 1, List.of(1, 2)));
        leader.appendRecordsToLeader(records(4), 1, 1);

        // Follower: the same 0-2, then 3-5 written as a short-lived leader of epoch 1.
        Partition follower = partition(2, "follower");
        follower.log().appendAsFollower(readAll(leader.log(), 0, 3));
        follower.makeLeader(new PartitionImage(0, List.of(1, 2, 3), List.of(2), 2, 1, 0));
        follower.appendRecordsToLeader(records(3), 1, 1);
        follower.makeFollower(image(1, 2, 1, List.of(1, 2)));
        assertThat(follower.log().latestEpoch()).isEqualTo(1);

        Partition.FollowerFetch answer = leader.fetchForFollower(2, 6, 1, 2, 0, 1 << 20, true);
        assertThat(answer.divergingEpoch()).contains(new EpochEndOffset(0, 3));
        assertThat(answer.read().slice().size()).isZero();

        // The follower truncates to min(leader's end of epoch 0, its own end of epoch 0) and fetches again.
        EpochEndOffset local = follower.epochEndOffset(0);
        follower.truncateTo(Math.min(local.endOffset(), 3), 2);
        assertThat(follower.log().logEndOffset()).isEqualTo(3);
        Partition.FollowerFetch next = leader.fetchForFollower(2, 3, follower.log().latestEpoch(), 2, 0, 1 << 20,
                true);
        assertThat(next.divergingEpoch()).isEmpty();
        follower.appendAsFollower(readAll(leader.log(), 3, 7), 2);
        assertThat(follower.log().logEndOffset()).isEqualTo(7);
        assertThat(follower.log().epochEntries()).isEqualTo(leader.log().epochEntries());

        // An epoch older than the leader's whole history maps to its first epoch's start (Kafka's answer).
        assertThat(leader.epochEndOffset(-1)).isEqualTo(EpochEndOffset.UNDEFINED);
        assertThat(leader.epochEndOffset(5)).isEqualTo(new EpochEndOffset(2, 7));
    }

    @Test
    void followerRestartsItsLogAtTheLeadersStartOffsetAndKeepsTheLeadersOffsets() throws Exception {
        Partition leader = partition(1, "leader");
        leader.log().truncateFullyAndStartAt(100);
        leader.makeLeader(image(1, 4, 0, List.of(1, 2)));
        leader.appendRecordsToLeader(records(3), 1, 1);

        Partition follower = partition(2, "follower");
        follower.log().appendAsLeader(records(2), 0);
        follower.makeFollower(image(1, 4, 0, List.of(1, 2)));
        follower.truncateFullyAndStartAt(100, 4);
        assertThat(follower.log().logStartOffset()).isEqualTo(100);
        assertThat(follower.log().logEndOffset()).isEqualTo(100);
        assertThat(follower.log().epochEntries()).isEmpty();

        MemoryRecords fetched = readAll(leader.log(), 100, 103);
        follower.appendAsFollower(fetched, 4);
        assertThat(follower.log().logEndOffset()).isEqualTo(103);
        assertThat(follower.log().epochEntries()).isEqualTo(leader.log().epochEntries());
        assertThatThrownBy(() -> follower.appendAsFollower(readAll(leader.log(), 100, 103), 4))
                .as("offsets below the log end offset").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> follower.appendAsFollower(readAll(leader.log(), 100, 103), 3))
                .as("fenced: a fetch from an older epoch").isInstanceOf(NotLeaderOrFollowerException.class);
        follower.updateFollowerHighWatermark(500);
        assertThat(follower.highWatermark()).as("min(leader HW, own log end)").isEqualTo(103);
    }

    private static MemoryRecords readAll(PartitionLog log, long from, long to) throws Exception {
        var read = log.read(from, Integer.MAX_VALUE, to, true);
        var slice = read.slice();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(slice.size());
        long pos = slice.position();
        while (buf.hasRemaining()) {
            pos += slice.channel().read(buf, pos);
        }
        buf.flip();
        return MemoryRecords.readableRecords(buf);
    }
}
