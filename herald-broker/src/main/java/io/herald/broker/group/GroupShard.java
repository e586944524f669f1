package io.herald.broker.group;

import io.herald.broker.group.modern.ConsumerGroup;
import io.herald.broker.group.modern.ConsumerGroupRecord;
import io.herald.broker.group.modern.HeartbeatContext;
import io.herald.broker.group.modern.TopicsView;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;

/**
 * The coordinator's state and operations without threading (Kafka's {@code GroupCoordinatorShard}): the
 * classic group state machine, the KIP-848 consumer groups (one state machine per {@code __consumer_offsets}
 * partition), the offsets, and the admin operations, and {@link #replay} to rebuild them from the log.
 *
 * <p>A group id is either a classic group or a consumer group, never both (as in Kafka): a joining
 * ConsumerGroupHeartbeat turns an <em>empty</em> classic group into a consumer group and a JoinGroup turns an
 * empty consumer group into a classic one (offsets are kept either way, as Kafka's offline upgrade and
 * downgrade do); a non-empty group of the other type is refused.
 *
 * <p>Not thread-safe: confined to the coordinator thread; tests drive it directly with a manual clock and
 * timer.
 */
final class GroupShard {
    final ClassicGroupManager groups;
    final ConsumerGroupShards consumerGroups;
    final OffsetStore store;
    final OffsetManager offsets;
    final GroupAdmin admin;
    private final GroupConfig config;
    private final GroupRecordWriter writer;
    /** Groups seen only through offset commits during the load of their partition (see {@link #onLoaded}). */
    private final Set<String> offsetOnlyGroups = new HashSet<>();

    GroupShard(GroupConfig config, Time time, CoordinatorTimer timer, GroupRecordWriter writer,
               ConsumerGroupShards.Log consumerGroupLog) {
        this.config = config;
        this.writer = writer;
        this.groups = new ClassicGroupManager(config, time, timer, writer);
        this.consumerGroups = new ConsumerGroupShards(config.offsetsTopicPartitions(), config.consumer(), time, timer,
                consumerGroupLog, id -> groups.group(id).isPresent());
        this.store = new OffsetStore();
        this.offsets = new OffsetManager(config, time, groups, consumerGroups, store, writer);
        this.admin = new GroupAdmin(groups, consumerGroups, store, writer);
    }

    int partitionFor(String groupId) {
        return OffsetsTopic.partitionFor(groupId, config.offsetsTopicPartitions());
    }

    // ---- loading ----

    /** Applies one classic record read back from the log. */
    void replay(GroupRecord record) {
        switch (record) {
            case GroupRecord.OffsetCommit oc -> {
                if (oc.value().isPresent() && groups.group(oc.groupId()).isEmpty()) {
                    // Maybe a simple group that exists only through its offsets, maybe a consumer group whose
                    // records come later in the log (compaction reorders keys): decided in onLoaded.
                    offsetOnlyGroups.add(oc.groupId());
                }
                store.replay(oc);
            }
            case GroupRecord.GroupMetadata gm -> groups.replay(gm);
        }
    }

    /** Applies one consumer group record read back from the partition's log. */
    void replay(int partition, ConsumerGroupRecord record) {
        consumerGroups.replay(partition, record);
    }

    /** After the partition's records were replayed: restores offset-only groups, arms the timers. */
    void onLoaded(int partition) {
        for (var it = offsetOnlyGroups.iterator(); it.hasNext(); ) {
            String groupId = it.next();
            if (partitionFor(groupId) != partition) {
                continue;
            }
            it.remove();
            // A group may exist only through its offsets (simple commits): it must exist after load.
            if (store.hasOffsets(groupId) && !consumerGroups.exists(groupId)) {
                groups.getOrCreate(groupId);
            }
        }
        groups.onLoaded(g -> partitionFor(g) == partition);
        consumerGroups.onLoaded(partition);
    }

    /**
     * Forgets every group and offset of the partition (this broker stopped leading it, or its load was
     * discarded): parked joins and syncs answer NOT_COORDINATOR, the partition's timers are cancelled, nothing is
     * written.
     */
    void unload(int partition) {
        java.util.function.Predicate<String> inPartition = g -> partitionFor(g) == partition;
        groups.unload(inPartition);
        consumerGroups.unload(partition);
        store.unload(inPartition);
        offsetOnlyGroups.removeIf(inPartition);
    }

    // ---- operations that cross group types ----

    void joinGroup(RequestContext ctx, JoinGroupRequestData req, CompletableFuture<JoinGroupResponseData> future) {
        Optional<ConsumerGroup> consumerGroup = consumerGroups.group(req.groupId());
        if (consumerGroup.isPresent()) {
            String memberId = req.memberId() == null ? "" : req.memberId();
            // Kafka 4.x lets classic members join a non-empty consumer group (KIP-848 online migration);
            // Herald does not mix protocols in one group and refuses as Kafka does for incompatible protocols.
            Errors error = consumerGroup.get().members().isEmpty() ? consumerGroups.delete(req.groupId())
                    : Errors.INCONSISTENT_GROUP_PROTOCOL;
            if (error != Errors.NONE) {
                future.complete(ClassicGroupManager.joinError(memberId, error));
                return;
            }
        }
        groups.joinGroup(ctx, req, future);
    }

    ConsumerGroupHeartbeatResponseData consumerGroupHeartbeat(RequestContext ctx,
                                                              ConsumerGroupHeartbeatRequestData req,
                                                              TopicsView topics) {
        if (req.memberEpoch() == 0 && req.groupId() != null) {
            maybeDeleteEmptyClassicGroup(req.groupId());
        }
        return consumerGroups.heartbeat(req, new HeartbeatContext(ctx.clientId(), ctx.clientHost(),
                ctx.apiVersion()), topics);
    }

    /** A member joining with the consumer protocol takes over an empty classic group (offline upgrade). */
    private void maybeDeleteEmptyClassicGroup(String groupId) {
        Optional<ClassicGroup> classic = groups.group(groupId);
        if (classic.isPresent() && classic.get().isInState(GroupState.EMPTY) && !consumerGroups.exists(groupId)) {
            GroupRecord.GroupMetadata tombstone = new GroupRecord.GroupMetadata(groupId, Optional.empty());
            writer.append(groupId, List.of(tombstone));
            groups.replay(tombstone);
        }
    }

    /**
     * The group's committed offsets for an OffsetFetch; a fetch by a consumer group member (v9+: member id and
     * epoch) is validated first, failing with STALE_MEMBER_EPOCH or UNKNOWN_MEMBER_ID as in Kafka.
     */
    Map<TopicPartition, OffsetAndMetadata> committed(String groupId, String memberId, int memberEpoch) {
        if (consumerGroups.exists(groupId)) {
            Errors error = consumerGroups.validateOffsetFetch(groupId, memberId, memberEpoch);
            if (error != Errors.NONE) {
                throw error.exception();
            }
        }
        return offsets.committed(groupId);
    }
}
