package io.herald.broker.share;

import static io.herald.broker.share.AcknowledgeType.ACCEPT;
import static io.herald.broker.share.AcknowledgeType.GAP;
import static io.herald.broker.share.AcknowledgeType.REJECT;
import static io.herald.broker.share.AcknowledgeType.RELEASE;
import static io.herald.broker.share.AcknowledgeType.RENEW;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.coordinator.share.InMemoryShareStatePersister;
import io.herald.group.config.ShareAutoOffsetReset;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.InvalidRecordStateException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetNotAvailableException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Kafka 4.3.1's share-partition rules, one by one, on a model log with a manual clock. */
class SharePartitionTest {
    private final ShareFixture f = new ShareFixture();

    private static AcquiredRange range(long first, long last, int count) {
        return new AcquiredRange(first, last, count);
    }

    @Test
    void newRecordsAreAcquiredInWholeLogBatchesWithDeliveryCountOne() {
        f.log.append(5).append(5);
        f.load();

        SharePartition.Fetch fetch = f.fetch("m1", 500);

        assertThat(fetch.acquired()).containsExactly(range(0, 9, 1));
        assertThat(fetch.acquiredCount()).isEqualTo(10);
        assertThat(fetch.records().sizeInBytes()).isEqualTo(1000);
        assertThat(f.sp.endOffset()).isEqualTo(10);
        assertThat(f.sp.startOffset()).isZero();
    }

