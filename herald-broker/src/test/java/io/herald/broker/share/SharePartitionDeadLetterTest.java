package io.herald.broker.share;

import static io.herald.broker.share.AcknowledgeType.ACCEPT;
import static io.herald.broker.share.AcknowledgeType.REJECT;
import static io.herald.broker.share.AcknowledgeType.RELEASE;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.broker.share.ModelDeadLetters.Failure;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The share-partition's side of dead-letter topics: the Archiving intent is persisted before a copy is written, the
 * copies go one batch at a time, and a copy is in the dead-letter topic exactly once whatever fails in between,
 * including a new leader taking over between the copy and the Archived write.
 */
class SharePartitionDeadLetterTest {
    private static final byte ARCHIVING = RecordState.ARCHIVING.id();
    private static final byte ARCHIVED = RecordState.ARCHIVED.id();

    private ShareFixture f;
    private ModelPersister persister;

    @BeforeEach
    void setUp() {
        persister = new ModelPersister();
        f = new ShareFixture(new ModelLog(), persister);
        f.update(b -> b.deadLetterTopic("dlq.orders"));
    }

    @Test
    void aRejectedRecordIsPersistedArchivingThenCopiedThenArchived() {
        f.log.append(3).append(3);
        f.load();
        f.fetch("m1", 3);
        f.deadLetters.hold();

        f.ack("m1", 1, 1, REJECT);

        assertThat(persister.stateOf(ShareFixture.KEY, 1)).as("the intent is durable first").isEqualTo(ARCHIVING);
        assertThat(f.at(1).orElseThrow().state()).isEqualTo(RecordState.ARCHIVING);
        assertThat(f.archived).as("not archived for good before the copy").isEmpty();

        f.deadLetters.release();

        assertThat(f.deadLetters.topic()).containsExactly(1L);
        assertThat(persister.stateOf(ShareFixture.KEY, 1)).isEqualTo(ARCHIVED);
        assertThat(f.archived).containsExactly(new ArchivedRecords("g", ShareFixture.TP, 1, 1, 1,
                ArchiveReason.REJECTED));
        assertThat(f.deadLetters.writes().get(0).ranges()).containsExactly(new ArchivedRecords("g",
                ShareFixture.TP, 1, 1, 1, ArchiveReason.REJECTED));
    }

    @Test
    void anArchivingRecordHoldsTheStartOffsetAndIsNeverDelivered() {
        f.update(b -> b.lockMs(100));
        f.log.append(3);
        f.load();
        f.fetch("m1", 3);
        f.deadLetters.hold();

        f.ack("m1", 0, 0, REJECT);
        f.ack("m1", 1, 2, ACCEPT);
        f.timer.advance(1_000);

        assertThat(f.sp.startOffset()).as("waits for the copy").isZero();
        assertThat(f.fetch("m2", 100).acquired()).isEmpty();

        f.deadLetters.release();

        assertThat(f.sp.startOffset()).isEqualTo(3);
        assertThat(f.sp.inFlight()).isEmpty();
    }

    @Test
    void theDeliveryLimitByLockExpiryCopiesWithItsReason() {
        f.update(b -> b.deliveryLimit(2).lockMs(100));
        f.log.append(2);
        f.load();
        f.fetch("m1", 100);
        f.timer.advance(100);
        f.fetch("m1", 100);

        f.timer.advance(100);

        assertThat(f.deadLetters.topic()).containsExactly(0L, 1L);
        assertThat(f.deadLetters.writes().get(0).ranges()).extracting(ArchivedRecords::reason)
                .containsExactly(ArchiveReason.DELIVERY_LIMIT);
        assertThat(f.sp.startOffset()).isEqualTo(2);
        assertThat(persister.stateOf(ShareFixture.KEY, 0)).isEqualTo(-1); // below the start offset: pruned
    }

    @Test
    void aReleaseAtTheLimitCopiesAndWithoutADeadLetterTopicNothingIsCopied() {
        f.update(b -> b.deliveryLimit(2));
        f.log.append(1).append(1);
        f.load();
        f.fetch("m1", 100);
        f.ack("m1", 0, 1, RELEASE);
        f.fetch("m1", 100);

        f.ack("m1", 0, 0, RELEASE);
        f.update(b -> b.deadLetterTopic(null));
        f.ack("m1", 1, 1, RELEASE);

        assertThat(f.deadLetters.topic()).containsExactly(0L);
        assertThat(f.sp.startOffset()).isEqualTo(2);
        assertThat(f.archived).extracting(ArchivedRecords::reason)
                .containsExactly(ArchiveReason.DELIVERY_LIMIT, ArchiveReason.DELIVERY_LIMIT);
    }

