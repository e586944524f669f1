package io.herald.share;

import io.herald.common.time.Time;
import io.herald.coordinator.runtime.CoordinatorResult;
import io.herald.coordinator.runtime.CoordinatorShard;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.coordinator.share.ShareStateWrite;
import io.herald.share.record.ShareRecord;
import io.herald.share.state.SharePartitionState;
import io.herald.share.state.ShareStateStore;
import io.herald.share.state.ShareStateUpdate;
import io.herald.share.state.StateBatches;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share-partitions of one {@code __share_group_state} partition, as a shard of the coordinator runtime, with
 * Kafka 4.3's rules ({@code ShareCoordinatorShard}). Each operation serves one share-partition: it checks the
 * request against the {@link ShareStateStore}, and returns the record of the change with
 * {@link CoordinatorResult#of}; the runtime replays it into the store, appends it, and answers once it is committed.
 *
 * <ul>
 *   <li><b>Initialize</b> writes a snapshot: the given state epoch and start offset, nothing in flight, leader epoch
 *       0, delivery-complete count 0 (-1 without a start offset). FENCED_STATE_EPOCH if a newer state epoch was
 *       recorded (-1 is never fenced).</li>
 *   <li><b>Read</b> answers the start offset, state epoch and batches. A new leader epoch is recorded by writing
 *       the state again with it (so a read can be a write), which fences the writes of older leaders;
 *       FENCED_LEADER_EPOCH for a read older than the recorded epoch, -1 reads without recording.</li>
 *   <li><b>Write</b> merges the leader's batches into the state ({@link StateBatches}): as a ShareUpdate, or a
 *       full ShareSnapshot once {@code share.coordinator.snapshot.update.records.per.snapshot} updates followed the
 *       last one. FENCED_LEADER_EPOCH for an older leader epoch, then FENCED_STATE_EPOCH for an older state epoch
 *       (-1 is never fenced); a start offset of -1 keeps the held one. The write does not change the recorded leader epoch.</li>
 *   <li><b>Delete</b> writes a tombstone (nothing for an unknown share-partition); <b>summary</b> reads without
 *       fencing (start offset -1 for an unknown one).</li>
 * </ul>
 * A read or write of a share-partition never initialized is INVALID_REQUEST, and every operation on a partition
 * the cluster does not have is UNKNOWN_TOPIC_OR_PARTITION. The null-topic and negative-partition checks are the
 * facade's, before routing.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class ShareCoordinatorShard implements CoordinatorShard<ShareRecord> {
    private static final Logger log = LoggerFactory.getLogger(ShareCoordinatorShard.class);

    /** Kafka 4.3's messages, verbatim: a share-partition leader may log or match them. */
    static final String WRITE_UNINITIALIZED = "Write operation on uninitialized share partition not allowed.";
    static final String READ_UNINITIALIZED = "Read operation on uninitialized share partition not allowed.";

    private final int partition;
    private final Time time;
    private final TopicPartitionCounts topics;
    private final ShareStateStore store;

    ShareCoordinatorShard(ShareCoordinatorConfig config, int partition, Time time, TopicPartitionCounts topics) {
        this.partition = partition;
        this.time = time;
        this.topics = topics;
        this.store = new ShareStateStore(config.snapshotUpdateRecordsPerSnapshot());
    }

    @Override
    public void replay(ShareRecord record) {
        store.replay(record);
    }

    // ---- initialize ----

    CoordinatorResult<InitializeShareGroupStateResponseData.PartitionResult, ShareRecord> initialize(
            SharePartitionKey key, int stateEpoch, long startOffset) {
        var result = new InitializeShareGroupStateResponseData.PartitionResult().setPartition(key.partition());
        OptionalInt fence = store.stateEpochFence(key);
        if (stateEpoch != -1 && fence.isPresent() && fence.getAsInt() > stateEpoch) {
            log.info("Initialize of {} with state epoch {} fenced by {}", key, stateEpoch, fence.getAsInt());
            return CoordinatorResult.response(failed(result, Errors.FENCED_STATE_EPOCH));
        }
        if (!topics.exists(key.topicId(), key.partition())) {
            return CoordinatorResult.response(failed(result, Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        Optional<SharePartitionState> held = store.state(key);
        held.ifPresent(h -> log.info("Share-partition {} initialized again at state epoch {} (was {}, start offset {}): "
                + "its progress is replaced by start offset {}", key, stateEpoch, h.stateEpoch(), h.startOffset(),
                startOffset));
        int snapshotEpoch = held.map(s -> s.snapshotEpoch() + 1).orElse(0);
        long now = time.milliseconds();
        var state = new SharePartitionState(snapshotEpoch, stateEpoch, 0, startOffset, startOffset == -1 ? -1 : 0,
                now, now, List.of());
        return CoordinatorResult.of(List.of(new ShareRecord.Snapshot(key, state)), result);
    }

    private static InitializeShareGroupStateResponseData.PartitionResult failed(
            InitializeShareGroupStateResponseData.PartitionResult result, Errors error) {
        return result.setErrorCode(error.code()).setErrorMessage(error.message());
    }

    // ---- read ----

    CoordinatorResult<ReadShareGroupStateResponseData.PartitionResult, ShareRecord> read(SharePartitionKey key,
                                                                                         int leaderEpoch) {
        var result = new ReadShareGroupStateResponseData.PartitionResult().setPartition(key.partition());
        Optional<SharePartitionState> held = store.state(key);
        if (held.isEmpty()) {
            log.debug("Read of the uninitialized share-partition {}", key);
            return CoordinatorResult.response(result.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage(READ_UNINITIALIZED));
        }
        OptionalInt fence = store.leaderEpochFence(key);
        if (leaderEpoch != -1 && fence.isPresent() && fence.getAsInt() > leaderEpoch) {
            log.info("Read of {} at leader epoch {} fenced by {}", key, leaderEpoch, fence.getAsInt());
            return CoordinatorResult.response(result.setErrorCode(Errors.FENCED_LEADER_EPOCH.code())
                    .setErrorMessage(Errors.FENCED_LEADER_EPOCH.message()));
        }
        if (!topics.exists(key.topicId(), key.partition())) {
            return CoordinatorResult.response(result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                    .setErrorMessage(Errors.UNKNOWN_TOPIC_OR_PARTITION.message()));
        }
        SharePartitionState state = held.get();
        result.setErrorCode(Errors.NONE.code()).setStateEpoch(state.stateEpoch()).setStartOffset(state.startOffset())
                .setStateBatches(state.batches().stream().map(b -> new ReadShareGroupStateResponseData.StateBatch()
                        .setFirstOffset(b.firstOffset()).setLastOffset(b.lastOffset())
                        .setDeliveryState(b.deliveryState()).setDeliveryCount(b.deliveryCount())).toList());
        if (leaderEpoch == -1 || (fence.isPresent() && fence.getAsInt() == leaderEpoch)) {
            return CoordinatorResult.response(result);
        }
        // A new leader: record its epoch with a write of the state as it is, fencing the writes of the old one.
        log.info("Share-partition {} read by a new leader at epoch {}", key, leaderEpoch);
        ShareStateWrite restate = new ShareStateWrite(state.stateEpoch(), leaderEpoch, state.startOffset(),
                state.deliveryCompleteCount(), List.of());
        return CoordinatorResult.of(List.of(stateRecord(key, state, restate, true)), result);
    }

    // ---- write ----

    CoordinatorResult<WriteShareGroupStateResponseData.PartitionResult, ShareRecord> write(SharePartitionKey key,
                                                                                           ShareStateWrite write) {
        var result = new WriteShareGroupStateResponseData.PartitionResult().setPartition(key.partition());
        Optional<SharePartitionState> held = store.state(key);
        if (held.isEmpty()) {
            return CoordinatorResult.response(result.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage(WRITE_UNINITIALIZED));
        }
        OptionalInt leaderFence = store.leaderEpochFence(key);
        if (write.leaderEpoch() != -1 && leaderFence.isPresent() && leaderFence.getAsInt() > write.leaderEpoch()) {
            log.info("Write of {} at leader epoch {} fenced by {}", key, write.leaderEpoch(), leaderFence.getAsInt());
            return CoordinatorResult.response(failed(result, Errors.FENCED_LEADER_EPOCH));
        }
        OptionalInt stateFence = store.stateEpochFence(key);
        if (write.stateEpoch() != -1 && stateFence.isPresent() && stateFence.getAsInt() > write.stateEpoch()) {
            log.info("Write of {} at state epoch {} fenced by {}", key, write.stateEpoch(), stateFence.getAsInt());
            return CoordinatorResult.response(failed(result, Errors.FENCED_STATE_EPOCH));
        }
        if (!topics.exists(key.topicId(), key.partition())) {
            return CoordinatorResult.response(failed(result, Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        return CoordinatorResult.of(List.of(stateRecord(key, held.get(), write, false)), result);
    }

    private static WriteShareGroupStateResponseData.PartitionResult failed(
            WriteShareGroupStateResponseData.PartitionResult result, Errors error) {
        return result.setErrorCode(error.code()).setErrorMessage(error.message());
    }

    /**
     * The record of a write (or of a new leader's read) over the held state: a snapshot of the merged state when
     * one is due, else an update with the write's own batches. A write keeps the held leader epoch; a read records
     * its own unless it is -1.
     */
    private ShareRecord stateRecord(SharePartitionKey key, SharePartitionState held, ShareStateWrite write,
                                    boolean recordsLeaderEpoch) {
        int leaderEpoch = recordsLeaderEpoch && write.leaderEpoch() != -1 ? write.leaderEpoch() : held.leaderEpoch();
        if (store.snapshotDue(key)) {
            long startOffset = write.startOffset() == -1 ? held.startOffset() : write.startOffset();
            long now = time.milliseconds();
            return new ShareRecord.Snapshot(key, new SharePartitionState(held.snapshotEpoch() + 1, held.stateEpoch(),
                    leaderEpoch, startOffset, write.deliveryCompleteCount(), now, now,
                    StateBatches.combine(held.batches(), write.batches(), startOffset)));
        }
        return new ShareRecord.Update(key, new ShareStateUpdate(held.snapshotEpoch(), leaderEpoch,
                write.startOffset(), write.deliveryCompleteCount(),
                StateBatches.combine(List.of(), write.batches(), write.startOffset())));
    }

    // ---- delete ----

    CoordinatorResult<DeleteShareGroupStateResponseData.PartitionResult, ShareRecord> delete(SharePartitionKey key) {
        var result = new DeleteShareGroupStateResponseData.PartitionResult().setPartition(key.partition());
        if (!topics.exists(key.topicId(), key.partition())) {
            return CoordinatorResult.response(result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                    .setErrorMessage(Errors.UNKNOWN_TOPIC_OR_PARTITION.message()));
        }
        if (store.state(key).isEmpty()) {
            log.debug("Delete of the unknown share-partition {}", key);
            return CoordinatorResult.response(result);
        }
        return CoordinatorResult.of(List.of(new ShareRecord.Tombstone(key)), result);
    }

    // ---- summary ----

    ReadShareGroupStateSummaryResponseData.PartitionResult summary(SharePartitionKey key) {
        var result = new ReadShareGroupStateSummaryResponseData.PartitionResult().setPartition(key.partition());
        if (!topics.exists(key.topicId(), key.partition())) {
            return result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                    .setErrorMessage(Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
        }
        return store.state(key)
                .map(s -> result.setStartOffset(s.startOffset()).setDeliveryCompleteCount(s.deliveryCompleteCount())
                        .setLeaderEpoch(s.leaderEpoch()).setStateEpoch(s.stateEpoch()))
                .orElseGet(() -> result.setStartOffset(-1).setDeliveryCompleteCount(-1).setLeaderEpoch(0)
                        .setStateEpoch(0));
    }

    // ---- deleted topics ----

    /** Tombstones for every share-partition of the deleted topics, as Kafka writes on a metadata update. */
    CoordinatorResult<Void, ShareRecord> deleteTopics(Set<Uuid> topicIds) {
        List<ShareRecord> tombstones = store.keys().stream().filter(k -> topicIds.contains(k.topicId()))
                .<ShareRecord>map(ShareRecord.Tombstone::new).toList();
        if (!tombstones.isEmpty()) {
            log.info("Deleting the state of {} share-partitions in {}-{}: their topics were deleted",
                    tombstones.size(), ShareStateTopic.NAME, partition);
        }
        return CoordinatorResult.of(tombstones, null);
    }

    // ---- tests and diagnostics ----

    Optional<SharePartitionState> state(SharePartitionKey key) {
        return store.state(key);
    }

    ShareStateStore store() {
        return store;
    }
}