    @Test
    void aFetchFindingAnotherOneReadingIsToldWhenThatOneIsDone() throws Exception {
        f.log.append(10).append(10);
        f.load();
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        f.log.gateReads(reading, gate);
        CompletableFuture<SharePartition.Fetch> first = CompletableFuture.supplyAsync(() -> f.fetch("m1", 5));
        assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(f.sp.fetchInProgress()).isTrue();
        assertThat(f.sp.tryFetch("m2", new SharePartition.FetchParams(AcquireMode.BATCH_OPTIMIZED, 500, 5, 1 << 20,
                true))).as("busy: no read, no empty answer").isEmpty();
        int notified = f.changes.get();
        f.log.gateReads(null, null);
        gate.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS).acquired()).containsExactly(range(0, 9, 1));
        assertThat(f.changes.get()).as("the waiting fetch is told").isGreaterThan(notified);
        assertThat(f.sp.fetchInProgress()).isFalse();
        assertThat(f.fetch("m2", 5).acquired()).containsExactly(range(10, 19, 1));
    }

    @Test
    void maxRecordsIsRoundedUpToTheLogBatchInBatchOptimizedMode() {
        f.log.append(5).append(5).append(5);
        f.load();

        assertThat(f.fetch("m1", 7).acquired()).containsExactly(range(0, 9, 1));
        assertThat(f.fetch("m2", 1).acquired()).containsExactly(range(10, 14, 1));
    }

    @Test
    void recordLimitModeAcquiresExactlyMaxRecordsAndLeavesTheRestOfTheBatchAvailable() {
        f.log.append(10);
        f.load();

        assertThat(f.fetch("m1", AcquireMode.RECORD_LIMIT, 3, 500).acquired()).containsExactly(range(0, 2, 1));
        assertThat(f.at(3).orElseThrow().state()).isEqualTo(RecordState.AVAILABLE);
        assertThat(f.fetch("m2", AcquireMode.RECORD_LIMIT, 4, 500).acquired()).containsExactly(range(3, 6, 1));
        assertThat(f.fetch("m3", AcquireMode.BATCH_OPTIMIZED, 100, 500).acquired()).containsExactly(range(7, 9, 1));
    }

    @Test
    void newRecordsAreSplitIntoInFlightBatchesOfBatchSize() {
        f.log.append(5).append(5).append(5).append(5);
        f.load();

        assertThat(f.fetch("m1", AcquireMode.BATCH_OPTIMIZED, 100, 10).acquired()).containsExactly(range(0, 19, 1));
        assertThat(f.sp.inFlight()).extracting(SharePartition.RecordView::firstOffset,
                SharePartition.RecordView::lastOffset).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0L, 9L), org.assertj.core.groups.Tuple.tuple(10L, 19L));
    }

    @Test
    void lockExpiryMakesRecordsAvailableAndTheyAreRedeliveredWithCountTwo() {
        f.log.append(5);
        f.load();
        f.fetch("m1", 100);

        f.timer.advance(f.settings.get().recordLockDurationMs() - 1);
        assertThat(f.at(0).orElseThrow().state()).isEqualTo(RecordState.ACQUIRED);
        f.timer.advance(1);

        assertThat(f.at(0).orElseThrow()).satisfies(v -> {
            assertThat(v.state()).isEqualTo(RecordState.AVAILABLE);
            assertThat(v.deliveryCount()).isEqualTo(1);
            assertThat(v.memberId()).isEmpty();
        });
        assertThat(f.fetch("m2", 100).acquired()).containsExactly(range(0, 4, 2));
    }

    @Test
    void aReleaseAtTheDeliveryCountLimitArchivesInsteadOfRedelivering() {
        f.update(b -> b.deliveryLimit(2));
        f.log.append(5);
        f.load();
        f.fetch("m1", 100);
        f.ack("m1", 0, 4, RELEASE);
        assertThat(f.fetch("m1", 100).acquired()).containsExactly(range(0, 4, 2));

        f.ack("m1", 0, 4, RELEASE);

        assertThat(f.sp.startOffset()).isEqualTo(5);
        assertThat(f.sp.inFlight()).isEmpty();
        assertThat(f.fetch("m1", 100).acquired()).isEmpty();
        assertThat(f.archived).containsExactly(new ArchivedRecords("g", ShareFixture.TP, 0, 4, 2,
                ArchiveReason.DELIVERY_LIMIT));
    }

    @Test
    void aLockExpiryAtTheDeliveryCountLimitArchives() {
        f.update(b -> b.deliveryLimit(2).lockMs(100));
        f.log.append(3);
        f.load();
        f.fetch("m1", 100);
        f.timer.advance(100);
        f.fetch("m1", 100);

        f.timer.advance(100);

        assertThat(f.sp.startOffset()).isEqualTo(3);
        assertThat(f.archived).containsExactly(new ArchivedRecords("g", ShareFixture.TP, 0, 2, 2,
                ArchiveReason.DELIVERY_LIMIT));
    }

    @Test
    void rejectedRecordsAreNeverDeliveredAgain() {
        f.log.append(3).append(3);
        f.load();
        f.fetch("m1", 3);

        f.ack("m1", 0, 2, REJECT);

        assertThat(f.sp.startOffset()).isEqualTo(3);
        assertThat(f.archived).containsExactly(new ArchivedRecords("g", ShareFixture.TP, 0, 2, 1,
                ArchiveReason.REJECTED));
        assertThat(f.fetch("m2", 100).acquired()).containsExactly(range(3, 5, 1));
        f.timer.advance(f.settings.get().recordLockDurationMs());
        assertThat(f.fetch("m2", 100).acquired()).containsExactly(range(3, 5, 2));
    }

    @Test
    void gapAcknowledgementsArchiveWithoutTellingTheDeadLetterHook() {
        f.log.append(3);
        f.load();
        f.fetch("m1", 100);

        f.ack("m1", 0, 2, GAP);

        assertThat(f.sp.startOffset()).isEqualTo(3);
        assertThat(f.archived).isEmpty();
    }

    @Test
    void acceptedPrefixesMoveTheStartOffsetAndArePersisted() {
        f.log.append(10);
        f.load();
        f.fetch("m1", 100);

        f.ack("m1", 0, 4, ACCEPT);
        assertThat(f.sp.startOffset()).isEqualTo(5);
        assertThat(((ModelPersister) f.persister).startOffset(ShareFixture.KEY)).isEqualTo(5);

        f.ack("m1", 7, 9, ACCEPT);
        assertThat(f.sp.startOffset()).isEqualTo(5);
        f.ack("m1", 5, 6, ACCEPT);
        assertThat(f.sp.startOffset()).isEqualTo(10);
        assertThat(f.sp.inFlight()).isEmpty();
        assertThat(((ModelPersister) f.persister).startOffset(ShareFixture.KEY)).isEqualTo(10);
    }

    @Test
    void perOffsetAcknowledgementTypesApplyOffsetByOffset() {
        f.log.append(4);
        f.load();
        f.fetch("m1", 100);

        f.sp.acknowledge("m1", List.of(new AcknowledgementBatch(0, 3,
                List.of(ACCEPT.id(), RELEASE.id(), REJECT.id(), ACCEPT.id())))).join();

        assertThat(f.sp.startOffset()).isEqualTo(1);
        assertThat(f.at(1).orElseThrow().state()).isEqualTo(RecordState.AVAILABLE);
        assertThat(f.at(2).orElseThrow().state()).isEqualTo(RecordState.ARCHIVED);
        assertThat(f.at(3).orElseThrow().state()).isEqualTo(RecordState.ACKNOWLEDGED);
        assertThat(f.fetch("m2", 100).acquired()).containsExactly(range(1, 1, 2));
    }

    @Test
    void renewExtendsTheLockByAWholeLockDuration() {
        f.update(b -> b.lockMs(1000));
        f.log.append(2);
        f.load();
        f.fetch("m1", 100);
        f.timer.advance(800);

        f.ack("m1", 0, 1, RENEW);
        f.timer.advance(800);
        assertThat(f.at(0).orElseThrow().state()).isEqualTo(RecordState.ACQUIRED);
        f.timer.advance(200);

        assertThat(f.at(0).orElseThrow().state()).isEqualTo(RecordState.AVAILABLE);
    }

    @Test
    void renewIsRefusedWhenTheGroupDisablesIt() {
        f.update(b -> b.renew(false));
        f.log.append(2);
        f.load();
        f.fetch("m1", 100);

        ApiException e = f.ackFails("m1", 0, 1, RENEW);

        assertThat(e).isInstanceOf(InvalidRecordStateException.class)
                .hasMessage("Renewing acquisition locks is not enabled for the group.");
    }

    @Test
    void aReleasedRecordWaitsOutItsRetryBackoffWhileOthersKeepFlowing() {
        f.update(b -> b.backoff(100, 1000, 2.0));
        f.log.append(5).append(5);
        f.load();
        f.fetch("m1", 5);
        f.ack("m1", 0, 4, RELEASE);

        assertThat(f.fetch("m2", 100).acquired()).containsExactly(range(5, 9, 1));
        f.timer.advance(99);
        assertThat(f.fetch("m2", 100).acquired()).isEmpty();
        int changesBefore = f.changes.get();
        f.timer.advance(1);
        assertThat(f.changes.get()).as("the backoff's end wakes parked fetches").isGreaterThan(changesBefore);
        assertThat(f.fetch("m2", 100).acquired()).containsExactly(range(0, 4, 2));

        // The second release backs off twice as long.
        f.ack("m2", 0, 4, RELEASE);
        f.timer.advance(199);
        assertThat(f.fetch("m3", 100).acquired()).isEmpty();
        f.timer.advance(1);
        assertThat(f.fetch("m3", 100).acquired()).containsExactly(range(0, 4, 3));
    }

    @Test
    void aLockExpiryAlsoBacksOff() {
        f.update(b -> b.backoff(50, 1000, 2.0).lockMs(100));
        f.log.append(1);
        f.load();
        f.fetch("m1", 100);

        f.timer.advance(100);
        assertThat(f.fetch("m1", 100).acquired()).isEmpty();
        f.timer.advance(50);
        assertThat(f.fetch("m1", 100).acquired()).containsExactly(range(0, 0, 2));
    }

    @Test
    void earliestStartsAtTheLogStartOffset() {
        f.log.append(10);
        f.log.deleteBefore(0);
        f.load();

        assertThat(f.sp.startOffset()).isZero();
    }

    @Test
    void latestStartsAtTheHighWatermarkAndPersistsIt() {
        f.update(b -> b.autoReset(new ShareAutoOffsetReset.Latest()));
        f.log.append(10);
        f.load();

        assertThat(f.sp.startOffset()).isEqualTo(10);
        assertThat(f.fetch("m1", 100).acquired()).isEmpty();
        f.log.append(5);
        assertThat(f.fetch("m1", 100).acquired()).containsExactly(range(10, 14, 1));

        // A new leader reads the placed start, and does not reset again.
        f.update(b -> b.autoReset(new ShareAutoOffsetReset.Earliest()));
        f.load();
        assertThat(f.sp.startOffset()).isEqualTo(10);
    }

    @Test
    void byDurationStartsAtTheFirstRecordThatRecent() {
        long now = f.time.milliseconds();
        f.update(b -> b.autoReset(new ShareAutoOffsetReset.ByDuration(Duration.ofSeconds(30))));
        f.log.append(5, now - 60_000).append(5, now - 5_000);
        f.load();

        assertThat(f.sp.startOffset()).isEqualTo(5);
    }

    @Test
    void byDurationWithNoRecordThatRecentFailsTheLoadAsKafkaDoes() {
        long now = f.time.milliseconds();
        f.update(b -> b.autoReset(new ShareAutoOffsetReset.ByDuration(Duration.ofSeconds(30))));
        f.log.append(5, now - 60_000);
        SharePartition sp = f.create();

        CompletableFuture<Void> loading = sp.maybeInitialize();

        assertThat(loading).isCompletedExceptionally();
        assertThat(ShareFixture.failure(loading::join)).isInstanceOf(OffsetNotAvailableException.class);
        assertThat(sp.lifecycle()).isEqualTo(SharePartition.Lifecycle.FAILED);
        assertThat(f.fenced).hasSize(1);
    }

    @Test
    void aStartOffsetNotYetPlacedIsResetAndWritten() {
        f.log.append(10);
        f.persister.initialize(ShareFixture.KEY, 3, -1).join(); // as the group coordinator initializes it
        f.update(b -> b.autoReset(new ShareAutoOffsetReset.Latest()));

        f.load();

        assertThat(f.sp.startOffset()).isEqualTo(10);
        assertThat(f.sp.stateEpoch()).isEqualTo(3);
        assertThat(((ModelPersister) f.persister).startOffset(ShareFixture.KEY)).isEqualTo(10);
    }

    @Test
    void readCommittedStopsAtTheLastStableOffsetAndArchivesAbortedTransactions() {
        f.update(b -> b.isolation(IsolationLevel.READ_COMMITTED));
        f.log.append(2)                    // 0-1
                .appendTransactional(7, 3)  // 2-4, aborted
                .appendMarker(7, false, 2)  // 5
                .append(2)                  // 6-7
                .appendTransactional(8, 2); // 8-9, still open
        f.log.setLastStableOffset(8);
        f.load();

        SharePartition.Fetch fetch = f.fetch("m1", 100);

        assertThat(fetch.acquired()).containsExactly(range(0, 1, 1), range(5, 7, 1));
        assertThat(f.at(2).orElseThrow().state()).isEqualTo(RecordState.ARCHIVED);
        assertThat(f.at(4).orElseThrow().state()).isEqualTo(RecordState.ARCHIVED);
        assertThat(f.sp.endOffset()).isEqualTo(8);

        f.log.appendMarker(8, true, 8); // 10
        f.log.setLastStableOffset(-1);
        assertThat(f.fetch("m1", 100).acquired()).containsExactly(range(8, 10, 1));
    }

    @Test
    void abortedRecordsStayArchivedAcrossALeaderChange() {
        f.update(b -> b.isolation(IsolationLevel.READ_COMMITTED));
        f.log.appendTransactional(7, 3).appendMarker(7, false, 0).append(2);
        f.load();
        assertThat(f.fetch("m1", 100).acquired()).containsExactly(range(3, 5, 1));

        f.update(b -> b.isolation(IsolationLevel.READ_UNCOMMITTED));
        f.load();

        assertThat(f.fetch("m2", 100).acquired()).as("0-2 are not handed out again")
                .containsExactly(range(3, 5, 1));
    }

    @Test
    void aMovedLogStartIsPersistedAtOnce() {
        f.log.append(5).append(5);
        f.load();
        f.log.deleteBefore(5);

        assertThat(f.fetch("m1", 100).acquired()).containsExactly(range(5, 9, 1));

        assertThat(((ModelPersister) f.persister).startOffset(ShareFixture.KEY)).isEqualTo(5);
    }

    @Test
    void theWindowIsBoundedByMaxRecordLocksButReleasedRecordsInsideItComeBack() {
        f.update(b -> b.maxLocks(10));
        f.log.append(5).append(5).append(5);
        f.load();

        assertThat(f.fetch("m1", 100).acquired()).containsExactly(range(0, 9, 1));
        assertThat(f.fetch("m2", 100).acquired()).isEmpty();
        f.ack("m1", 0, 4, RELEASE);
        assertThat(f.fetch("m2", 100).acquired()).containsExactly(range(0, 4, 2));
        assertThat(f.sp.acquirableBytes(1 << 20)).isEqualTo(-1);
        f.ack("m1", 5, 9, ACCEPT);
        // The window counts from the start offset, which 0-4 still hold.
        assertThat(f.fetch("m3", 100).acquired()).isEmpty();
        f.ack("m2", 0, 4, ACCEPT);
        assertThat(f.fetch("m3", 100).acquired()).containsExactly(range(10, 14, 1));
    }

    @Test
    void anAcknowledgementIsAnsweredOnlyOnceItsWriteSucceeded() {
        ModelPersister persister = (ModelPersister) f.persister;
        f.log.append(3);
        f.load();
        f.fetch("m1", 100);
        persister.hold();

        CompletableFuture<Void> ack = f.sp.acknowledge("m1", List.of(new AcknowledgementBatch(0, 2,
                List.of(ACCEPT.id()))));

        assertThat(ack).isNotDone();
        assertThat(f.at(0).orElseThrow().pending()).isTrue();
        assertThat(f.sp.startOffset()).isZero();
        persister.release();
        assertThat(ack).isCompleted();
        assertThat(f.sp.startOffset()).isEqualTo(3);
    }

    @Test
    void acknowledgementsMadeWhileAWriteIsOutGoTogetherInTheNextOne() {
        ModelPersister persister = (ModelPersister) f.persister;
        f.log.append(1).append(1).append(1);
        f.load();
        f.fetch("m1", 100);
        persister.hold();
        int before = persister.writes();

        CompletableFuture<Void> first = f.sp.acknowledge("m1", List.of(new AcknowledgementBatch(0, 0,
                List.of(ACCEPT.id()))));
        CompletableFuture<Void> second = f.sp.acknowledge("m1", List.of(new AcknowledgementBatch(1, 1,
                List.of(ACCEPT.id()))));
        CompletableFuture<Void> third = f.sp.acknowledge("m1", List.of(new AcknowledgementBatch(2, 2,
                List.of(ACCEPT.id()))));
        persister.release(); // the first write goes; the other two follow as one
        persister.release();

        assertThat(CompletableFuture.allOf(first, second, third)).isCompleted();
        assertThat(persister.writes() - before).isEqualTo(2);
        assertThat(f.sp.startOffset()).isEqualTo(3);
    }

    @Test
    void aFailedWriteRollsTheAcknowledgementBack() {
        f.log.append(3);
        f.load();
        f.fetch("m1", 100);
        ((ModelPersister) f.persister).failNextWrites(Errors.COORDINATOR_NOT_AVAILABLE);

        assertThat(f.ackFails("m1", 0, 2, ACCEPT)).isInstanceOf(CoordinatorNotAvailableException.class);

        assertThat(f.at(0).orElseThrow()).satisfies(v -> {
            assertThat(v.state()).isEqualTo(RecordState.ACQUIRED);
            assertThat(v.memberId()).isEqualTo("m1");
            assertThat(v.pending()).isFalse();
        });
        f.ack("m1", 0, 2, ACCEPT);
        assertThat(f.sp.startOffset()).isEqualTo(3);
    }

    @Test
    void aFencedWriteFencesTheSharePartition() {
        f.log.append(3);
        f.load();
        f.fetch("m1", 100);
        ((ModelPersister) f.persister).bumpStateEpoch(ShareFixture.KEY);

        assertThat(f.ackFails("m1", 0, 2, ACCEPT)).isInstanceOf(NotLeaderOrFollowerException.class);

        assertThat(f.sp.lifecycle()).isEqualTo(SharePartition.Lifecycle.FENCED);
        assertThat(f.fenced).hasSize(1);
        assertThat(f.sp.tryFetch("m1", new SharePartition.FetchParams(AcquireMode.BATCH_OPTIMIZED, 10, 10, 1000,
                true))).isEmpty();
    }

    @Test
    void aLockThatRunsOutWhileTheAcknowledgementIsWrittenTimesOutIfTheWriteFails() {
        ModelPersister persister = (ModelPersister) f.persister;
        f.update(b -> b.lockMs(100));
        f.log.append(2);
        f.load();
        f.fetch("m1", 100);
        persister.failNextWrites(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        persister.hold();
        CompletableFuture<Void> ack = f.sp.acknowledge("m1", List.of(new AcknowledgementBatch(0, 1,
                List.of(ACCEPT.id()))));

        f.timer.advance(100);
        assertThat(f.at(0).orElseThrow().pending()).isTrue();
        persister.release();

        assertThat(ack).isCompletedExceptionally();
        assertThat(f.at(0).orElseThrow().state()).isEqualTo(RecordState.AVAILABLE);
        assertThat(f.fetch("m2", 100).acquired()).containsExactly(range(0, 1, 2));
    }

    @Test
    void acknowledgementsAreAllOrNothingAndOnlyForTheOwner() {
        f.log.append(5).append(5);
        f.load();
        f.fetch("m1", 5);
        f.fetch("m2", 5);

        ApiException e = ShareFixture.failure(() -> f.sp.acknowledge("m1", List.of(
                new AcknowledgementBatch(0, 4, List.of(ACCEPT.id())),
                new AcknowledgementBatch(5, 9, List.of(ACCEPT.id())))).join());

        assertThat(e).isInstanceOf(InvalidRecordStateException.class)
                .hasMessage("Member is not the owner of batch record");
        assertThat(f.at(0).orElseThrow()).satisfies(v -> {
            assertThat(v.state()).isEqualTo(RecordState.ACQUIRED);
            assertThat(v.pending()).isFalse();
        });
        f.ack("m1", 0, 4, ACCEPT);
        assertThat(f.sp.startOffset()).isEqualTo(5);
    }

    @Test
    void acknowledgingRecordsNotAcquiredIsInvalidRecordState() {
        f.log.append(5);
        f.load();
        f.fetch("m1", 100);
        f.ack("m1", 0, 4, RELEASE);

        assertThat(f.ackFails("m1", 0, 4, ACCEPT)).isInstanceOf(InvalidRecordStateException.class)
                .hasMessage("The batch cannot be acknowledged. The batch is not in the acquired state.");
        assertThat(f.ackFails("m1", 6, 8, ACCEPT)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void aClosingSessionReleasesItsRecordsWithoutCountingADelivery() {
        f.update(b -> b.deliveryLimit(2));
        f.log.append(3).append(3);
        f.load();
        f.fetch("m1", 3);
        f.fetch("m2", 3);

        f.sp.releaseAcquiredRecords("m1").join();

        assertThat(f.at(0).orElseThrow()).satisfies(v -> {
            assertThat(v.state()).isEqualTo(RecordState.AVAILABLE);
            assertThat(v.deliveryCount()).isEqualTo(1);
        });
        assertThat(f.at(3).orElseThrow().state()).isEqualTo(RecordState.ACQUIRED);
        assertThat(f.fetch("m3", 100).acquired()).containsExactly(range(0, 2, 2));
        f.sp.releaseAcquiredRecords("m3").join();
        assertThat(f.sp.startOffset()).as("archived at the limit").isEqualTo(3);
        assertThat(f.archived).extracting(ArchivedRecords::reason).containsExactly(ArchiveReason.DELIVERY_LIMIT);
    }

    @Test
    void aRecordOnItsLastDeliveryGoesAlone() {
        f.update(b -> b.deliveryLimit(3));
        f.log.append(5);
        f.load();
        for (int delivery = 1; delivery <= 2; delivery++) {
            assertThat(f.fetch("m1", 100).acquired()).containsExactly(range(0, 4, delivery));
            f.ack("m1", 0, 4, RELEASE);
        }

        assertThat(f.fetch("m1", 100).acquired()).containsExactly(range(0, 0, 3));
        assertThat(f.fetch("m2", 100).acquired()).containsExactly(range(1, 1, 3));
    }

    @Test
    void aNewLeaderKeepsWhatWasWrittenAndRedeliversWhatWasOnlyAcquired() {
        f.log.append(10);
        f.load();
        f.fetch("m1", 100);
        f.sp.acknowledge("m1", List.of(new AcknowledgementBatch(0, 6, List.of(ACCEPT.id(), ACCEPT.id(),
                ACCEPT.id(), REJECT.id(), ACCEPT.id(), RELEASE.id(), RELEASE.id())))).join();
        assertThat(f.sp.startOffset()).isEqualTo(5);
        f.fetch("m2", 100); // 5-6 again, delivery 2: acquisitions are not written

        f.load();

        assertThat(f.sp.startOffset()).isEqualTo(5);
        assertThat(f.sp.inFlight()).containsExactly(
                new SharePartition.RecordView(5, 6, RecordState.AVAILABLE, 1, "", false));
        assertThat(f.fetch("m3", 100).acquired()).containsExactly(range(5, 6, 2), range(7, 9, 1));
    }

    @Test
    void offsetsTheStateDoesNotKnowAreDeliveredAgainAfterALeaderChange() {
        f.log.append(10);
        f.load();
        f.fetch("m1", 100);
        f.ack("m1", 0, 2, ACCEPT);
        f.sp.acknowledge("m1", List.of(new AcknowledgementBatch(5, 6, List.of(RELEASE.id())))).join();

        f.load();

        assertThat(f.sp.inFlight()).containsExactly(
                new SharePartition.RecordView(3, 4, RecordState.AVAILABLE, 0, "", false),
                new SharePartition.RecordView(5, 6, RecordState.AVAILABLE, 1, "", false));
        assertThat(f.fetch("m2", 100).acquired()).containsExactly(range(3, 4, 1), range(5, 6, 2),
                range(7, 9, 1));
    }

    @Test
    void availableRecordsBelowAMovedLogStartAreArchivedAndTheStartFollows() {
        f.log.append(5).append(5);
        f.load();
        f.fetch("m1", 100);
        f.ack("m1", 0, 9, RELEASE);

        f.log.deleteBefore(5);

        assertThat(f.fetch("m2", 100).acquired()).containsExactly(range(5, 9, 2));
        assertThat(f.sp.startOffset()).isEqualTo(5);
    }

    @Test
    void acquiredRecordsBelowAMovedLogStartAreArchivedWhenTheirLockRunsOut() {
        f.update(b -> b.lockMs(100));
        f.log.append(10);
        f.load();
        f.fetch("m1", 100);
        f.log.deleteBefore(5);
        f.fetch("m2", 100); // notices the log start

        f.timer.advance(100);

        assertThat(f.sp.startOffset()).isEqualTo(5);
        assertThat(f.sp.inFlight()).containsExactly(
                new SharePartition.RecordView(5, 9, RecordState.AVAILABLE, 1, "", false));
    }

    @Test
    void oneTimerTaskServesEveryLockDeadline() {
        for (int i = 0; i < 50; i++) {
            f.log.append(1);
        }
        f.load();
        for (int i = 0; i < 50; i++) {
            f.fetch("m" + i, 1);
            f.timer.advance(1);
        }

        assertThat(f.timer.pending()).isEqualTo(1);
        assertThat(f.sp.pendingDueTimes()).isEqualTo(50);
        f.timer.advance(f.settings.get().recordLockDurationMs());
        assertThat(f.timer.pending()).isZero();
        assertThat(f.sp.inFlight()).allSatisfy(v -> assertThat(v.state()).isEqualTo(RecordState.AVAILABLE));
    }

    @Test
    void aChangedLockDurationAppliesToTheNextAcquisition() {
        f.log.append(1).append(1);
        f.load();
        f.update(b -> b.lockMs(100));
        f.fetch("m1", 1);
        f.update(b -> b.lockMs(1000));
        f.fetch("m1", 1);

        f.timer.advance(100);

        assertThat(f.at(0).orElseThrow().state()).isEqualTo(RecordState.AVAILABLE);
        assertThat(f.at(1).orElseThrow().state()).isEqualTo(RecordState.ACQUIRED);
    }

    @Test
    void aNeverInitializedSharePartitionIsInitializedThroughThePersister() {
        InMemoryShareStatePersister persister = new InMemoryShareStatePersister();
        ShareFixture g = new ShareFixture(new ModelLog(), persister);
        g.log.append(4);

        g.load();

        assertThat(persister.contains(ShareFixture.KEY)).isTrue();
        assertThat(persister.readSummary(ShareFixture.KEY, 0).join().startOffset()).isZero();
        assertThat(g.fetch("m1", 100).acquired()).containsExactly(range(0, 3, 1));
        g.ack("m1", 0, 3, ACCEPT);
        assertThat(persister.readSummary(ShareFixture.KEY, 0).join().startOffset()).isEqualTo(4);
    }

    @Test
    void aReadOfANewerLeadersStateFailsTheLoad() {
        f.log.append(1);
        f.load();
        f.load();
        SharePartition stale = new SharePartition(ShareFixture.KEY, ShareFixture.TP, 0, f.log, f.context,
                new SharePartition.Listener() {
                    @Override
                    public void onChange(SharePartition partition) {
                    }

                    @Override
                    public void onFenced(SharePartition partition, ApiException cause) {
                    }
                });

        CompletableFuture<Void> loading = stale.maybeInitialize();

        assertThat(loading).isCompletedExceptionally();
        assertThat(ShareFixture.failure(loading::join)).isInstanceOf(NotLeaderOrFollowerException.class);
    }

    @Test
    void fencingFailsQueuedWrites() {
        ModelPersister persister = (ModelPersister) f.persister;
        f.log.append(2);
        f.load();
        f.fetch("m1", 100);
        persister.hold();
        CompletableFuture<Void> first = f.sp.acknowledge("m1", List.of(new AcknowledgementBatch(0, 0,
                List.of(ACCEPT.id()))));
        CompletableFuture<Void> queued = f.sp.acknowledge("m1", List.of(new AcknowledgementBatch(1, 1,
                List.of(ACCEPT.id()))));

        f.sp.fence();

        assertThat(queued).isCompletedExceptionally();
        persister.release();
        assertThat(first).isCompleted(); // it was written before the fence answered
        try {
            queued.join();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(NotLeaderOrFollowerException.class);
        }
    }
}