    @Test
    void copiesGoOneBatchAtATimeEachAfterThePreviousIsArchived() {
        f.log.append(10);
        f.load();
        f.fetch("m1", 10);
        f.deadLetters.hold();

        f.ack("m1", 0, 1, REJECT);
        f.ack("m1", 5, 6, REJECT);

        assertThat(f.deadLetters.writes()).hasSize(1);
        persister.hold();
        f.deadLetters.release(); // the first copy is done; its Archived write is held

        assertThat(f.deadLetters.writes()).as("no second copy before the first is Archived").hasSize(1);
        persister.release();

        assertThat(f.deadLetters.writes()).hasSize(2);
        assertThat(f.deadLetters.topic()).containsExactly(0L, 1L, 5L, 6L);
        assertThat(persister.stateOf(ShareFixture.KEY, 6)).isEqualTo(ARCHIVED);
    }

    @Test
    void aNewLeaderBetweenTheCopyAndTheArchivedWriteDoesNotCopyAgain() {
        f.log.append(3).append(3);
        f.load();
        f.fetch("m1", 6);
        f.ack("m1", 3, 5, ACCEPT);
        f.deadLetters.hold();
        f.ack("m1", 0, 2, REJECT);
        // The copy lands; the Archived write is refused: a newer leader took over.
        persister.failNextWrites(Errors.FENCED_LEADER_EPOCH);
        f.deadLetters.release();

        assertThat(f.sp.lifecycle()).isEqualTo(SharePartition.Lifecycle.FENCED);
        assertThat(f.deadLetters.topic()).containsExactly(0L, 1L, 2L);
        assertThat(persister.stateOf(ShareFixture.KEY, 0)).isEqualTo(ARCHIVING);

        f.load(); // the next leader

        assertThat(f.deadLetters.checks()).isEqualTo(1);
        assertThat(f.deadLetters.topic()).as("no duplicate").containsExactly(0L, 1L, 2L);
        assertThat(f.sp.startOffset()).isEqualTo(6);
        assertThat(persister.startOffset(ShareFixture.KEY)).isEqualTo(6);
    }

    @Test
    void aNewLeaderBeforeTheCopyWritesItOnce() {
        f.log.append(3);
        f.load();
        f.fetch("m1", 3);
        f.deadLetters.hold();
        f.ack("m1", 0, 1, REJECT);
        f.deadLetters.failNext(Failure.LOST); // the old leader's copy never arrives
        f.sp.fence();
        f.deadLetters.release();

        f.load();

        assertThat(f.deadLetters.topic()).as("no loss").containsExactly(0L, 1L);
        assertThat(f.at(0)).isEmpty();
        assertThat(f.sp.startOffset()).isEqualTo(2); // offset 2 was acquired, never acknowledged: available again
        assertThat(persister.startOffset(ShareFixture.KEY)).isEqualTo(2);
    }

    @Test
    void aWriteInDoubtIsCheckedBeforeItIsRetried() {
        f.log.append(4);
        f.load();
        f.fetch("m1", 4);
        f.deadLetters.failNext(Failure.APPENDED_THEN_FAILED, Failure.LOST);

        f.ack("m1", 0, 1, REJECT);
        f.timer.advance(DeadLetterProgress.RETRY_BACKOFF_MS); // the check finds the copy: nothing written again
        f.ack("m1", 2, 3, REJECT);
        f.timer.advance(DeadLetterProgress.RETRY_BACKOFF_MS); // this one was lost: the check finds nothing

        assertThat(f.deadLetters.topic()).containsExactly(0L, 1L, 2L, 3L);
        assertThat(f.deadLetters.checks()).isEqualTo(2);
        assertThat(f.sp.startOffset()).isEqualTo(4);
    }

