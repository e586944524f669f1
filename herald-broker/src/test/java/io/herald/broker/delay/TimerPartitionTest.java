package io.herald.broker.delay;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.broker.delay.DelaySplit.DelayedRecord;
import io.herald.broker.partition.LeaderLog;
import io.herald.common.time.ManualTime;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release protocol of one timer partition against in-memory logs: due records reach their target once, in
 * due order, whatever write fails and whichever leader (a new instance over the same logs) carries on.
 */
class TimerPartitionTest {
    private static final TopicPartition TIMER = new TopicPartition(DelayedDelivery.TOPIC, 3);
    private static final TopicPartition TARGET = new TopicPartition("orders", 0);

    private final ManualTime time = new ManualTime(1_000_000L);
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    private final MemoryLog timerLog = new MemoryLog();
    private final MemoryLog target = new MemoryLog();
    private final List<TimerPartition> leaders = new ArrayList<>();
    private final AtomicLong producerIds = new AtomicLong(1000);
    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        leaders.forEach(TimerPartition::close);
        loop.shutdownNow();
    }

    private TimerPartition leader() {
        return leader(target);
    }

    private TimerPartition leader(MemoryLog targetLog) {
        return leader(tp -> Optional.of(targetLog));
    }

    private TimerPartition leader(TimerPartition.Targets targets) {
        TimerPartition p = new TimerPartition(TIMER, timerLog, targets, producerIds::incrementAndGet, loop, time,
                dir.resolve("index-" + leaders.size()));
        leaders.add(p);
        return p;
    }

    /** Writes one produced batch's delayed records (values with their due times) as the produce path does. */
    private void schedule(long producerId, int baseSequence, Object... valueAndDue) {
        scheduleAt(-1, producerId, baseSequence, valueAndDue);
    }

    /** As {@link #schedule}, for a transactional batch whose kept part is at {@code transactionOffset} in the target. */
    private void scheduleAt(long transactionOffset, long producerId, int baseSequence, Object... valueAndDue) {
        List<DelayedRecord> delayed = new ArrayList<>();
        for (int i = 0; i < valueAndDue.length; i += 2) {
            delayed.add(new DelayedRecord(producerId < 0 ? -1 : baseSequence + i / 2, (Long) valueAndDue[i + 1],
                    time.milliseconds(), null, ByteBuffer.wrap(((String) valueAndDue[i]).getBytes(StandardCharsets.UTF_8)),
                    new Header[0]));
        }
        timerLog.append(TIMER, TimerRecord.scheduleBatch(TARGET, new DelaySplit.Split(null, producerId, (short) 0,
                transactionOffset >= 0, delayed, List.of()), time.milliseconds(), transactionOffset)).join();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Pokes and waits until a cycle that started after the poke has finished, and the loop is idle. */
    private static void runCycle(TimerPartition p) throws InterruptedException {
        long before = p.cycles();
        p.poke();
        await(() -> p.cycles() > before, "a release cycle");
    }

    private List<String> targetValues() {
        List<String> out = new ArrayList<>();
        for (Record r : target.records()) {
            byte[] b = new byte[r.value().remaining()];
            r.value().get(b);
            out.add(new String(b, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void releasesDueRecordsInDueOrderAndNothingEarly() throws Exception {
        long now = time.milliseconds();
        schedule(-1, 0, "late", now + 200, "first", now + 100, "second", now + 100);
        TimerPartition p = leader();
        runCycle(p);
        assertThat(target.records()).isEmpty();
        assertThat(p.pendingByTopic()).containsEntry("orders", 3);

        time.advance(150);
        runCycle(p);
        await(() -> target.records().size() == 2, "two released");
        assertThat(targetValues()).containsExactly("first", "second");
        time.advance(100);
        runCycle(p);
        await(() -> target.records().size() == 3, "three released");
        assertThat(targetValues()).containsExactly("first", "second", "late");
        Record released = target.records().get(0);
        assertThat(released.timestamp()).isEqualTo(now + 100);
        assertThat(new String(released.headers()[0].value(), StandardCharsets.UTF_8)).isEqualTo("3:1");
        await(() -> p.pendingByTopic().isEmpty(), "nothing pending");
    }

    @Test
    void aTransactionalRecordWaitsForItsCommitAndAnAbortedOneIsDropped() throws Exception {
        long now = time.milliseconds();
        scheduleAt(40, 7, 0, "committed", now + 50);
        scheduleAt(60, 8, 0, "aborted", now + 50);
        schedule(-1, 0, "plain", now + 100);
        TimerPartition p = leader();
        time.advance(200);
        runCycle(p);
        await(() -> target.records().size() == 1, "the record outside any transaction");
        assertThat(targetValues()).containsExactly("plain");
        await(() -> p.pendingByTopic().getOrDefault("orders", 0) == 2, "both transactions still open");

        target.transaction(40, LeaderLog.TransactionOutcome.COMMITTED);
        target.transaction(60, LeaderLog.TransactionOutcome.ABORTED);
        time.advance(TimerPartition.TXN_RECHECK_MS);
        runCycle(p);
        await(() -> p.pendingByTopic().isEmpty(), "both decided");
        runCycle(p);
        assertThat(targetValues()).containsExactly("plain", "committed");
        assertThat(target.records().get(1).timestamp()).as("stamped with its due time").isEqualTo(now + 50);

        // A new leader over the same logs releases nothing again: the abort is in the timer log as released.
        TimerPartition next = leader();
        runCycle(next);
        runCycle(next);
        assertThat(targetValues()).containsExactly("plain", "committed");
        assertThat(next.pendingByTopic()).isEmpty();
    }

    @Test
    void theLogStartMovesPastWhatIsReleasedAndOldAndANewLeaderReleasesNothingTwice() throws Exception {
        long now = time.milliseconds();
        schedule(-1, 0, "a", now);
        schedule(-1, 0, "far", now + 10 * 3_600_000L);
        TimerPartition p = leader();
        runCycle(p);
        await(() -> target.records().size() == 1, "a released");
        runCycle(p);
        assertThat(timerLog.logStartOffset()).as("released, but not old enough").isZero();

        time.advance(TimerState.SCHEDULES_KEPT_MS + 2 * TimerPartition.TRIM_INTERVAL_MS);
        runCycle(p);
        await(() -> timerLog.logStartOffset() == 1, "the log start moved up to the pending record");

        p.close();
        TimerPartition next = leader();
        runCycle(next);
        runCycle(next);
        assertThat(targetValues()).containsExactly("a");
        assertThat(next.pendingByTopic()).containsEntry("orders", 1);
        time.advance(10 * 3_600_000L);
        runCycle(next);
        await(() -> target.records().size() == 2, "far released");
        assertThat(targetValues()).containsExactly("a", "far");
    }

    @Test
    void aRecordPendingForLongIsWrittenForwardSoThatTheLogStartCanPassIt() throws Exception {
        long now = time.milliseconds();
        schedule(-1, 0, "year", now + 365 * 86_400_000L);
        for (int i = 0; i < 2 * TimerPartition.MIN_FREED_PER_MOVE; i++) {
            schedule(-1, 0, "now-" + i, now);
        }
        TimerPartition p = leader();
        runCycle(p);
        await(() -> target.records().size() == 2 * TimerPartition.MIN_FREED_PER_MOVE, "the others released");
        long end = timerLog.endOffset();

        time.advance(TimerState.SCHEDULES_KEPT_MS + 2 * TimerPartition.TRIM_INTERVAL_MS);
        runCycle(p); // moves "year" to the log end; the log start stays at it for this round
        await(() -> timerLog.endOffset() > end, "the long-pending record written forward");
        time.advance(TimerPartition.TRIM_INTERVAL_MS);
        runCycle(p);
        runCycle(p);
        assertThat(timerLog.logStartOffset()).as("past the original").isGreaterThan(0);
        assertThat(p.pendingByTopic()).as("counted once while moved").containsEntry("orders", 1);

        p.close();
        TimerPartition next = leader();
        runCycle(next);
        runCycle(next);
        assertThat(next.pendingByTopic()).as("pending once").containsEntry("orders", 1);
        time.advance(365 * 86_400_000L);
        runCycle(next);
        await(() -> target.records().size() == 2 * TimerPartition.MIN_FREED_PER_MOVE + 1, "the year is over");
        runCycle(next);
        assertThat(targetValues()).filteredOn("year"::equals).hasSize(1);
    }

    @Test
    void aRetriedScheduleOfTheSameProducerBatchIsReleasedOnce() throws Exception {
        long now = time.milliseconds();
        schedule(42, 10, "a", now, "b", now);
        schedule(42, 10, "a", now, "b", now); // the producer's retry of the same batch
        schedule(42, 12, "c", now);
        schedule(-1, 0, "d", now); // without idempotence every write counts
        schedule(-1, 0, "d", now);
        TimerPartition p = leader();
        runCycle(p);
        await(() -> target.records().size() >= 5, "released");
        runCycle(p);
        assertThat(targetValues()).containsExactly("a", "b", "c", "d", "d");
    }

    @Test
    void aTargetAppendInDoubtThatLandedIsNotRepeated() throws Exception {
        schedule(-1, 0, "x", time.milliseconds(), "y", time.milliseconds());
        target.failNext(MemoryLog.Next.FAIL_AFTER, r -> true);
        TimerPartition p = leader();
        runCycle(p);
        await(() -> p.pendingByTopic().isEmpty(), "the doubt resolved");
        assertThat(targetValues()).containsExactly("x", "y");
        // A new leader over the same logs finds nothing to do either.
        p.close();
        TimerPartition next = leader();
        runCycle(next);
        runCycle(next);
        assertThat(targetValues()).containsExactly("x", "y");
        assertThat(next.pendingByTopic()).isEmpty();
    }

    @Test
    void aTargetAppendThatNeverLandedIsReleasedAgain() throws Exception {
        schedule(-1, 0, "x", time.milliseconds());
        target.failNext(MemoryLog.Next.FAIL_BEFORE, r -> true);
        TimerPartition p = leader();
        runCycle(p);
        await(() -> target.records().size() == 1, "released after the refusal");
        assertThat(targetValues()).containsExactly("x");
        await(() -> p.pendingByTopic().isEmpty(), "nothing pending");
        // The refused batch's producer id is retired: its sequences are never used for the records sent next.
        assertThat(target.batchProducerIds()).containsExactly(1002L);
    }

    @Test
    void aLeaderThatDiedBetweenIntentAndOutcomeIsFinishedByTheNext() throws Exception {
        long now = time.milliseconds();
        schedule(-1, 0, "x", now, "y", now);
        // The outcome write fails after the targets have the records: as if the leader died right there.
        timerLog.failNext(MemoryLog.Next.FAIL_BEFORE, r -> TimerRecord.type(r.records().iterator().next())
                == TimerRecord.RELEASED);
        TimerPartition p = leader();
        runCycle(p);
        await(() -> target.records().size() == 2, "released");
        p.close();
        TimerPartition next = leader();
        runCycle(next);
        runCycle(next);
        await(() -> next.pendingByTopic().isEmpty(), "the new leader resolved the intent");
        assertThat(targetValues()).containsExactly("x", "y");
    }

    @Test
    void aLeaderThatDiedBeforeTheTargetAppendLeavesTheRecordsToTheNext() throws Exception {
        long now = time.milliseconds();
        schedule(-1, 0, "x", now);
        // The first leader writes its intent, then its target refuses (every time: it retries at once, and no
        // copy may land while the next leader looks); it dies.
        MemoryLog refusing = new MemoryLog();
        refusing.failAlways(MemoryLog.Next.FAIL_BEFORE);
        TimerPartition p = leader(refusing);
        runCycle(p);
        p.close();
        TimerPartition next = leader();
        runCycle(next);
        await(() -> target.records().size() == 1, "released by the next leader");
        runCycle(next);
        assertThat(targetValues()).containsExactly("x");
    }

    @Test
    void aPreviousLeadersAppendThatLandsAfterTheNextLeaderResolvedTheIntentIsNoSecondCopy() throws Exception {
        long now = time.milliseconds();
        schedule(-1, 0, "x", now, "y", now);
        // The first leader's target append stays in flight (a slow network, a pause) while leadership moves on.
        target.failNext(MemoryLog.Next.HOLD, r -> true);
        TimerPartition old = leader();
        old.poke();
        await(() -> target.held() == 1, "the first leader's append in flight");
        old.close();
        TimerPartition next = leader();
        runCycle(next);
        await(() -> target.records().size() == 2, "the next leader sent the batch in doubt again");
        await(() -> next.pendingByTopic().isEmpty(), "the intent resolved");
        target.landHeld(); // now the first leader's copy arrives
        runCycle(next);
        assertThat(targetValues()).containsExactly("x", "y");
        assertThat(target.batchProducerIds()).containsExactly(1001L);
    }

    @Test
    void anIntentOfAnEarlierVersionIsResolvedByLookingInTheTarget() throws Exception {
        long now = time.milliseconds();
        schedule(-1, 0, "x", now, "y", now); // timer offsets 0 and 1
        // The earlier version's leader wrote an intent naming the target's high watermark, released x, and died.
        long scanFrom = target.endOffset();
        timerLog.append(TIMER, MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now,
                TimerRecord.controlKey(TimerRecord.SCANNED_INTENT), scannedIntentValue(TARGET, scanFrom, 0L, 1L))))
                .join();
        target.append(TARGET, MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, null,
                "x".getBytes(StandardCharsets.UTF_8), new Header[] {new RecordHeader(DelayHeaders.DELAYED_ID,
                        (TIMER.partition() + ":0").getBytes(StandardCharsets.UTF_8))}))).join();
        TimerPartition next = leader();
        runCycle(next);
        await(() -> target.records().size() == 2, "y released");
        await(() -> next.pendingByTopic().isEmpty(), "nothing pending");
        runCycle(next);
        assertThat(targetValues()).containsExactly("x", "y");
    }

    @Test
    void aTargetMissingFromTheMetadataGetsItsRecordsOnceItAppearsAndTheyAreDroppedOnlyAfterAMinute()
            throws Exception {
        schedule(-1, 0, "x", time.milliseconds());
        AtomicBoolean known = new AtomicBoolean(false);
        TimerPartition.Targets targets = new TimerPartition.Targets() {
            @Override
            public Optional<LeaderLog> leaderLog(TopicPartition t) {
                return known.get() ? Optional.of(target) : Optional.empty();
            }

            @Override
            public boolean exists(TopicPartition t) {
                return known.get();
            }
        };
        // A topic this broker's metadata does not show yet: the record waits and comes when it does.
        TimerPartition p = leader(targets);
        runCycle(p);
        assertThat(p.pendingByTopic()).containsEntry("orders", 1);
        time.advance(TimerPartition.GONE_AFTER_MS / 2);
        known.set(true);
        runCycle(p);
        await(() -> target.records().size() == 1, "released once the partition is known");
        // A topic deleted: its records are dropped once it has been missing for a minute, not before.
        known.set(false);
        schedule(-1, 0, "y", time.milliseconds());
        runCycle(p);
        runCycle(p);
        assertThat(p.pendingByTopic()).containsEntry("orders", 1);
        time.advance(TimerPartition.GONE_AFTER_MS);
        runCycle(p);
        await(() -> p.pendingByTopic().isEmpty(), "the record dropped");
        assertThat(TimerRecord.type(timerLog.records().get(timerLog.records().size() - 1)))
                .isEqualTo(TimerRecord.RELEASED);
        assertThat(targetValues()).containsExactly("x");
    }

    @Test
    void recordsDueForAPartitionThatNoLongerExistsAreDropped() throws Exception {
        schedule(-1, 0, "x", time.milliseconds());
        TimerPartition p = leader(new TimerPartition.Targets() {
            @Override
            public Optional<LeaderLog> leaderLog(TopicPartition t) {
                return Optional.empty();
            }

            @Override
            public boolean exists(TopicPartition t) {
                return false;
            }
        });
        runCycle(p);
        time.advance(TimerPartition.GONE_AFTER_MS);
        runCycle(p);
        await(() -> p.pendingByTopic().isEmpty() && timerLog.records().size() == 2, "the record dropped");
        assertThat(TimerRecord.type(timerLog.records().get(1))).isEqualTo(TimerRecord.RELEASED);
        assertThat(target.records()).isEmpty();
    }

    /** The value of a {@link TimerRecord#SCANNED_INTENT}, as the earlier version wrote it: one target. */
    private static ByteBuffer scannedIntentValue(TopicPartition tp, long scanFrom, long... offsets) {
        byte[] topic = tp.topic().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + 2 + topic.length + 4 + 8 + 4 + 8 * offsets.length).putInt(1)
                .putShort((short) topic.length).put(topic).putInt(tp.partition()).putLong(scanFrom)
                .putInt(offsets.length);
        for (long o : offsets) {
            b.putLong(o);
        }
        return b.flip();
    }
}
