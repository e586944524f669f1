package io.herald.transaction;

import static io.herald.transaction.CoordinatorHarness.addByLeader;
import static io.herald.transaction.CoordinatorHarness.addV3;
import static io.herald.transaction.CoordinatorHarness.end;
import static io.herald.transaction.CoordinatorHarness.init;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.transaction.record.TransactionRecord;
import io.herald.transaction.state.TransactionMetadata;
import io.herald.transaction.state.TransactionState;
import io.herald.transaction.state.TransactionVersion;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.TransactionResult;
import org.junit.jupiter.api.Test;

/**
 * The transaction coordinator's APIs on a manual loop, clock and log: each API's answers and error cases,
 * fencing, the timeout abort by the timer, retried EndTxn for both transaction versions, markers re-sent after a
 * failover, epoch exhaustion and verifyOnly. Nothing sleeps: "not answered yet" is checked after the loop settled.
 */
class TransactionCoordinatorTest {
    private static final TopicPartition T0 = new TopicPartition("t", 0);
    private static final TopicPartition T1 = new TopicPartition("t", 1);
    private static final short V_INIT = 5;
    private static final short V_ADD = 3;
    private static final short V_END = 4;

    private final CoordinatorHarness h = new CoordinatorHarness().leadAll();

    private InitProducerIdResponseData initProducer(String id) {
        InitProducerIdResponseData r = h.await(h.coordinator.initProducerId(init(id, 60_000), V_INIT));
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        return r;
    }

    private Map<TopicPartition, Errors> add(String id, long pid, short epoch, short version, TopicPartition... tps) {
        AddPartitionsToTxnResponseData r = h.await(h.coordinator.addPartitionsToTxn(addV3(id, pid, epoch, tps),
                version));
        return AddPartitionsToTxnResponse.errorsForTransaction(r.resultsByTopicV3AndBelow());
    }

    private Map<TopicPartition, Errors> byLeader(String id, long pid, short epoch, boolean verifyOnly, short version,
                                                 TopicPartition... tps) {
        AddPartitionsToTxnResponseData r = h.await(h.coordinator.addPartitionsToTxn(
                addByLeader(id, pid, epoch, verifyOnly, tps), version));
        return AddPartitionsToTxnResponse.errorsForTransaction(r.resultsByTransaction().find(id).topicResults());
    }

    private EndTxnResponseData endTxn(String id, long pid, short epoch, boolean commit, short version) {
        return h.await(h.coordinator.endTxn(end(id, pid, epoch, commit), version));
    }

    private static Errors error(EndTxnResponseData r) {
        return Errors.forCode(r.errorCode());
    }

    private TransactionMetadata stored(String id) {
        return h.metadata(id).orElseThrow();
    }

    // ---- InitProducerId ----

    @Test
    void aNewTransactionalIdGetsANewProducerIdAtEpochZeroAndEveryInitBumpsTheEpoch() {
        InitProducerIdResponseData first = initProducer("tx");
        assertThat(first.producerId()).isEqualTo(1000);
        assertThat(first.producerEpoch()).isZero();

        InitProducerIdResponseData second = initProducer("tx");
        assertThat(second.producerId()).isEqualTo(1000);
        assertThat(second.producerEpoch()).isEqualTo((short) 1);
        assertThat(stored("tx").state()).isEqualTo(TransactionState.EMPTY);
    }

