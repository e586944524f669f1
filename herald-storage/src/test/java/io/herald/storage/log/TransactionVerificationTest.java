package io.herald.storage.log;

import static org.apache.kafka.common.record.internal.ControlRecordType.ABORT;
import static org.apache.kafka.common.record.internal.ControlRecordType.COMMIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.time.ManualTime;
import io.herald.common.txn.VerificationGuard;
import io.herald.storage.config.LogConfig;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;
import io.herald.storage.txn.TransactionMarker;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KIP-890 part 1 on the partition log: a transaction starts only with the guard its verification handed out, and an
 * end marker of the producer written after the verification invalidates the guard, so the late append of an ended
 * transaction cannot open a new one that no coordinator knows.
 */
class TransactionVerificationTest {
    private static final TopicPartition TP = new TopicPartition("verified", 0);
    private static final long PID = 77L;
    private static final short EPOCH = 2;

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime(1_000_000L);
    private PartitionLog log;

    @BeforeEach
    void open() throws Exception {
        log = PartitionLog.open(root.resolve("verified-0"), TP, LogConfig.defaults(), time, false,
                PartitionCheckpoint.NONE);
    }

    @AfterEach
    void close() {
        log.close();
    }

    private static MemoryRecords txn(int seq) {
        return TestRecords.transactionalBatch(PID, EPOCH, seq, List.of(KV.of("k" + seq, "v" + seq)));
    }

    @Test
    void aVerifiedAppendStartsTheTransaction() {
        VerificationGuard guard = log.maybeStartTransactionVerification(PID, EPOCH);
        assertThat(guard).isNotSameAs(VerificationGuard.SENTINEL);
        log.appendAsLeader(txn(0), 0, guard);
        assertThat(log.producerState(PID).orElseThrow().currentTxnFirstOffset()).hasValue(0);
        // ongoing now: nothing more to verify, and later batches need no guard
        assertThat(log.maybeStartTransactionVerification(PID, EPOCH)).isSameAs(VerificationGuard.SENTINEL);
        log.appendAsLeader(txn(1), 0, VerificationGuard.SENTINEL);
        assertThat(log.logEndOffset()).isEqualTo(2);
    }

    @Test
    void aMarkerBetweenVerificationAndAppendRefusesTheAppend() {
        VerificationGuard first = log.maybeStartTransactionVerification(PID, EPOCH);
        log.appendAsLeader(txn(0), 0, first);
        VerificationGuard late = log.maybeStartTransactionVerification(PID, EPOCH); // SENTINEL: ongoing
        log.appendTransactionMarker(new TransactionMarker(PID, EPOCH, 0, ABORT), 0);
        long end = log.logEndOffset();

        assertThatThrownBy(() -> log.appendAsLeader(txn(1), 0, late)).isInstanceOf(InvalidTxnStateException.class);
        assertThat(log.logEndOffset()).isEqualTo(end);
        assertThat(log.producerState(PID).orElseThrow().hasOngoingTransaction()).isFalse();
    }

    @Test
    void aGuardIsInvalidatedByAMarkerWrittenAfterIt() {
        log.appendAsLeader(txn(0), 0, log.maybeStartTransactionVerification(PID, EPOCH));
        VerificationGuard stale = VerificationGuard.SENTINEL;
        log.appendTransactionMarker(new TransactionMarker(PID, EPOCH, 0, COMMIT), 0);
        VerificationGuard next = log.maybeStartTransactionVerification(PID, EPOCH);
        log.appendTransactionMarker(new TransactionMarker(PID, EPOCH, 0, ABORT), 0); // e.g. a timeout abort

        assertThatThrownBy(() -> log.appendAsLeader(txn(1), 0, next)).isInstanceOf(InvalidTxnStateException.class);
        assertThatThrownBy(() -> log.appendAsLeader(txn(1), 0, stale)).isInstanceOf(InvalidTxnStateException.class);
        log.appendAsLeader(txn(1), 0, log.maybeStartTransactionVerification(PID, EPOCH));
        assertThat(log.producerState(PID).orElseThrow().hasOngoingTransaction()).isTrue();
    }

    @Test
    void aGuardIsUsedUpByTheTransactionItStarted() {
        VerificationGuard guard = log.maybeStartTransactionVerification(PID, EPOCH);
        log.appendAsLeader(txn(0), 0, guard);
        log.appendTransactionMarker(new TransactionMarker(PID, EPOCH, 0, COMMIT), 0);
        assertThatThrownBy(() -> log.appendAsLeader(txn(1), 0, guard)).isInstanceOf(InvalidTxnStateException.class);
    }

    @Test
    void anotherProducersGuardDoesNotVerify() {
        VerificationGuard other = log.maybeStartTransactionVerification(PID + 1, EPOCH);
        log.maybeStartTransactionVerification(PID, EPOCH);
        assertThatThrownBy(() -> log.appendAsLeader(txn(0), 0, other)).isInstanceOf(InvalidTxnStateException.class);
    }

    @Test
    void produceRequestsInFlightTogetherShareTheGuard() {
        VerificationGuard first = log.maybeStartTransactionVerification(PID, EPOCH);
        VerificationGuard second = log.maybeStartTransactionVerification(PID, EPOCH);
        assertThat(second).isSameAs(first);
        log.appendAsLeader(txn(0), 0, first);
        log.appendAsLeader(txn(1), 0, second);
        assertThat(log.logEndOffset()).isEqualTo(2);
    }

    /**
     * Transaction version 2: the previous transaction's marker carries the bumped epoch, the one the next
     * transaction already runs at; when it lands after the next transaction was verified, the guard stays.
     */
    @Test
    void aVersion2MarkerOfThePreviousTransactionKeepsTheNextOnesGuard() {
        short next = (short) (EPOCH + 1);
        log.appendAsLeader(txn(0), 0, log.maybeStartTransactionVerification(PID, EPOCH));
        VerificationGuard nextGuard = log.maybeStartTransactionVerification(PID, next);
        log.appendTransactionMarker(new TransactionMarker(PID, next, 0, COMMIT, (short) 2), 0);
        log.appendAsLeader(TestRecords.transactionalBatch(PID, next, 0, List.of(KV.of("k", "v"))), 0, nextGuard);
        assertThat(log.producerState(PID).orElseThrow().currentTxnFirstOffset()).hasValue(2);
    }

    @Test
    void aVersion2MarkerOfAnotherEpochStillEndsTheGuard() {
        VerificationGuard guard = log.maybeStartTransactionVerification(PID, EPOCH);
        log.appendTransactionMarker(new TransactionMarker(PID, (short) (EPOCH + 1), 0, ABORT, (short) 2), 0);
        assertThatThrownBy(() -> log.appendAsLeader(TestRecords.transactionalBatch(PID, (short) (EPOCH + 1), 0,
                List.of(KV.of("k", "v"))), 0, guard)).isInstanceOf(InvalidTxnStateException.class);
    }

    @Test
    void appendsThatAskForNoVerificationAreUnchanged() {
        log.appendAsLeader(txn(0), 0);
        assertThat(log.producerState(PID).orElseThrow().hasOngoingTransaction()).isTrue();
    }
}
