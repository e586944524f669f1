package io.herald.broker.replica;

import io.herald.common.time.ManualTime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.purgatory.Purgatory;
import io.herald.common.timer.ManualTimer;
import io.herald.metadata.image.PartitionImage;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.PartitionLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DeleteRecords as Kafka answers it: the leader moves its log start offset at once, but a partition is answered
 * only when its low watermark (the smallest log start offset over the leader and its followers on live brokers)
 * reached the requested offset, with that low watermark; REQUEST_TIMED_OUT at the timeout,
 * NOT_LEADER_OR_FOLLOWER after a resignation. The partition's events are routed to a real purgatory, as the
 * replica manager routes them.
 */
@Timeout(30)
class DeleteRecordsLowWatermarkTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final long LONG_TIMEOUT_MS = 20_000;

    @TempDir
    Path dir;
    private final ManualTime time = new ManualTime();
    private final ManualTimer timer = new ManualTimer(new io.herald.common.time.ManualTime());
    private final Set<Integer> liveBrokers = ConcurrentHashMap.newKeySet();
    private final Purgatory<TopicPartition> purgatory = new Purgatory<>("delete-records-test", timer);
    private final List<PartitionLog> logs = new ArrayList<>();

    @AfterEach
    void close() {
        purgatory.close();
        logs.forEach(PartitionLog::close);
    }

    private Partition leaderOf(List<Integer> replicas) throws Exception {
        PartitionLog log = PartitionLog.open(dir.resolve("leader"), TP, LogConfig.defaults(), io.herald.common.time.Time.SYSTEM, false);
        logs.add(log);
        liveBrokers.addAll(replicas);
        Partition.Context ctx = new Partition.Context(1, time, new ReplicationConfig(10_000, 1 << 20, 10 << 20, 500,
                1, 100, 1, 30_000), (b, t, p, le, pe, isr) -> new CompletableFuture<>(), Runnable::run,
                purgatory::checkAndComplete, liveBrokers::contains, purgatory::checkAndComplete);
        Partition partition = new Partition(TP, Uuid.randomUuid(), log, ctx);
        partition.makeLeader(new PartitionImage(0, replicas, replicas, 1, 0, 0));
        SimpleRecord[] records = new SimpleRecord[10];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(1000L + i, ("k" + i).getBytes(), ("v" + i).getBytes());
        }
        partition.appendRecordsToLeader(MemoryRecords.withRecords(Compression.NONE, records), 1, 1);
        return partition;
    }

    /** Deletes on the leader and parks the answer, as the DeleteRecords handler does. */
    private CompletableFuture<DelayedDeleteRecords.Outcome> deleteRecords(Partition p, long offset, long timeoutMs) {
        Partition.DeleteRecordsResult deleted = p.deleteRecordsOnLeader(offset);
        CompletableFuture<DelayedDeleteRecords.Outcome> answer = new CompletableFuture<>();
        DelayedDeleteRecords delayed = new DelayedDeleteRecords(timeoutMs, List.of(new DelayedDeleteRecords.Waiting(
                p, deleted.requestedOffset(), deleted.lowWatermark())), outcomes -> answer.complete(outcomes.get(TP)));
        purgatory.tryCompleteElseWatch(delayed, delayed.keys());
        return answer;
    }

    @Test
    void answerWaitsUntilEveryFollowerReportsTheNewLogStartOffset() throws Exception {
        Partition p = leaderOf(List.of(1, 2, 3));
        assertThat(p.lowWatermarkIfLeader()).as("followers that have not fetched count as unknown").isEqualTo(-1);
        p.updateFollowerFetchState(2, 10, 0);
        p.updateFollowerFetchState(3, 10, 0);
        assertThat(p.highWatermark()).isEqualTo(10);

        CompletableFuture<DelayedDeleteRecords.Outcome> answer = deleteRecords(p, 6, LONG_TIMEOUT_MS);
        assertThat(p.log().logStartOffset()).as("the leader deletes at once").isEqualTo(6);
        assertThat(answer).as("the followers still hold the records").isNotDone();

        p.updateFollowerFetchState(2, 10, 6);
        assertThat(p.lowWatermarkIfLeader()).isZero();
        assertThat(answer).as("follower 3 still holds them").isNotDone();

        p.updateFollowerFetchState(3, 10, 6);
        assertThat(answer).isCompletedWithValue(new DelayedDeleteRecords.Outcome(Errors.NONE, 6));
    }

    @Test
    void singleReplicaAnswersAtOnceWithTheNewLogStartOffset() throws Exception {
        Partition p = leaderOf(List.of(1));
        assertThat(deleteRecords(p, 3, LONG_TIMEOUT_MS))
                .isCompletedWithValue(new DelayedDeleteRecords.Outcome(Errors.NONE, 3));
        assertThat(deleteRecords(p, -1, LONG_TIMEOUT_MS)).as("-1 deletes up to the high watermark")
                .isCompletedWithValue(new DelayedDeleteRecords.Outcome(Errors.NONE, 10));
        assertThat(p.log().logStartOffset()).isEqualTo(10);
        assertThat(purgatory.size()).as("nothing parked").isZero();
    }

    @Test
    void followerOnAFencedBrokerDoesNotHoldTheAnswerBack() throws Exception {
        Partition p = leaderOf(List.of(1, 2, 3));
        p.updateFollowerFetchState(2, 10, 0);
        p.updateFollowerFetchState(3, 10, 0);
        liveBrokers.remove(3);

        CompletableFuture<DelayedDeleteRecords.Outcome> answer = deleteRecords(p, 4, LONG_TIMEOUT_MS);
        assertThat(answer).isNotDone();
        p.updateFollowerFetchState(2, 10, 4);
        assertThat(answer).isCompletedWithValue(new DelayedDeleteRecords.Outcome(Errors.NONE, 4));
    }

    @Test
    void waitingPartitionTimesOutOrFailsWhenLeadershipMoves() throws Exception {
        Partition p = leaderOf(List.of(1, 2));
        p.updateFollowerFetchState(2, 10, 0);
        assertThatThrownBy(() -> p.deleteRecordsOnLeader(11)).as("above the high watermark")
                .isInstanceOf(OffsetOutOfRangeException.class);
        assertThatThrownBy(() -> p.deleteRecordsOnLeader(-2)).as("negative, and not -1 (the high watermark)")
                .isInstanceOf(OffsetOutOfRangeException.class);

        CompletableFuture<DelayedDeleteRecords.Outcome> timesOut = deleteRecords(p, 2, 50);
        timer.advance(49);
        assertThat(timesOut).as("not before its deadline").isNotDone();
        timer.advance(1);
        assertThat(timesOut.getNow(null)).as("the low watermark when it was parked")
                .isEqualTo(new DelayedDeleteRecords.Outcome(Errors.REQUEST_TIMED_OUT, 0));

        CompletableFuture<DelayedDeleteRecords.Outcome> resigned = deleteRecords(p, 5, LONG_TIMEOUT_MS);
        p.makeFollower(new PartitionImage(0, List.of(1, 2), List.of(1, 2), 2, 1, 1));
        assertThat(resigned).isCompletedWithValue(new DelayedDeleteRecords.Outcome(Errors.NOT_LEADER_OR_FOLLOWER,
                DelayedDeleteRecords.INVALID_LOW_WATERMARK));
        assertThatThrownBy(p::lowWatermarkIfLeader).isInstanceOf(NotLeaderOrFollowerException.class);
        assertThatThrownBy(() -> p.deleteRecordsOnLeader(6)).isInstanceOf(NotLeaderOrFollowerException.class);
        assertThat(p.log().logStartOffset()).as("the leader had deleted before it resigned").isEqualTo(5);
    }
}
