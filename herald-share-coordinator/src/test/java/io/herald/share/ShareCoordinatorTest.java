package io.herald.share;

import static io.herald.share.ShareHarness.batch;
import static io.herald.share.ShareHarness.delete;
import static io.herald.share.ShareHarness.summary;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.coordinator.share.PersistedBatch;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.share.record.ShareRecord;
import io.herald.share.state.SharePartitionState;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * The share coordinator's five RPCs on a manual loop, clock and log: each RPC's answers and error cases, fencing,
 * the merge of batches, snapshots every so many updates, per-partition NOT_COORDINATOR and
 * COORDINATOR_LOAD_IN_PROGRESS in one request, the commit timeout, failover and deleted topics. Nothing sleeps:
 * "not answered yet" is checked after the loop settled.
 */
class ShareCoordinatorTest {
    private static final short V1 = 1;

    private final ShareHarness h = new ShareHarness().leadAll();
    private final Uuid topic = h.topic(4);
    private final SharePartitionKey key = new SharePartitionKey("group", topic, 2);

    private Errors initialize(SharePartitionKey k, int stateEpoch, long startOffset) {
        var r = h.await(h.coordinator.initializeState(ShareHarness.initialize(k, stateEpoch, startOffset)));
        return Errors.forCode(r.results().get(0).partitions().get(0).errorCode());
    }

    private ReadShareGroupStateResponseData.PartitionResult read(SharePartitionKey k, int leaderEpoch) {
        return h.await(h.coordinator.readState(ShareHarness.read(k, leaderEpoch))).results().get(0).partitions()
                .get(0);
    }

    private WriteShareGroupStateResponseData.PartitionResult write(SharePartitionKey k, int stateEpoch,
                                                                   int leaderEpoch, long startOffset,
                                                                   PersistedBatch... batches) {
        return h.await(h.coordinator.writeState(ShareHarness.write(k, stateEpoch, leaderEpoch, startOffset, 7,
                batches), V1)).results().get(0).partitions().get(0);
    }

    private static Errors error(WriteShareGroupStateResponseData.PartitionResult r) {
        return Errors.forCode(r.errorCode());
    }

    private static List<PersistedBatch> batches(ReadShareGroupStateResponseData.PartitionResult r) {
        return r.stateBatches().stream().map(b -> batch(b.firstOffset(), b.lastOffset(), b.deliveryState(),
                b.deliveryCount())).toList();
    }

    private List<ShareRecord> records() {
        return h.log.records(h.partitionOf(key));
    }

    // ---- InitializeShareGroupState / ReadShareGroupState ----

