package io.herald.group.share;

import io.herald.common.time.Time;
import io.herald.group.GroupTimer;
import io.herald.group.RecordSink;
import io.herald.group.RequestContext;
import io.herald.group.config.GroupConfigView;
import io.herald.group.consumer.TopicsView;
import io.herald.group.record.ShareGroupRecord;
import io.herald.group.record.ShareGroupRecord.StatePartitions;
import io.herald.group.record.ShareGroupRecord.TopicPartitions;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The share groups (KIP-932) of one {@code __consumer_offsets} partition, beside its classic and consumer groups:
 * membership ({@link ShareGroupMembership}), the target assignment ({@link ShareTargetAssignment} with
 * {@link SimpleAssignor}), which share-partitions have state ({@link ShareStatePartitions}) and the admin APIs
 * ({@link ShareGroupAdmin}). A group id is of one type only: a share operation on a classic or consumer group's id
 * fails with Kafka's answer.
 *
 * <p>State changes only by replay of {@link ShareGroupRecord}s, which every operation writes through the
 * {@link RecordSink} (it replays them here before they are appended), so live operation and loading the partition
 * build the same state. This class never calls the share-state persister: operations return what to initialize
 * or delete, and the coordinator calls the persister once the operation's records are committed, then reports
 * back through {@link #onInitialized} and {@link #onOffsetsDeleted}.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
public final class ShareGroupManager {

    /** Kafka's group.share.initialize.retry.interval.ms default (not yet a Herald config). */
    public static final long DEFAULT_INITIALIZE_RETRY_INTERVAL_MS = 30_000;

    private final ShareGroupStore store;
    private final ShareGroupMembership membership;
    private final ShareGroupAdmin admin;

    /**
     * @param otherGroupTypeExists      whether a classic or consumer group has the id
     * @param initializeRetryIntervalMs how long a share-partition may stay initializing before a heartbeat
     *                                  initializes it again
     */
    public ShareGroupManager(Time time, GroupTimer timer, RecordSink sink, GroupConfigView configs,
                             Predicate<String> otherGroupTypeExists, long initializeRetryIntervalMs) {
        this.store = new ShareGroupStore(time, sink);
        this.membership = new ShareGroupMembership(time, timer, configs, store, otherGroupTypeExists,
                initializeRetryIntervalMs);
        this.admin = new ShareGroupAdmin(store, membership);
    }

    public Optional<ShareGroup> group(String groupId) {
        return store.group(groupId);
    }

    public boolean exists(String groupId) {
        return store.group(groupId).isPresent();
    }

    public Collection<ShareGroup> groups() {
        return store.groups();
    }

    // ---- replay and loading ----

    public void replay(ShareGroupRecord record) {
        store.replay(record);
    }

    /** After the partition's records were replayed: arms every member's session timeout. */
    public void onLoaded() {
        membership.onLoaded();
    }

    // ---- ShareGroupHeartbeat, ShareGroupDescribe ----

    /** ShareGroupHeartbeat; {@code topics} is the metadata subscriptions resolve against. */
    public ShareHeartbeatResult heartbeat(RequestContext ctx, ShareGroupHeartbeatRequestData req, TopicsView topics) {
        return membership.heartbeat(ctx, req, topics);
    }

    public ShareGroupDescribeResponseData.DescribedGroup describe(String groupId, TopicsView topics) {
        return admin.describe(groupId, topics);
    }

    // ---- share-partition state ----

    /**
     * The persister answered the initializations of the group's share-partitions: the {@code initialized} ones
     * may be assigned from now on (the next heartbeat bumps the group epoch for them), the {@code failed} ones
     * leave initializing and are tried again by the next heartbeat. Writes one record, if anything changed.
     */
    public void onInitialized(String groupId, Map<Uuid, TopicPartitions> initialized,
                              Map<Uuid, TopicPartitions> failed) {
        store.group(groupId).ifPresent(group -> {
            StatePartitions current = group.statePartitions();
            StatePartitions next = ShareStatePartitions.withoutInitializing(
                    ShareStatePartitions.withInitialized(current, initialized), failed);
            if (!next.equals(current)) {
                store.write(next);
            }
        });
    }

    /** The initialized share-partitions of the group (empty for an unknown group), for DescribeShareGroupOffsets. */
    public Map<Uuid, Set<Integer>> initializedPartitions(String groupId) {
        return store.group(groupId).map(ShareGroup::initializedPartitions).orElse(Map.of());
    }

    // ---- DeleteGroups ----

    /** First step of deleting the share group {@code group}: see {@link ShareGroupDeletion}. */
    public ShareGroupDeletion prepareDelete(String groupId) {
        return store.group(groupId).map(admin::prepareDelete)
                .orElse(new ShareGroupDeletion(Errors.GROUP_ID_NOT_FOUND, List.of()));
    }

    /** Last step: the tombstones of an empty share group; NONE, GROUP_ID_NOT_FOUND or NON_EMPTY_GROUP. */
    public Errors delete(String groupId) {
        return store.group(groupId).map(admin::delete).orElse(Errors.GROUP_ID_NOT_FOUND);
    }

    // ---- AlterShareGroupOffsets, DeleteShareGroupOffsets ----

    public ShareOffsetsAlteration alterOffsets(AlterShareGroupOffsetsRequestData req, TopicsView topics) {
        return admin.alter(req, topics);
    }

    public ShareOffsetsDeletion prepareDeleteOffsets(DeleteShareGroupOffsetsRequestData req, TopicsView topics) {
        return admin.prepareDeleteOffsets(req, topics);
    }

    /** The persister deleted the state of these topics' share-partitions. */
    public void onOffsetsDeleted(String groupId, Set<Uuid> topics) {
        admin.completeDeleteOffsets(groupId, topics);
    }
}
