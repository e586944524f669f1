package io.herald.share;

import io.herald.common.concurrent.ManualExecutor;
import io.herald.common.time.ManualTime;
import io.herald.common.timer.ManualTimer;
import io.herald.coordinator.runtime.MemoryLog;
import io.herald.coordinator.share.PersistedBatch;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.share.record.ShareRecord;
import io.herald.share.state.SharePartitionState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteShareGroupStateRequestData;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;

/**
 * A share coordinator driven by hand: a manual loop, clock and timer, an in-memory {@code __share_group_state} whose
 * high watermark the test moves ({@link #settle} commits everything), and a cluster whose topics the test declares.
 * Nothing sleeps.
 */
final class ShareHarness {
    static final int PARTITIONS = 3;
    static final ShareCoordinatorConfig CONFIG = ShareCoordinatorConfig.defaults().withStateTopicPartitions(PARTITIONS);

    final ManualTime time = new ManualTime();
    final ManualTimer timer = new ManualTimer(time);
    final ManualExecutor loop = new ManualExecutor();
    final MemoryLog<ShareRecord> log = new MemoryLog<>(timer);
    final Map<Uuid, Integer> topics = new HashMap<>();
    final ShareCoordinatorConfig config;
    ShareCoordinator coordinator;
    int leaderEpoch;

    ShareHarness() {
        this(CONFIG);
    }

    ShareHarness(ShareCoordinatorConfig config) {
        this.config = config;
        this.coordinator = newCoordinator();
    }

    ShareCoordinator newCoordinator() {
        return ShareCoordinator.onLoop(config, log, this::partitionCount, time, timer, loop);
    }

    private synchronized OptionalInt partitionCount(Uuid topicId) {
        Integer count = topics.get(topicId);
        return count == null ? OptionalInt.empty() : OptionalInt.of(count);
    }

    /** A topic of the cluster. */
    synchronized Uuid topic(int partitions) {
        Uuid id = Uuid.randomUuid();
        topics.put(id, partitions);
        return id;
    }

    /** This coordinator leads every partition at the next leader epoch, and has loaded them. */
    ShareHarness leadAll() {
        leaderEpoch++;
        for (int p = 0; p < PARTITIONS; p++) {
            coordinator.onBecomeLeader(p, leaderEpoch);
        }
        settle();
        return this;
    }

    /** A new coordinator on another broker takes over: the uncommitted suffix is gone, the log is replayed. */
    void failover() {
        for (int p = 0; p < PARTITIONS; p++) {
            coordinator.onResign(p, leaderEpoch);
            log.failover(p);
        }
        loop.runAll();
        coordinator = newCoordinator();
        leadAll();
    }

    /** Runs the loop and lets the ISR catch up, until nothing is left to do. */
    void settle() {
        for (int i = 0; i < 100; i++) {
            loop.runAll();
            for (int p = 0; p < PARTITIONS; p++) {
                log.commit(p);
            }
            if (loop.queued() == 0) {
                return;
            }
        }
        throw new AssertionError("the coordinator does not settle");
    }

    <T> T await(CompletableFuture<T> future) {
        settle();
        if (!future.isDone()) {
            throw new AssertionError("not answered after the loop settled");
        }
        return future.join();
    }

    Optional<SharePartitionState> state(SharePartitionKey key) {
        return await(coordinator.state(key));
    }

    int partitionOf(SharePartitionKey key) {
        return coordinator.partitionFor(key.coordinatorKey());
    }

    // ---- requests of one share-partition ----

    static InitializeShareGroupStateRequestData initialize(SharePartitionKey key, int stateEpoch, long startOffset) {
        return new InitializeShareGroupStateRequestData().setGroupId(key.groupId()).setTopics(mutable(
                new InitializeShareGroupStateRequestData.InitializeStateData().setTopicId(key.topicId())
                        .setPartitions(mutable(new InitializeShareGroupStateRequestData.PartitionData()
                                .setPartition(key.partition()).setStateEpoch(stateEpoch)
                                .setStartOffset(startOffset)))));
    }

    static ReadShareGroupStateRequestData read(SharePartitionKey key, int leaderEpoch) {
        return new ReadShareGroupStateRequestData().setGroupId(key.groupId()).setTopics(mutable(
                new ReadShareGroupStateRequestData.ReadStateData().setTopicId(key.topicId()).setPartitions(mutable(
                        new ReadShareGroupStateRequestData.PartitionData().setPartition(key.partition())
                                .setLeaderEpoch(leaderEpoch)))));
    }

    static WriteShareGroupStateRequestData write(SharePartitionKey key, int stateEpoch, int leaderEpoch,
                                                 long startOffset, int deliveryCompleteCount,
                                                 PersistedBatch... batches) {
        return new WriteShareGroupStateRequestData().setGroupId(key.groupId()).setTopics(mutable(
                new WriteShareGroupStateRequestData.WriteStateData().setTopicId(key.topicId()).setPartitions(mutable(
                        new WriteShareGroupStateRequestData.PartitionData().setPartition(key.partition())
                                .setStateEpoch(stateEpoch).setLeaderEpoch(leaderEpoch).setStartOffset(startOffset)
                                .setDeliveryCompleteCount(deliveryCompleteCount)
                                .setStateBatches(stateBatches(batches))))));
    }

    static List<WriteShareGroupStateRequestData.StateBatch> stateBatches(PersistedBatch... batches) {
        return new ArrayList<>(java.util.Arrays.stream(batches).map(b -> new WriteShareGroupStateRequestData
                .StateBatch().setFirstOffset(b.firstOffset()).setLastOffset(b.lastOffset())
                .setDeliveryState(b.deliveryState()).setDeliveryCount(b.deliveryCount())).toList());
    }

    static DeleteShareGroupStateRequestData delete(SharePartitionKey key) {
        return new DeleteShareGroupStateRequestData().setGroupId(key.groupId()).setTopics(mutable(
                new DeleteShareGroupStateRequestData.DeleteStateData().setTopicId(key.topicId()).setPartitions(
                        mutable(new DeleteShareGroupStateRequestData.PartitionData().setPartition(key.partition())))));
    }

    static ReadShareGroupStateSummaryRequestData summary(SharePartitionKey key, int leaderEpoch) {
        return new ReadShareGroupStateSummaryRequestData().setGroupId(key.groupId()).setTopics(mutable(
                new ReadShareGroupStateSummaryRequestData.ReadStateSummaryData().setTopicId(key.topicId())
                        .setPartitions(mutable(new ReadShareGroupStateSummaryRequestData.PartitionData()
                                .setPartition(key.partition()).setLeaderEpoch(leaderEpoch)))));
    }

    /** Requests are built with mutable lists, so that tests can break them. */
    @SafeVarargs
    private static <T> List<T> mutable(T... elements) {
        return new ArrayList<>(java.util.Arrays.asList(elements));
    }

    static PersistedBatch batch(long first, long last, int state, int count) {
        return new PersistedBatch(first, last, (byte) state, (short) count);
    }
}