    @Test
    void anInitializedShareParitionReadsItsStartOffsetAndStateEpochWithNothingInFlight() {
        assertThat(initialize(key, 3, 100)).isEqualTo(Errors.NONE);

        var r = read(key, 0);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.partition()).isEqualTo(2);
        assertThat(r.stateEpoch()).isEqualTo(3);
        assertThat(r.startOffset()).isEqualTo(100);
        assertThat(r.stateBatches()).isEmpty();
        SharePartitionState s = h.state(key).orElseThrow();
        assertThat(s.snapshotEpoch()).isZero();
        assertThat(s.leaderEpoch()).isZero();
        assertThat(s.deliveryCompleteCount()).isZero();
        assertThat(s.createTimestamp()).isEqualTo(h.time.milliseconds()).isEqualTo(s.writeTimestamp());
        assertThat(records()).singleElement().isInstanceOf(ShareRecord.Snapshot.class);
    }

    @Test
    void aReadOrWriteOfAShareParitionNeverInitializedIsAnInvalidRequest() {
        var r = read(key, 0);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(r.errorMessage()).isEqualTo("Read operation on uninitialized share partition not allowed.");

        var w = write(key, 0, 0, 10, batch(10, 12, 0, 1));
        assertThat(error(w)).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(w.errorMessage()).isEqualTo("Write operation on uninitialized share partition not allowed.");
        assertThat(records()).isEmpty();
    }

    @Test
    void initializeWithoutAStartOffsetHasAnUnknownDeliveryCompleteCountAndBumpsTheSnapshotEpoch() {
        initialize(key, 0, -1);
        assertThat(h.state(key).orElseThrow().deliveryCompleteCount()).isEqualTo(-1);
        assertThat(read(key, 0).startOffset()).isEqualTo(-1);

        write(key, 0, 0, 5, batch(5, 9, 2, 1));
        initialize(key, 1, 50);
        SharePartitionState s = h.state(key).orElseThrow();
        assertThat(s.snapshotEpoch()).as("a second initialize is a new snapshot").isEqualTo(1);
        assertThat(s.stateEpoch()).isEqualTo(1);
        assertThat(s.batches()).as("initialize starts afresh").isEmpty();
        assertThat(s.startOffset()).isEqualTo(50);
    }

    @Test
    void anInitializeWithAnOlderStateEpochIsFencedAndMinusOneNeverIs() {
        initialize(key, 5, 0);
        var r = h.await(h.coordinator.initializeState(ShareHarness.initialize(key, 4, 0))).results().get(0)
                .partitions().get(0);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.FENCED_STATE_EPOCH);
        assertThat(r.errorMessage()).isEqualTo(Errors.FENCED_STATE_EPOCH.message());
        assertThat(initialize(key, 5, 0)).as("the same epoch").isEqualTo(Errors.NONE);
        assertThat(initialize(key, -1, 7)).isEqualTo(Errors.NONE);
        assertThat(read(key, 0).stateEpoch()).as("-1 is stored as it is").isEqualTo(-1);
        assertThat(initialize(key, 4, 0)).as("the fence is the highest epoch seen, not the stored one")
                .isEqualTo(Errors.FENCED_STATE_EPOCH);
    }

    // ---- WriteShareGroupState ----

    @Test
    void aWriteMergesItsBatchesByPriorityAndReadsSeeTheMergedState() {
        initialize(key, 0, 0);
        assertThat(error(write(key, 0, 0, 0, batch(0, 9, 0, 1)))).isEqualTo(Errors.NONE);
        // A higher delivery count inside the batch splits it in three.
        write(key, 0, 0, -1, batch(3, 4, 0, 2));
        assertThat(batches(read(key, 0))).containsExactly(batch(0, 2, 0, 1), batch(3, 4, 0, 2), batch(5, 9, 0, 1));

        // Acknowledged beats Available at the same count; a lower count does not take back a delivery.
        write(key, 0, 0, -1, batch(0, 4, 2, 1), batch(8, 9, 0, 0));
        assertThat(batches(read(key, 0))).containsExactly(batch(0, 2, 2, 1), batch(3, 4, 0, 2), batch(5, 9, 0, 1));

        // Records below the new start offset are done: their batches go, a straddling one is cut.
        write(key, 0, 0, 4, batch(10, 12, 4, 1));
        var r = read(key, 0);
        assertThat(r.startOffset()).isEqualTo(4);
        assertThat(batches(r)).containsExactly(batch(4, 4, 0, 2), batch(5, 9, 0, 1), batch(10, 12, 4, 1));
        assertThat(h.state(key).orElseThrow().deliveryCompleteCount()).isEqualTo(7);
    }

    @Test
    void aStartOffsetOfMinusOneKeepsTheHeldOne() {
        initialize(key, 0, 40);
        write(key, 0, 0, -1, batch(41, 45, 0, 1));
        var r = read(key, 0);
        assertThat(r.startOffset()).isEqualTo(40);
        assertThat(batches(r)).containsExactly(batch(41, 45, 0, 1));
    }

    @Test
    void aWriteOfAnOlderLeaderEpochIsFencedAndChangesNothing() {
        initialize(key, 0, 0);
        read(key, 5);
        int before = records().size();

        var w = write(key, 0, 4, 10, batch(10, 20, 2, 1));
        assertThat(error(w)).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(w.errorMessage()).isEqualTo(Errors.FENCED_LEADER_EPOCH.message());
        assertThat(records()).hasSize(before);
        assertThat(read(key, 5).startOffset()).isZero();
        assertThat(error(write(key, 0, 5, 10))).isEqualTo(Errors.NONE);
        assertThat(error(write(key, 0, 6, 11))).as("a newer leader that has not read yet").isEqualTo(Errors.NONE);
        assertThat(h.state(key).orElseThrow().leaderEpoch()).as("a write does not record its epoch").isEqualTo(5);
        assertThat(error(write(key, 0, -1, 12))).as("-1 is not fenced").isEqualTo(Errors.NONE);
    }

    @Test
    void aWriteOfAnOlderStateEpochIsFenced() {
        initialize(key, 0, 0);
        initialize(key, 2, 100); // AlterShareGroupOffsets
        var w = write(key, 1, 0, 5, batch(5, 6, 2, 1));
        assertThat(error(w)).isEqualTo(Errors.FENCED_STATE_EPOCH);
        assertThat(read(key, 0).startOffset()).isEqualTo(100);
        assertThat(error(write(key, 2, 0, 101))).isEqualTo(Errors.NONE);
    }

    @Test
    void aLeaderEpochFenceIsCheckedBeforeAStateEpochFence() {
        initialize(key, 3, 0);
        read(key, 3);
        assertThat(error(write(key, 2, 2, 0))).isEqualTo(Errors.FENCED_LEADER_EPOCH);
    }

    @Test
    void everyNthWriteIsASnapshotOfTheMergedState() {
        ShareHarness small = new ShareHarness(ShareHarness.CONFIG.withSnapshotUpdateRecordsPerSnapshot(2)).leadAll();
        Uuid t = small.topic(1);
        SharePartitionKey k = new SharePartitionKey("g", t, 0);
        small.await(small.coordinator.initializeState(ShareHarness.initialize(k, 0, 0)));
        for (int i = 0; i < 5; i++) {
            small.time.advance(10);
            small.await(small.coordinator.writeState(ShareHarness.write(k, 0, 0, i, 0, batch(i, i, 2, 1)), V1));
        }
        List<ShareRecord> log = small.log.records(small.partitionOf(k));
        assertThat(log).extracting(r -> r.getClass().getSimpleName())
                .containsExactly("Snapshot", "Update", "Update", "Snapshot", "Update", "Update");
        var snapshot = (ShareRecord.Snapshot) log.get(3);
        assertThat(snapshot.state().snapshotEpoch()).isEqualTo(1);
        assertThat(snapshot.state().batches()).as("the merged state").containsExactly(batch(2, 2, 2, 1));
        assertThat(snapshot.state().writeTimestamp()).isEqualTo(snapshot.state().createTimestamp());
        assertThat(((ShareRecord.Update) log.get(5)).update().snapshotEpoch()).isEqualTo(1);
        assertThat(small.state(k).orElseThrow().batches()).containsExactly(batch(4, 4, 2, 1));
    }

    @Test
    void aV0WriteStoresAnUnknownDeliveryCompleteCount() {
        initialize(key, 0, 0);
        h.await(h.coordinator.writeState(ShareHarness.write(key, 0, 0, 1, 9), (short) 0));
        assertThat(h.state(key).orElseThrow().deliveryCompleteCount()).isEqualTo(-1);
    }

    @Test
    void aBatchEndingBeforeItStartsIsAnInvalidRequest() {
        initialize(key, 0, 0);
        var w = write(key, 0, 0, 0, batch(5, 5, 0, 1));
        assertThat(error(w)).isEqualTo(Errors.NONE);
        var bad = ShareHarness.write(key, 0, 0, 0, 0);
        bad.topics().get(0).partitions().get(0).stateBatches().add(new WriteShareGroupStateRequestData.StateBatch()
                .setFirstOffset(9).setLastOffset(8));
        var r = h.await(h.coordinator.writeState(bad, V1)).results().get(0).partitions().get(0);
        assertThat(error(r)).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(r.errorMessage()).contains("[9, 8]");
    }

    // ---- reads and leader epochs ----

    @Test
    void aReadByANewLeaderRecordsItsEpochAndFencesOlderReaders() {
        initialize(key, 0, 0);
        int before = records().size();
        read(key, 3);
        assertThat(records()).as("a new leader epoch is written").hasSize(before + 1);
        read(key, 3);
        read(key, -1);
        assertThat(records()).as("the same epoch, or none, is only a read").hasSize(before + 1);

        var fenced = read(key, 2);
        assertThat(Errors.forCode(fenced.errorCode())).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(h.state(key).orElseThrow().leaderEpoch()).isEqualTo(3);
    }

    // ---- DeleteShareGroupState / ReadShareGroupStateSummary ----

    @Test
    void deleteWritesATombstoneAndTheShareParitionIsForgotten() {
        initialize(key, 0, 0);
        read(key, 4);
        DeleteShareGroupStateResponseData r = h.await(h.coordinator.deleteState(delete(key)));
        assertThat(r.results().get(0).partitions().get(0).errorCode()).isZero();
        assertThat(records().get(records().size() - 1)).isEqualTo(new ShareRecord.Tombstone(key));
        assertThat(Errors.forCode(read(key, 0).errorCode())).isEqualTo(Errors.INVALID_REQUEST);

        int after = records().size();
        assertThat(h.await(h.coordinator.deleteState(delete(key))).results().get(0).partitions().get(0).errorCode())
                .as("deleting nothing succeeds").isZero();
        assertThat(records()).as("and writes nothing").hasSize(after);
        assertThat(initialize(key, 0, 0)).as("the old epochs are forgotten").isEqualTo(Errors.NONE);
        assertThat(Errors.forCode(read(key, 1).errorCode())).isEqualTo(Errors.NONE);
    }

    @Test
    void theSummaryReadsWithoutFencingAndShowsTheCountFromV1() {
        initialize(key, 2, 10);
        read(key, 6);
        write(key, 2, 6, 12, batch(12, 15, 2, 1));

        ReadShareGroupStateSummaryResponseData.PartitionResult s = h.await(h.coordinator.readStateSummary(
                summary(key, 1), V1)).results().get(0).partitions().get(0);
        assertThat(Errors.forCode(s.errorCode())).as("an older leader epoch is not fenced").isEqualTo(Errors.NONE);
        assertThat(s.startOffset()).isEqualTo(12);
        assertThat(s.stateEpoch()).isEqualTo(2);
        assertThat(s.leaderEpoch()).isEqualTo(6);
        assertThat(s.deliveryCompleteCount()).isEqualTo(7);
        assertThat(h.await(h.coordinator.readStateSummary(summary(key, 1), (short) 0)).results().get(0)
                .partitions().get(0).deliveryCompleteCount()).isEqualTo(-1);

        var unknown = h.await(h.coordinator.readStateSummary(summary(new SharePartitionKey("other", topic, 0), 0),
                V1)).results().get(0).partitions().get(0);
        assertThat(Errors.forCode(unknown.errorCode())).isEqualTo(Errors.NONE);
        assertThat(unknown.startOffset()).isEqualTo(-1);
        assertThat(unknown.deliveryCompleteCount()).isEqualTo(-1);
    }

    // ---- validation ----

    @Test
    void aNullTopicIdOrANegativePartitionIsAnInvalidRequestWithKafkasMessage() {
        var nullTopic = initialize(key, 0, 0);
        var request = ShareHarness.read(key, 0);
        request.topics().get(0).setTopicId(null);
        var r = h.await(h.coordinator.readState(request)).results().get(0).partitions().get(0);
        assertThat(nullTopic).isEqualTo(Errors.NONE);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(r.errorMessage()).isEqualTo("The topic id cannot be null.");

        var negative = new WriteShareGroupStateRequestData().setGroupId("group").setTopics(List.of(
                new WriteShareGroupStateRequestData.WriteStateData().setTopicId(topic).setPartitions(List.of(
                        new WriteShareGroupStateRequestData.PartitionData().setPartition(-1)))));
        var w = h.await(h.coordinator.writeState(negative, V1)).results().get(0).partitions().get(0);
        assertThat(error(w)).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(w.errorMessage()).isEqualTo("The partition id cannot be a negative number.");
    }

    @Test
    void aPartitionTheClusterDoesNotHaveIsUnknown() {
        SharePartitionKey beyond = new SharePartitionKey("group", topic, 4);
        assertThat(initialize(beyond, 0, 0)).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        SharePartitionKey noTopic = new SharePartitionKey("group", Uuid.randomUuid(), 0);
        assertThat(initialize(noTopic, 0, 0)).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(h.await(h.coordinator.deleteState(delete(noTopic))).results().get(0).partitions().get(0)
                .errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }

    @Test
    void aRequestWithoutGroupTopicsOrPartitionsIsAnsweredWithNoResults() {
        assertThat(h.await(h.coordinator.readState(ShareHarness.read(key, 0).setGroupId(""))).results()).isEmpty();
        assertThat(h.await(h.coordinator.readState(new ReadShareGroupStateRequestData().setGroupId("g")))
                .results()).isEmpty();
        var noPartitions = ShareHarness.write(key, 0, 0, 0, 0);
        noPartitions.topics().get(0).partitions().clear();
        assertThat(h.await(h.coordinator.writeState(noPartitions, V1)).results()).isEmpty();
        var initNoPartitions = initialize(key, 0, 0);
        assertThat(initNoPartitions).isEqualTo(Errors.NONE);
        assertThat(h.await(h.coordinator.initializeState(new InitializeShareGroupStateRequestData()
                .setGroupId("g"))).results()).isEmpty();
    }

    // ---- coordination ----

    @Test
    void eachShareParitionOfARequestIsAnsweredByItsOwnPartitionsAvailability() {
        ShareHarness partial = new ShareHarness();
        Uuid t = partial.topic(64);
        // Three share-partitions on the three partitions of __share_group_state.
        SharePartitionKey[] onPartition = new SharePartitionKey[ShareHarness.PARTITIONS];
        for (int p = 0; java.util.Arrays.asList(onPartition).contains(null); p++) {
            SharePartitionKey k = new SharePartitionKey("g", t, p);
            if (onPartition[partial.partitionOf(k)] == null) {
                onPartition[partial.partitionOf(k)] = k;
            }
        }
        partial.log.setAvailable(1, false);
        partial.coordinator.onBecomeLeader(0, 1); // served
        partial.coordinator.onBecomeLeader(1, 1); // no replica yet: loading
        partial.settle();                         // partition 2: led elsewhere

        var request = new InitializeShareGroupStateRequestData().setGroupId("g").setTopics(List.of(
                new InitializeShareGroupStateRequestData.InitializeStateData().setTopicId(t).setPartitions(
                        java.util.Arrays.stream(onPartition).map(k -> new InitializeShareGroupStateRequestData
                                .PartitionData().setPartition(k.partition()).setStartOffset(0)).toList())));
        var results = partial.await(partial.coordinator.initializeState(request)).results().get(0).partitions();
        assertThat(results).extracting(r -> Errors.forCode(r.errorCode())).containsExactly(Errors.NONE,
                Errors.COORDINATOR_LOAD_IN_PROGRESS, Errors.NOT_COORDINATOR);
        assertThat(results.get(2).errorMessage()).startsWith("Unable to initialize share group state: ");
        assertThat(partial.coordinator.availability(onPartition[0].coordinatorKey())).isEqualTo(Errors.NONE);
    }

    @Test
    void aWriteTheIsrDoesNotCommitInTimeIsCoordinatorNotAvailable() {
        initialize(key, 0, 0);
        var answer = h.coordinator.writeState(ShareHarness.write(key, 0, 0, 3, 0), V1);
        h.loop.runAll();
        assertThat(answer).as("waits for the ISR").isNotDone();
        h.timer.advance(h.config.writeTimeoutMs());
        h.loop.runAll();
        var r = answer.join().results().get(0).partitions().get(0);
        assertThat(error(r)).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(r.errorMessage()).startsWith("Unable to write share group state: ");
    }

    @Test
    void committedStateSurvivesAFailoverAndUncommittedStateDoesNot() {
        initialize(key, 1, 0);
        read(key, 2);
        write(key, 1, 2, 5, batch(5, 9, 2, 1));
        h.coordinator.writeState(ShareHarness.write(key, 1, 2, 20, 0), V1); // never committed
        h.loop.runAll();

        h.failover();
        var r = read(key, 2);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.startOffset()).isEqualTo(5);
        assertThat(batches(r)).containsExactly(batch(5, 9, 2, 1));
        assertThat(Errors.forCode(read(key, 1).errorCode())).as("the fence survives too")
                .isEqualTo(Errors.FENCED_LEADER_EPOCH);
    }

    @Test
    void aClosedCoordinatorAnswersCoordinatorNotAvailable() {
        h.coordinator.close();
        var r = h.await(h.coordinator.readState(ShareHarness.read(key, 0))).results().get(0).partitions().get(0);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(r.errorMessage()).isEqualTo("Share coordinator is not available.");
    }

    @Test
    void deletedTopicsLoseTheirShareState() {
        Uuid other = h.topic(1);
        SharePartitionKey kept = new SharePartitionKey("group", other, 0);
        initialize(key, 0, 0);
        initialize(kept, 0, 0);
        h.await(h.coordinator.onTopicsDeleted(Set.of(topic)));
        assertThat(h.state(key)).isEmpty();
        assertThat(h.state(kept)).isPresent();
        assertThat(records()).contains(new ShareRecord.Tombstone(key));
    }

    @Test
    void placementIsKafkasAndTheKeyIsKafkasCoordinatorKey() {
        String kafkaKey = org.apache.kafka.server.share.SharePartitionKey.asCoordinatorKey("group", topic, 2);
        assertThat(key.coordinatorKey()).isEqualTo(kafkaKey);
        ShareCoordinator fifty = ShareCoordinator.onLoop(ShareCoordinatorConfig.defaults(), h.log, t -> null, h.time,
                h.timer, h.loop);
        assertThat(fifty.partitionFor(kafkaKey)).isEqualTo(Utils.abs(kafkaKey.hashCode()) % 50);
        assertThat(ShareStateTopic.NAME).isEqualTo("__share_group_state");
    }
}