    @Test
    void initProducerIdRefusesBadRequestsBeforeTouchingState() {
        assertThat(initError(init("", 1000))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(initError(init("tx", 0))).isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        assertThat(initError(init("tx", 900_001))).isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        assertThat(initError(init("tx", 1000).setProducerId(5))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(initError(init("tx", 1000).setEnable2Pc(true))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(initError(init("tx", 1000).setKeepPreparedTxn(true))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(h.log.records(h.coordinator.partitionFor("tx"))).isEmpty();
    }

    private Errors initError(org.apache.kafka.common.message.InitProducerIdRequestData request) {
        return Errors.forCode(h.await(h.coordinator.initProducerId(request, (short) 6)).errorCode());
    }

    @Test
    void aSecondProducerFencesTheZombieAbortingItsTransactionFirst() {
        InitProducerIdResponseData zombie = initProducer("tx");
        assertThat(add("tx", zombie.producerId(), zombie.producerEpoch(), V_ADD, T0, T1).values())
                .containsOnly(Errors.NONE);

        InitProducerIdResponseData blocked = h.await(h.coordinator.initProducerId(init("tx", 60_000), V_INIT));
        assertThat(Errors.forCode(blocked.errorCode())).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(blocked.producerId()).isEqualTo(-1);
        // The abort is written with a bumped epoch the zombie never had, so partitions fence it.
        TransactionMarkers abort = h.markers.last().markers();
        assertThat(abort.result()).isEqualTo(TransactionResult.ABORT);
        assertThat(abort.producerEpoch()).isEqualTo((short) 1);
        assertThat(abort.partitions()).containsExactlyInAnyOrder(T0, T1);
        assertThat(abort.coordinatorEpoch()).isEqualTo(h.leaderEpoch);

        // Still aborting: the new producer backs off again.
        assertThat(Errors.forCode(h.await(h.coordinator.initProducerId(init("tx", 60_000), V_INIT)).errorCode()))
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        h.writeAllMarkers();
        assertThat(stored("tx").state()).isEqualTo(TransactionState.COMPLETE_ABORT);

        InitProducerIdResponseData successor = initProducer("tx");
        assertThat(successor.producerEpoch()).isEqualTo((short) 2);
        assertThat(error(endTxn("tx", zombie.producerId(), zombie.producerEpoch(), true, V_END)))
                .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(error(endTxn("tx", zombie.producerId(), zombie.producerEpoch(), true, (short) 1)))
                .as("EndTxn v1 predates PRODUCER_FENCED").isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(add("tx", zombie.producerId(), zombie.producerEpoch(), V_ADD, T0).values())
                .containsOnly(Errors.PRODUCER_FENCED);
    }

    @Test
    void kip360AProducerNamingItsEpochRecoversAndARetryOfThatBumpGetsTheSameEpoch() {
        InitProducerIdResponseData first = initProducer("tx");
        var recover = init("tx", first.producerId(), first.producerEpoch());
        InitProducerIdResponseData recovered = h.await(h.coordinator.initProducerId(recover, V_INIT));
        assertThat(recovered.producerEpoch()).isEqualTo((short) 1);
        InitProducerIdResponseData retried = h.await(h.coordinator.initProducerId(recover, V_INIT));
        assertThat(retried.producerEpoch()).as("a lost answer's retry").isEqualTo((short) 1);

        initProducer("tx"); // a new producer: epoch 2, the last epoch is forgotten
        assertThat(Errors.forCode(h.await(h.coordinator.initProducerId(recover, V_INIT)).errorCode()))
                .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(Errors.forCode(h.await(h.coordinator.initProducerId(recover, (short) 3)).errorCode()))
                .as("v3 predates PRODUCER_FENCED").isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
    }

    @Test
    void anExhaustedEpochRotatesToANewProducerIdAndTheRotationsRetryIsRecognised() {
        int partition = h.coordinator.partitionFor("tx");
        h.log.append(partition, java.util.List.of(TransactionRecord.of(new TransactionMetadata("tx", 7, 7, -1,
                (short) (Short.MAX_VALUE - 1), (short) (Short.MAX_VALUE - 2), 60_000, TransactionState.COMPLETE_COMMIT,
                Set.of(), 1, 1, TransactionVersion.TV_0))));
        h.log.commit(partition);
        h.failover();

        var claim = init("tx", 7, (short) (Short.MAX_VALUE - 1));
        InitProducerIdResponseData rotated = h.await(h.coordinator.initProducerId(claim, V_INIT));
        assertThat(rotated.producerId()).isEqualTo(1000);
        assertThat(rotated.producerEpoch()).isZero();
        assertThat(stored("tx").prevProducerId()).isEqualTo(7);

        InitProducerIdResponseData retried = h.await(h.coordinator.initProducerId(claim, V_INIT));
        assertThat(retried.producerId()).isEqualTo(1000);
        assertThat(retried.producerEpoch()).as("the same answer as the lost one").isZero();
        assertThat(Errors.forCode(h.await(h.coordinator.initProducerId(init("tx", 7, (short) 5), V_INIT))
                .errorCode())).isEqualTo(Errors.PRODUCER_FENCED);
    }

    // ---- AddPartitionsToTxn / AddOffsetsToTxn ----

    @Test
    void addPartitionsStartsTheTransactionAndChecksTheProducer() {
        InitProducerIdResponseData p = initProducer("tx");
        long pid = p.producerId();
        assertThat(add("tx", pid + 1, p.producerEpoch(), V_ADD, T0).values())
                .containsOnly(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(add("unknown", pid, p.producerEpoch(), V_ADD, T0).values())
                .containsOnly(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(add("", pid, p.producerEpoch(), V_ADD, T0).values()).containsOnly(Errors.INVALID_REQUEST);
        assertThat(add("tx", pid, (short) 9, (short) 1, T0).values()).containsOnly(Errors.INVALID_PRODUCER_EPOCH);

        h.time.advance(5);
        assertThat(add("tx", pid, p.producerEpoch(), V_ADD, T0).values()).containsOnly(Errors.NONE);
        TransactionMetadata m = stored("tx");
        assertThat(m.state()).isEqualTo(TransactionState.ONGOING);
        assertThat(m.startTimestamp()).isEqualTo(h.time.milliseconds());
        int records = h.log.records(h.coordinator.partitionFor("tx")).size();
        assertThat(add("tx", pid, p.producerEpoch(), V_ADD, T0).values()).containsOnly(Errors.NONE);
        assertThat(h.log.records(h.coordinator.partitionFor("tx"))).as("already added: no write").hasSize(records);

        var offsets = new AddOffsetsToTxnRequestData().setTransactionalId("tx").setProducerId(pid)
                .setProducerEpoch(p.producerEpoch()).setGroupId("group");
        assertThat(h.await(h.coordinator.addOffsetsToTxn(offsets, (short) 4)).errorCode()).isZero();
        TopicPartition offsetsPartition = new TopicPartition("__consumer_offsets",
                TransactionTopic.partitionFor("group", 5));
        assertThat(stored("tx").partitions()).containsExactlyInAnyOrder(T0, offsetsPartition);

        endTxn("tx", pid, p.producerEpoch(), true, V_END);
        assertThat(add("tx", pid, p.producerEpoch(), V_ADD, T1).values())
                .as("while the markers are written").containsOnly(Errors.CONCURRENT_TRANSACTIONS);
    }

    @Test
    void verifyOnlyAnswersWhetherPartitionsAreInTheTransactionWithoutWriting() {
        InitProducerIdResponseData p = initProducer("tx");
        add("tx", p.producerId(), p.producerEpoch(), V_ADD, T0);
        int records = h.log.records(h.coordinator.partitionFor("tx")).size();

        Map<TopicPartition, Errors> v5 = byLeader("tx", p.producerId(), p.producerEpoch(), true, (short) 5, T0, T1);
        assertThat(v5).containsEntry(T0, Errors.NONE).containsEntry(T1, Errors.TRANSACTION_ABORTABLE);
        Map<TopicPartition, Errors> v4 = byLeader("tx", p.producerId(), p.producerEpoch(), true, (short) 4, T1);
        assertThat(v4).containsEntry(T1, Errors.INVALID_TXN_STATE);
        assertThat(byLeader("tx", p.producerId(), (short) 3, true, (short) 5, T0))
                .containsEntry(T0, Errors.PRODUCER_FENCED);
        assertThat(byLeader("other", p.producerId(), p.producerEpoch(), true, (short) 5, T0))
                .containsEntry(T0, Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(h.log.records(h.coordinator.partitionFor("tx"))).hasSize(records);
    }

    @Test
    void transactionVersion2TheLeaderAddsThePartitionAndEveryEndTxnBumpsTheEpoch() {
        InitProducerIdResponseData p = initProducer("tx");
        long pid = p.producerId();
        assertThat(byLeader("tx", pid, (short) 0, false, (short) 5, T0)).containsEntry(T0, Errors.NONE);
        assertThat(stored("tx").clientTransactionVersion()).isEqualTo(TransactionVersion.TV_2);

        EndTxnResponseData committed = endTxn("tx", pid, (short) 0, true, (short) 5);
        assertThat(error(committed)).isEqualTo(Errors.NONE);
        assertThat(committed.producerId()).isEqualTo(pid);
        assertThat(committed.producerEpoch()).isEqualTo((short) 1);
        assertThat(h.markers.last().markers().producerEpoch()).as("markers carry the bumped epoch (KIP-890)")
                .isEqualTo((short) 1);
        h.writeAllMarkers();

        EndTxnResponseData retried = endTxn("tx", pid, (short) 0, true, (short) 5);
        assertThat(error(retried)).isEqualTo(Errors.NONE);
        assertThat(retried.producerEpoch()).isEqualTo((short) 1);
        assertThat(error(endTxn("tx", pid, (short) 0, false, (short) 5))).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(error(endTxn("tx", pid, (short) 1, true, (short) 5))).isEqualTo(Errors.INVALID_TXN_STATE);

        // The next transaction uses the new epoch; an abort with nothing added is allowed and bumps again.
        EndTxnResponseData emptyAbort = endTxn("tx", pid, (short) 1, false, (short) 5);
        assertThat(error(emptyAbort)).isEqualTo(Errors.NONE);
        assertThat(emptyAbort.producerEpoch()).isEqualTo((short) 2);
        h.settle();
        assertThat(stored("tx").state()).as("no partition: completes without a marker")
                .isEqualTo(TransactionState.COMPLETE_ABORT);
        assertThat(error(endTxn("tx", pid, (short) 0, false, (short) 5))).isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void transactionVersion2AnExhaustedEpochMovesToTheNextProducerIdOnCompletion() {
        int partition = h.coordinator.partitionFor("tx");
        short max1 = (short) (Short.MAX_VALUE - 1);
        h.log.append(partition, java.util.List.of(TransactionRecord.of(new TransactionMetadata("tx", 7, 7, -1, max1,
                (short) -1, 60_000, TransactionState.ONGOING, Set.of(T0), 1, 1, TransactionVersion.TV_2))));
        h.log.commit(partition);
        h.failover();

        EndTxnResponseData committed = endTxn("tx", 7, max1, true, (short) 5);
        assertThat(error(committed)).isEqualTo(Errors.NONE);
        assertThat(committed.producerId()).isEqualTo(1000);
        assertThat(committed.producerEpoch()).isZero();
        assertThat(h.markers.last().markers().producerEpoch()).isEqualTo(Short.MAX_VALUE);
        h.writeAllMarkers();
        assertThat(stored("tx").producerId()).isEqualTo(1000);

        EndTxnResponseData retried = endTxn("tx", 7, max1, true, (short) 5);
        assertThat(error(retried)).isEqualTo(Errors.NONE);
        assertThat(retried.producerId()).isEqualTo(1000);
        assertThat(retried.producerEpoch()).isZero();
    }

    // ---- EndTxn ----

    @Test
    void endTxnAnswersOnceThePrepareRecordIsCommittedThenMarkersThenComplete() {
        InitProducerIdResponseData p = initProducer("tx");
        add("tx", p.producerId(), p.producerEpoch(), V_ADD, T0, T1);
        var answer = h.coordinator.endTxn(end("tx", p.producerId(), p.producerEpoch(), true), V_END);
        h.loop.runAll();
        assertThat(answer).as("PrepareCommit not committed yet").isNotDone();
        assertThat(h.markers.writes).as("no marker before the outcome is committed").isEmpty();

        h.settle();
        assertThat(error(answer.join())).isEqualTo(Errors.NONE);
        assertThat(h.markers.pending()).hasSize(1);
        assertThat(stored("tx").state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        h.writeAllMarkers();
        TransactionMetadata done = stored("tx");
        assertThat(done.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(done.partitions()).isEmpty();
    }

    @Test
    void aRetriedEndTxnIsAnsweredAsKafkaDoes() {
        InitProducerIdResponseData p = initProducer("tx");
        long pid = p.producerId();
        short epoch = p.producerEpoch();
        assertThat(error(endTxn("tx", pid, epoch, true, V_END))).as("nothing ongoing")
                .isEqualTo(Errors.INVALID_TXN_STATE);
        add("tx", pid, epoch, V_ADD, T0);
        assertThat(error(endTxn("tx", pid, epoch, true, V_END))).isEqualTo(Errors.NONE);
        assertThat(error(endTxn("tx", pid, epoch, true, V_END))).as("markers being written")
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(error(endTxn("tx", pid, epoch, false, V_END))).isEqualTo(Errors.INVALID_TXN_STATE);
        h.writeAllMarkers();
        assertThat(error(endTxn("tx", pid, epoch, true, V_END))).as("completed: the same outcome is fine")
                .isEqualTo(Errors.NONE);
        assertThat(error(endTxn("tx", pid, epoch, false, V_END))).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(error(endTxn("tx", pid + 1, epoch, true, V_END))).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(error(endTxn("", pid, epoch, true, V_END))).isEqualTo(Errors.INVALID_REQUEST);
    }

    // ---- markers and failover ----

    @Test
    void markersAreSentAgainByTheNewCoordinatorAfterAFailover() {
        InitProducerIdResponseData p = initProducer("tx");
        add("tx", p.producerId(), p.producerEpoch(), V_ADD, T0);
        endTxn("tx", p.producerId(), p.producerEpoch(), true, V_END);
        FakeMarkerChannel.Write first = h.markers.last();
        int oldEpoch = h.leaderEpoch;

        h.failover();
        first.future().completeExceptionally(new org.apache.kafka.common.errors.NotCoordinatorException("fenced"));
        h.settle();
        FakeMarkerChannel.Write again = h.markers.last();
        assertThat(again).isNotSameAs(first);
        assertThat(again.markers().coordinatorEpoch()).isGreaterThan(oldEpoch);
        assertThat(again.markers().result()).isEqualTo(TransactionResult.COMMIT);
        assertThat(stored("tx").state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        h.writeAllMarkers();
        assertThat(stored("tx").state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
    }

    @Test
    void aPrepareRecordLostInAFailoverSendsNoMarkersAndTheTransactionStaysOpen() {
        InitProducerIdResponseData p = initProducer("tx");
        add("tx", p.producerId(), p.producerEpoch(), V_ADD, T0);
        var answer = h.coordinator.endTxn(end("tx", p.producerId(), p.producerEpoch(), true), V_END);
        h.loop.runAll(); // appended, never committed
        h.failover();
        assertThat(error(answer.join())).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(h.markers.writes).isEmpty();
        assertThat(stored("tx").state()).isEqualTo(TransactionState.ONGOING);
    }

    @Test
    void aCommitTimeoutFailsTheAnswerButTheMarkersFollowWhenTheRecordCommits() {
        InitProducerIdResponseData p = initProducer("tx");
        add("tx", p.producerId(), p.producerEpoch(), V_ADD, T0);
        int partition = h.coordinator.partitionFor("tx");
        var answer = h.coordinator.endTxn(end("tx", p.producerId(), p.producerEpoch(), true), V_END);
        h.loop.runAll();
        h.timer.advance(h.config.commitTimeoutMs());
        h.loop.runAll();
        assertThat(error(answer.join())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        h.timer.advance(h.config.commitTimeoutMs()); // the driver's read times out too, and is retried
        h.loop.runAll();
        h.log.commit(partition);
        h.timer.advance(MarkerDriver.RETRY_BACKOFF_MS);
        h.settle();
        assertThat(h.markers.pending()).hasSize(1);
    }

    // ---- timers ----

    @Test
    void theTimerAbortsATransactionPastItsTimeoutAndFencesItsProducer() {
        InitProducerIdResponseData p = h.await(h.coordinator.initProducerId(init("tx", 15_000), V_INIT));
        add("tx", p.producerId(), p.producerEpoch(), V_ADD, T0);
        h.timer.advance(10_000);
        h.settle();
        assertThat(h.markers.writes).as("within its timeout").isEmpty();

        h.timer.advance(10_000);
        h.settle();
        TransactionMarkers abort = h.markers.last().markers();
        assertThat(abort.result()).isEqualTo(TransactionResult.ABORT);
        assertThat(abort.producerEpoch()).isEqualTo((short) (p.producerEpoch() + 1));
        h.writeAllMarkers();
        assertThat(error(endTxn("tx", p.producerId(), p.producerEpoch(), true, V_END)))
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void idleTransactionalIdsExpireByTombstone() {
        initProducer("idle");
        InitProducerIdResponseData busy = initProducer("busy");
        add("busy", busy.producerId(), busy.producerEpoch(), V_ADD, T0);
        h.timer.advance(h.config.transactionalIdExpirationMs());
        h.settle();
        h.timer.advance(h.config.removeExpiredIntervalMs());
        h.settle();
        assertThat(h.metadata("idle")).isEmpty();
        assertThat(h.log.records(h.coordinator.partitionFor("idle")))
                .contains(TransactionRecord.tombstone("idle"));
        assertThat(h.metadata("busy")).as("an ongoing transaction is aborted, not expired").isPresent();
    }

    // ---- admin and routing ----

    @Test
    void listAndDescribeTransactions() {
        InitProducerIdResponseData a = initProducer("a");
        initProducer("b");
        add("a", a.producerId(), a.producerEpoch(), V_ADD, T0);
        h.time.advance(100);

        var all = h.await(h.coordinator.listTransactions(new ListTransactionsRequestData(), (short) 2));
        assertThat(all.transactionStates()).extracting(s -> s.transactionalId()).containsExactlyInAnyOrder("a", "b");
        var ongoing = h.await(h.coordinator.listTransactions(new ListTransactionsRequestData()
                .setStateFilters(java.util.List.of("Ongoing", "Bogus")), (short) 0));
        assertThat(ongoing.transactionStates()).extracting(s -> s.transactionalId()).containsExactly("a");
        assertThat(ongoing.unknownStateFilters()).containsExactly("Bogus");
        var longer = h.await(h.coordinator.listTransactions(new ListTransactionsRequestData()
                .setStateFilters(java.util.List.of("Ongoing")).setDurationFilter(100), (short) 1));
        assertThat(longer.transactionStates()).isEmpty();
        var pattern = h.await(h.coordinator.listTransactions(new ListTransactionsRequestData()
                .setTransactionalIdPattern("b.*"), (short) 2));
        assertThat(pattern.transactionStates()).extracting(s -> s.transactionalId()).containsExactly("b");
        assertThat(h.await(h.coordinator.listTransactions(new ListTransactionsRequestData()
                .setTransactionalIdPattern("("), (short) 2)).errorCode())
                .isEqualTo(Errors.INVALID_REGULAR_EXPRESSION.code());

        var described = h.await(h.coordinator.describeTransaction("a"));
        assertThat(described.errorCode()).isZero();
        assertThat(described.transactionState()).isEqualTo("Ongoing");
        assertThat(described.topics().find("t").partitions()).containsExactly(0);
        assertThat(h.await(h.coordinator.describeTransaction("nope")).errorCode())
                .isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
        assertThat(h.await(h.coordinator.describeTransaction("")).errorCode())
                .isEqualTo(Errors.INVALID_REQUEST.code());
    }

    @Test
    void anIdIsServedOnlyWhereItsPartitionIsLedAndLoaded() {
        CoordinatorHarness fresh = new CoordinatorHarness();
        int partition = fresh.coordinator.partitionFor("tx");
        assertThat(fresh.coordinator.partitionFor("tx")).isEqualTo(Math.abs("tx".hashCode()) % 3);
        assertThat(Errors.forCode(fresh.await(fresh.coordinator.initProducerId(init("tx", 1000), V_INIT))
                .errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
        fresh.log.setAvailable(partition, false);
        fresh.coordinator.onBecomeLeader(partition, 1);
        fresh.loop.runAll();
        assertThat(fresh.coordinator.availability("tx")).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        assertThat(fresh.await(fresh.coordinator.describeTransaction("tx")).errorCode())
                .isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
        assertThat(fresh.await(fresh.coordinator.listTransactions(new ListTransactionsRequestData(), (short) 1))
                .errorCode()).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
        fresh.log.setAvailable(partition, true);
        fresh.timer.advance(1_000);
        fresh.settle();
        assertThat(fresh.coordinator.availability("tx")).isEqualTo(Errors.NONE);
        assertThat(Optional.of(fresh.await(fresh.coordinator.initProducerId(init("tx", 1000), V_INIT)).errorCode()))
                .contains((short) 0);
    }
}