    @Test
    void aCheckThatCannotSeeTheLogEndCommittedKeepsTheRecordsInDoubtAndCopiesNothingNew() {
        f.log.append(3);
        f.load();
        f.fetch("m1", 3);
        f.deadLetters.failNext(Failure.APPENDED_THEN_FAILED);
        f.deadLetters.failNextChecks(2);

        f.ack("m1", 0, 1, REJECT); // appended, answer lost: in doubt
        f.ack("m1", 2, 2, REJECT); // queued behind the records in doubt
        f.timer.advance(DeadLetterProgress.RETRY_BACKOFF_MS); // first check fails
        f.timer.advance(2 * DeadLetterProgress.RETRY_BACKOFF_MS); // second check fails

        assertThat(f.deadLetters.writes()).as("no copy while offsets 0-1 are in doubt").hasSize(1);
        assertThat(f.sp.startOffset()).isZero();

        f.timer.advance(4 * DeadLetterProgress.RETRY_BACKOFF_MS); // the third check finds offsets 0-1

        assertThat(f.deadLetters.topic()).containsExactly(0L, 1L, 2L);
        assertThat(f.deadLetters.checks()).isEqualTo(3);
        assertThat(f.deadLetters.writes()).hasSize(2);
        assertThat(f.sp.startOffset()).isEqualTo(3);
    }

    @Test
    void aWriteCertainlyNotAppendedIsRetriedAfterABackoff() {
        f.log.append(1);
        f.load();
        f.fetch("m1", 1);
        f.deadLetters.failNext(Failure.NOT_WRITTEN, Failure.NOT_WRITTEN);

        f.ack("m1", 0, 0, REJECT);
        f.timer.advance(DeadLetterProgress.RETRY_BACKOFF_MS);

        assertThat(f.deadLetters.writes()).hasSize(2);
        assertThat(f.deadLetters.topic()).isEmpty();

        f.timer.advance(2 * DeadLetterProgress.RETRY_BACKOFF_MS - 1);
        assertThat(f.deadLetters.writes()).as("the backoff doubled").hasSize(2);
        f.timer.advance(1);

        assertThat(f.deadLetters.topic()).containsExactly(0L);
        assertThat(f.deadLetters.checks()).isZero();
        assertThat(f.sp.startOffset()).isEqualTo(1);
    }

    @Test
    void aFailedArchivedWriteIsRetriedWithoutCopyingAgain() {
        f.log.append(1);
        f.load();
        f.fetch("m1", 1);
        f.deadLetters.hold();
        f.ack("m1", 0, 0, REJECT);
        persister.failNextWrites(Errors.COORDINATOR_NOT_AVAILABLE);
        f.deadLetters.release();

        assertThat(persister.stateOf(ShareFixture.KEY, 0)).isEqualTo(ARCHIVING);
        f.timer.advance(DeadLetterProgress.RETRY_BACKOFF_MS);

        assertThat(f.deadLetters.topic()).containsExactly(0L);
        assertThat(f.sp.startOffset()).isEqualTo(1);
        assertThat(persister.startOffset(ShareFixture.KEY)).isEqualTo(1);
    }

    @Test
    void aFailedLockExpiryWriteIsWrittenAgainBeforeTheCopy() {
        f.update(b -> b.deliveryLimit(2).lockMs(100));
        f.log.append(1);
        f.load();
        f.fetch("m1", 100);
        f.timer.advance(100);
        f.fetch("m1", 100);
        persister.failNextWrites(Errors.COORDINATOR_NOT_AVAILABLE);

        f.timer.advance(100); // expires at the limit: Archiving, but the write fails

        assertThat(f.deadLetters.writes()).as("no copy of an intent that is not durable").isEmpty();

        f.timer.advance(DeadLetterProgress.INTENT_RETRY_MS);

        assertThat(f.deadLetters.topic()).containsExactly(0L);
        assertThat(f.sp.startOffset()).isEqualTo(1);
    }

    @Test
    void aBigBatchIsCopiedInPiecesInOffsetOrder() {
        int n = (int) DeadLetterProgress.MAX_BATCH_RECORDS + 10;
        f.log.append(n);
        f.load();
        f.fetch("m1", n);

        f.ack("m1", 0, n - 1, REJECT);

        List<DeadLetterBatch> writes = f.deadLetters.writes();
        assertThat(writes).hasSize(2);
        assertThat(writes.get(0).offsetCount()).isEqualTo(DeadLetterProgress.MAX_BATCH_RECORDS);
        assertThat(f.deadLetters.topic()).hasSize(n).isSorted();
        assertThat(f.sp.startOffset()).isEqualTo(n);
    }
}
