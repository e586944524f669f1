package io.herald.group.consumer;

import static io.herald.group.consumer.HeartbeatMemberValidator.throwIfEpochFenced;
import static io.herald.group.consumer.HeartbeatMemberValidator.throwIfInstanceIdFenced;
import static io.herald.group.consumer.HeartbeatMemberValidator.throwIfInstanceIdUnreleased;
import static io.herald.group.consumer.HeartbeatMemberValidator.unknownMember;
import static io.herald.group.consumer.HeartbeatRequestValidator.LEAVE_GROUP_MEMBER_EPOCH;
import static io.herald.group.consumer.HeartbeatRequestValidator.LEAVE_GROUP_STATIC_MEMBER_EPOCH;

import io.herald.group.config.ConsumerGroupConfigView;
import io.herald.group.config.ConsumerGroupSettings;
import io.herald.group.consumer.DeadlineTracker.MemberKey;
import io.herald.group.consumer.DeadlineTracker.RebalanceDeadline;
import io.herald.group.record.ConsumerGroupRecord.CurrentAssignment;
import io.herald.group.record.ConsumerGroupRecord.CurrentAssignmentRemoved;
import io.herald.group.record.ConsumerGroupRecord.GroupDeleted;
import io.herald.group.record.ConsumerGroupRecord.GroupEpoch;
import io.herald.group.record.ConsumerGroupRecord.MemberMetadata;
import io.herald.group.record.ConsumerGroupRecord.MemberRemoved;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentEpochRemoved;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentMember;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentMemberRemoved;
import io.herald.group.record.ConsumerGroupRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The KIP-848 ("consumer" protocol) group coordinator of one {@code __consumer_offsets}
 * partition, as a pure state machine: no I/O, no threads, time passed in.
 *
 * <p><b>Records.</b> Every operation computes the {@link ConsumerGroupRecord}s that describe its
 * effect and changes durable state only by {@link #replay replaying} them, in order, before it
 * returns (Kafka's coordinator runtime does the same). The caller appends the returned records to
 * {@code __consumer_offsets} and sends the response once they are durable; it must not replay them
 * again. If the append fails the in-memory state is ahead of the log: the caller must rebuild the
 * shard from the log (there is no rollback; Kafka uses a snapshot registry for that). Loading:
 * {@link #replay} every record read from the partition, then {@link #onLoaded}.
 *
 * <p><b>Timers.</b> Session and rebalance deadlines are soft state ({@link #nextDeadlineMs},
 * {@link #onTimer}); they are re-armed from the replayed state by {@link #onLoaded}.
 *
 * <p><b>Protocol</b> (KIP-848): a member joins with epoch 0 and a client-chosen member id, then
 * heartbeats with the epoch it was given; -1 leaves, -2 leaves a static member temporarily. The
 * group epoch is bumped when membership, a subscription, the server assignor or the subscribed
 * topics' metadata change; the target assignment is then recomputed by the server assignor and
 * every member reconciles toward it ({@link Reconciler}), which guarantees that no partition is
 * owned by two members at any moment.
 *
 * <p><b>Parts.</b> This class owns the groups, the timers and every record emitted; it asks
 * {@link TargetAssignmentBuilder} for the subscribed topics' hash, the preferred assignor and the target
 * assignment (as records it then replays), {@link HeartbeatRequestValidator} and
 * {@link HeartbeatMemberValidator} whether a heartbeat may proceed, and answers the read-only requests
 * through {@link ConsumerGroupQueries}.
 *
 * <p>Not thread-safe: confined to the thread of the partition's coordinator.
 */
public final class ConsumerGroupCoordinatorShard {

    private final ConsumerGroupConfig config;
    private final ConsumerGroupConfigView groupConfigs;
    private final Predicate<String> classicGroupExists;
    private final Supplier<String> memberIdGenerator;
    private final Map<String, ConsumerGroup> groups = new HashMap<>();
    private final DeadlineTracker timers = new DeadlineTracker();
    private final TargetAssignmentBuilder targetAssignment;
    private final ConsumerGroupQueries queries;

    /**
     * @param classicGroupExists whether a classic group of that id exists in the same partition.
     *     Kafka answers GROUP_ID_NOT_FOUND ("Group X is not a consumer group.") for a heartbeat or
     *     describe on a classic group, except that a joining heartbeat converts an <em>empty</em>
     *     classic group (and, under {@code group.consumer.migration.policy}, a compatible non-empty
     *     one) into a consumer group. Herald does not convert: return true for any classic group
     *     to refuse, or false for an empty one after deleting it to let the join create the group.
     * @param memberIdGenerator member ids for v0 clients that join without one (4.x clients
     *     always send theirs)
     */
    public ConsumerGroupCoordinatorShard(
            ConsumerGroupConfig config, Predicate<String> classicGroupExists, Supplier<String> memberIdGenerator) {
        this(config, ConsumerGroupConfigView.fixed(new ConsumerGroupSettings(config.sessionTimeoutMs(),
                config.heartbeatIntervalMs())), classicGroupExists, memberIdGenerator);
    }

    /**
     * @param groupConfigs each group's effective session timeout and heartbeat interval (its dynamic group configs
     *     {@code consumer.session.timeout.ms} and {@code consumer.heartbeat.interval.ms} over the broker's),
     *     read on every heartbeat so a change applies at the member's next one
     */
    public ConsumerGroupCoordinatorShard(ConsumerGroupConfig config, ConsumerGroupConfigView groupConfigs,
                                         Predicate<String> classicGroupExists, Supplier<String> memberIdGenerator) {
        this.config = Objects.requireNonNull(config, "config");
        this.groupConfigs = Objects.requireNonNull(groupConfigs, "groupConfigs");
        this.classicGroupExists = Objects.requireNonNull(classicGroupExists, "classicGroupExists");
        this.memberIdGenerator = Objects.requireNonNull(memberIdGenerator, "memberIdGenerator");
        this.targetAssignment = new TargetAssignmentBuilder(config);
        this.queries = new ConsumerGroupQueries(Collections.unmodifiableMap(groups), classicGroupExists,
                targetAssignment);
    }

    /** A shard with random member ids for v0 clients. */
    public static ConsumerGroupCoordinatorShard create(ConsumerGroupConfig config, Predicate<String> classicGroupExists) {
        return new ConsumerGroupCoordinatorShard(config, classicGroupExists, () -> Uuid.randomUuid().toString());
    }

    /** A shard with random member ids for v0 clients, reading each group's dynamic configs from {@code groupConfigs}. */
    public static ConsumerGroupCoordinatorShard create(ConsumerGroupConfig config, ConsumerGroupConfigView groupConfigs,
                                                       Predicate<String> classicGroupExists) {
        return new ConsumerGroupCoordinatorShard(config, groupConfigs, classicGroupExists,
                () -> Uuid.randomUuid().toString());
    }

    public ConsumerGroupConfig config() {
        return config;
    }

    /** Read-only access to a group, e.g. for offset-commit validation or ListGroups. */
    public Optional<ConsumerGroup> group(String groupId) {
        return Optional.ofNullable(groups.get(groupId));
    }

    public Set<String> groupIds() {
        return Set.copyOf(groups.keySet());
    }

    // ---------------------------------------------------------------------------------------
    // ConsumerGroupHeartbeat

    /**
     * Handles one ConsumerGroupHeartbeat. Errors are answers: the response carries the error code
     * and message and no records are produced.
     */
    public Result<ConsumerGroupHeartbeatResponseData> heartbeat(
            ConsumerGroupHeartbeatRequestData request, HeartbeatContext context, TopicsView topics, long nowMs) {
        List<ConsumerGroupRecord> records = new ArrayList<>();
        try {
            ConsumerGroupHeartbeatResponseData response = doHeartbeat(request, context, topics, nowMs, records);
            return new Result<>(records, response);
        } catch (GroupCoordinatorException e) {
            if (!records.isEmpty()) {
                // Every check runs before the first record is emitted; state and log would diverge.
                throw new IllegalStateException("client error after emitting " + records, e);
            }
            return new Result<>(List.of(), new ConsumerGroupHeartbeatResponseData()
                    .setErrorCode(e.error().code())
                    .setErrorMessage(e.getMessage()));
        }
    }

    private ConsumerGroupHeartbeatResponseData doHeartbeat(
            ConsumerGroupHeartbeatRequestData request,
            HeartbeatContext context,
            TopicsView topics,
            long nowMs,
            List<ConsumerGroupRecord> records) {
        HeartbeatRequestValidator.validate(request, context.apiVersion(), targetAssignment.assignorNames());
        String groupId = request.groupId();
        int requestEpoch = request.memberEpoch();
        if (classicGroupExists.test(groupId)) {
            throw new GroupCoordinatorException(Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " is not a consumer group.");
        }
        ConsumerGroup existing = groups.get(groupId);
        if (existing == null && requestEpoch != 0) {
            throw new GroupCoordinatorException(Errors.GROUP_ID_NOT_FOUND, "Consumer group " + groupId + " not found.");
        }
        if (requestEpoch == LEAVE_GROUP_MEMBER_EPOCH || requestEpoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
            return leave(existing, request, nowMs, records);
        }
        ConsumerGroup group = existing != null ? existing : new ConsumerGroup(groupId);
        String memberId = request.memberId().isEmpty() ? memberIdGenerator.get() : request.memberId();
        Optional<Map<Uuid, Set<Integer>>> ownedByClient = Optional.ofNullable(request.topicPartitions())
                .map(TopicPartitionSets::fromRequest);

        // 1. Who is this? Throws for fenced, unknown and unreleased members: nothing emitted yet.
        ConsumerGroup.Member replaced = null;
        MemberMetadata previousMetadata = null;
        CurrentAssignment base;
        if (requestEpoch == 0) {
            Optional<ConsumerGroup.Member> self = group.member(memberId);
            Optional<ConsumerGroup.Member> holder = Optional.ofNullable(request.instanceId())
                    .flatMap(group::memberByInstanceId)
                    .filter(m -> !m.memberId().equals(memberId));
            if (holder.isPresent()) {
                replaced = holder.get();
                throwIfInstanceIdUnreleased(groupId, memberId, request.instanceId(), replaced);
                CurrentAssignment held = replaced.current();
                previousMetadata = replaced.metadata().orElse(null);
                // KIP-848 static membership: the new incarnation takes over the departed one's
                // assignment at the epoch it had before leaving, without a rebalance.
                base = new CurrentAssignment(groupId, memberId, held.previousMemberEpoch(), held.previousMemberEpoch(),
                        held.state(), held.assigned(), held.partitionsPendingRevocation());
            } else if (self.isPresent()) {
                // A known member rejoining (e.g. after FENCED_MEMBER_EPOCH) has dropped everything.
                previousMetadata = self.get().metadata().orElse(null);
                base = new CurrentAssignment(groupId, memberId, 0, self.get().current().memberEpoch(),
                        MemberState.STABLE, TopicPartitionSets.EMPTY, TopicPartitionSets.EMPTY);
            } else {
                if (group.members().size() >= config.maxSize()) {
                    throw new GroupCoordinatorException(Errors.GROUP_MAX_SIZE_REACHED, "The consumer group "
                            + groupId + " has reached its maximum capacity of " + config.maxSize() + " members.");
                }
                base = new CurrentAssignment(groupId, memberId, 0, -1, MemberState.STABLE,
                        TopicPartitionSets.EMPTY, TopicPartitionSets.EMPTY);
            }
        } else {
            ConsumerGroup.Member member = group.member(memberId).orElseThrow(() -> unknownMember(memberId, groupId));
            if (request.instanceId() != null) {
                throwIfInstanceIdFenced(group, memberId, request.instanceId());
            }
            base = member.current();
            throwIfEpochFenced(base, requestEpoch, ownedByClient);
            previousMetadata = member.metadata().orElse(null);
        }

        // 2. Member metadata; bump the group epoch if anything the assignment depends on changed.
        MemberMetadata metadata = mergeMetadata(groupId, memberId, request, context, previousMetadata);
        boolean subscriptionChanged = previousMetadata == null
                || !metadata.subscribedTopicNames().equals(previousMetadata.subscribedTopicNames())
                || !metadata.subscribedTopicRegex().equals(previousMetadata.subscribedTopicRegex())
                || !metadata.serverAssignor().equals(previousMetadata.serverAssignor());
        long metadataHash = targetAssignment.subscribedTopicsHash(group, metadata, replaced, topics);
        boolean bumpGroupEpoch = subscriptionChanged || metadataHash != group.metadataHash();

        // 3. Emit; from here on nothing throws.
        String previousOwnerId = replaced != null ? replaced.memberId() : null;
        if (replaced != null) {
            Map<Uuid, Set<Integer>> inheritedTarget = replaced.target();
            emit(records, new CurrentAssignmentRemoved(groupId, previousOwnerId));
            emit(records, new TargetAssignmentMemberRemoved(groupId, previousOwnerId));
            emit(records, new MemberRemoved(groupId, previousOwnerId));
            timers.cancelAll(groupId, previousOwnerId);
            emit(records, metadata);
            emit(records, new TargetAssignmentMember(groupId, memberId, inheritedTarget));
        } else if (!metadata.equals(previousMetadata)) {
            emit(records, metadata);
        }
        if (bumpGroupEpoch) {
            emit(records, new GroupEpoch(groupId, group.groupEpoch() + 1, metadataHash));
        }
        group = groups.get(groupId);
        if (group.groupEpoch() > group.assignmentEpoch()) {
            for (ConsumerGroupRecord record : targetAssignment.targetAssignment(group, topics)) {
                emit(records, record);
            }
        }

        // 4. Reconcile the member toward its target.
        ConsumerGroup.Member member = group.member(memberId).orElseThrow();
        CurrentAssignment stored = member.current();
        ConsumerGroup finalGroup = group;
        CurrentAssignment next = Reconciler.reconcile(
                base,
                member.target(),
                group.assignmentEpoch(),
                requestEpoch == 0 ? Optional.of(TopicPartitionSets.EMPTY) : ownedByClient,
                (topic, partition) -> finalGroup.owner(topic, partition).filter(o -> !o.equals(memberId)).isPresent());
        boolean assignmentChanged = !next.equals(stored) || !member.hasCurrent();
        if (assignmentChanged) {
            emit(records, next);
        }

        // 5. Timers.
        timers.scheduleSession(groupId, memberId, nowMs + groupConfigs.consumer(groupId).sessionTimeoutMs());
        if (next.state() == MemberState.UNREVOKED_PARTITIONS) {
            boolean armed = timers.rebalance(groupId, memberId)
                    .map(d -> d.memberEpoch() == next.memberEpoch())
                    .orElse(false);
            if (!armed) {
                timers.scheduleRebalance(groupId, memberId, next.memberEpoch(), nowMs + metadata.rebalanceTimeoutMs());
            }
        } else {
            timers.cancelRebalance(groupId, memberId);
        }

        // 6. Response. The assignment is sent when it changed, on joins and full requests, and
        // whenever the client's owned partitions differ from it; the client ignores a repeat.
        ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData()
                .setMemberId(memberId)
                .setMemberEpoch(next.memberEpoch())
                .setHeartbeatIntervalMs(groupConfigs.consumer(groupId).heartbeatIntervalMs());
        boolean fullRequest = request.rebalanceTimeoutMs() != -1
                && (request.subscribedTopicNames() != null || request.subscribedTopicRegex() != null)
                && request.topicPartitions() != null;
        boolean clientBehind = ownedByClient.map(o -> !o.equals(next.assigned())).orElse(false);
        if (requestEpoch == 0 || fullRequest || assignmentChanged || clientBehind) {
            response.setAssignment(toResponseAssignment(next.assigned()));
        }
        return response;
    }

    private ConsumerGroupHeartbeatResponseData leave(
            ConsumerGroup group, ConsumerGroupHeartbeatRequestData request, long nowMs, List<ConsumerGroupRecord> records) {
        String groupId = group.groupId();
        String memberId = request.memberId();
        ConsumerGroup.Member member;
        if (request.instanceId() != null) {
            member = group.memberByInstanceId(request.instanceId()).orElseThrow(() -> new GroupCoordinatorException(
                    Errors.UNKNOWN_MEMBER_ID, "Instance id " + request.instanceId() + " is unknown in group " + groupId + "."));
            throwIfInstanceIdFenced(group, memberId, request.instanceId());
        } else {
            member = group.member(memberId).orElseThrow(() -> unknownMember(memberId, groupId));
        }
        if (request.memberEpoch() == LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
            // The static member keeps its partitions for a successor with the same instance id;
            // the session timeout still removes it if none comes.
            CurrentAssignment c = member.current();
            if (c.memberEpoch() != LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
                emit(records, new CurrentAssignment(groupId, memberId, LEAVE_GROUP_STATIC_MEMBER_EPOCH, c.memberEpoch(),
                        c.state(), c.assigned(), c.partitionsPendingRevocation()));
            }
            timers.cancelRebalance(groupId, memberId);
            timers.scheduleSession(groupId, memberId, nowMs + groupConfigs.consumer(groupId).sessionTimeoutMs());
        } else {
            removeMember(group, memberId, records);
        }
        return new ConsumerGroupHeartbeatResponseData()
                .setMemberId(memberId)
                .setMemberEpoch(request.memberEpoch())
                .setHeartbeatIntervalMs(groupConfigs.consumer(groupId).heartbeatIntervalMs());
    }

    /** Fields the request leaves null (or -1) keep their previous value. */
    private static MemberMetadata mergeMetadata(
            String groupId,
            String memberId,
            ConsumerGroupHeartbeatRequestData request,
            HeartbeatContext context,
            MemberMetadata previous) {
        Optional<MemberMetadata> prev = Optional.ofNullable(previous);
        Optional<String> regex = request.subscribedTopicRegex() != null
                ? Optional.of(request.subscribedTopicRegex()).filter(r -> !r.isEmpty())
                : prev.flatMap(MemberMetadata::subscribedTopicRegex);
        return new MemberMetadata(
                groupId,
                memberId,
                request.instanceId() != null ? Optional.of(request.instanceId()) : prev.flatMap(MemberMetadata::instanceId),
                request.rackId() != null ? Optional.of(request.rackId()) : prev.flatMap(MemberMetadata::rackId),
                context.clientId(),
                context.clientHost(),
                request.subscribedTopicNames() != null
                        ? request.subscribedTopicNames()
                        : prev.map(MemberMetadata::subscribedTopicNames).orElse(List.of()),
                regex,
                request.serverAssignor() != null
                        ? Optional.of(request.serverAssignor())
                        : prev.flatMap(MemberMetadata::serverAssignor),
                request.rebalanceTimeoutMs() != -1
                        ? request.rebalanceTimeoutMs()
                        : prev.map(MemberMetadata::rebalanceTimeoutMs).orElse(-1));
    }

    private static ConsumerGroupHeartbeatResponseData.Assignment toResponseAssignment(Map<Uuid, Set<Integer>> assigned) {
        List<ConsumerGroupHeartbeatResponseData.TopicPartitions> out = new ArrayList<>();
        assigned.forEach((topic, partitions) -> out.add(new ConsumerGroupHeartbeatResponseData.TopicPartitions()
                .setTopicId(topic)
                .setPartitions(new ArrayList<>(partitions))));
        return new ConsumerGroupHeartbeatResponseData.Assignment().setTopicPartitions(out);
    }

    // ---------------------------------------------------------------------------------------
    // Membership changes shared by leave, timers and deletion

    private void removeMember(ConsumerGroup group, String memberId, List<ConsumerGroupRecord> records) {
        String groupId = group.groupId();
        emit(records, new CurrentAssignmentRemoved(groupId, memberId));
        emit(records, new TargetAssignmentMemberRemoved(groupId, memberId));
        emit(records, new MemberRemoved(groupId, memberId));
        // The subscribed-topics hash is refreshed by the next heartbeat (which has a TopicsView).
        emit(records, new GroupEpoch(groupId, group.groupEpoch() + 1, group.metadataHash()));
        timers.cancelAll(groupId, memberId);
    }

    private void emit(List<ConsumerGroupRecord> records, ConsumerGroupRecord record) {
        records.add(record);
        replay(record);
    }

    // ---------------------------------------------------------------------------------------
    // ConsumerGroupDescribe, DeleteGroups

    /** One group of a ConsumerGroupDescribe response. Produces no records. */
    public Result<DescribedGroup> describe(String groupId, TopicsView topics) {
        return new Result<>(List.of(), queries.describe(groupId, topics));
    }

    /**
     * Deletes an empty group (DeleteGroups; offsets are the integrator's). NONE with the
     * tombstones, GROUP_ID_NOT_FOUND, or NON_EMPTY_GROUP.
     */
    public Result<Errors> deleteGroup(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            return new Result<>(List.of(), Errors.GROUP_ID_NOT_FOUND);
        }
        if (!group.members().isEmpty()) {
            return new Result<>(List.of(), Errors.NON_EMPTY_GROUP);
        }
        List<ConsumerGroupRecord> records = new ArrayList<>();
        emit(records, new TargetAssignmentEpochRemoved(groupId));
        emit(records, new GroupDeleted(groupId));
        return new Result<>(records, Errors.NONE);
    }

    // ---------------------------------------------------------------------------------------
    // Offset commit / fetch validation (the offsets themselves are the integrator's)

    /**
     * Checks an OffsetCommit (v9+) or TxnOffsetCommit from a member of a consumer group.
     *
     * <ul>
     *   <li>GROUP_ID_NOT_FOUND: no such consumer group. Kafka then lets a commit with epoch &lt; 0
     *       create a "simple" classic group (admin/manual-assignment commits); that is the
     *       classic coordinator's business.
     *   <li>epoch &lt; 0 and empty member id (admin client, manual assignment): allowed only while
     *       the group has no members, else UNKNOWN_MEMBER_ID.
     *   <li>unknown member: UNKNOWN_MEMBER_ID; epoch different from the member's: STALE_MEMBER_EPOCH
     *       (the client refreshes its epoch and retries).
     * </ul>
     * Kafka 4.x additionally accepts an older epoch for partitions the member already owned at
     * that epoch; Herald requires the exact epoch.
     */
    public Errors validateOffsetCommit(String groupId, String memberId, int memberEpoch) {
        return queries.validateOffsetCommit(groupId, memberId, memberEpoch);
    }

    /**
     * Checks an OffsetFetch (v9+) that names a member: a fetch without member epoch (-1) is always
     * allowed; otherwise the member must exist (UNKNOWN_MEMBER_ID) at that epoch
     * (STALE_MEMBER_EPOCH). GROUP_ID_NOT_FOUND when there is no such consumer group.
     */
    public Errors validateOffsetFetch(String groupId, String memberId, int memberEpoch) {
        return queries.validateOffsetFetch(groupId, memberId, memberEpoch);
    }

    // ---------------------------------------------------------------------------------------
    // Timers, replay, load

    /**
     * Fires the expired timers: members without a heartbeat for the session timeout are removed;
     * members that kept partitions pending revocation past their rebalance timeout are fenced
     * (removed: their next heartbeat gets UNKNOWN_MEMBER_ID and they rejoin).
     *
     * @return the records to persist (already replayed)
     */
    public List<ConsumerGroupRecord> onTimer(long nowMs) {
        List<ConsumerGroupRecord> records = new ArrayList<>();
        for (MemberKey key : timers.expiredSessions(nowMs)) {
            ConsumerGroup group = groups.get(key.groupId());
            if (group != null && group.member(key.memberId()).isPresent()) {
                removeMember(group, key.memberId(), records);
            }
        }
        for (Map.Entry<MemberKey, RebalanceDeadline> e : timers.expiredRebalances(nowMs)) {
            ConsumerGroup group = groups.get(e.getKey().groupId());
            if (group == null) {
                continue;
            }
            Optional<ConsumerGroup.Member> member = group.member(e.getKey().memberId());
            if (member.isPresent()) {
                CurrentAssignment c = member.get().current();
                if (c.state() == MemberState.UNREVOKED_PARTITIONS && c.memberEpoch() == e.getValue().memberEpoch()) {
                    removeMember(group, e.getKey().memberId(), records);
                }
            }
        }
        return records;
    }

    /** The earliest time {@link #onTimer} has something to do, if any. */
    public Optional<Long> nextDeadlineMs() {
        return timers.nextDeadlineMs();
    }

    /** Applies one record: on load, for each record read from {@code __consumer_offsets}. */
    public void replay(ConsumerGroupRecord record) {
        if (record instanceof GroupDeleted) {
            ConsumerGroup removed = groups.remove(record.groupId());
            if (removed != null) {
                removed.members().keySet().forEach(m -> timers.cancelAll(record.groupId(), m));
            }
            return;
        }
        groups.computeIfAbsent(record.groupId(), ConsumerGroup::new).replay(record);
    }

    /**
     * Arms the timers after loading: every member gets a full session timeout from now, and
     * members with partitions pending revocation a full rebalance timeout, as Kafka does when a
     * coordinator takes over a partition.
     */
    public void onLoaded(long nowMs) {
        timers.clear();
        for (ConsumerGroup group : groups.values()) {
            for (ConsumerGroup.Member m : group.members().values()) {
                int sessionTimeoutMs = groupConfigs.consumer(group.groupId()).sessionTimeoutMs();
                timers.scheduleSession(group.groupId(), m.memberId(), nowMs + sessionTimeoutMs);
                CurrentAssignment c = m.current();
                if (c.state() == MemberState.UNREVOKED_PARTITIONS) {
                    int timeout = m.metadata().map(MemberMetadata::rebalanceTimeoutMs).orElse(sessionTimeoutMs);
                    timers.scheduleRebalance(group.groupId(), m.memberId(), c.memberEpoch(), nowMs + timeout);
                }
            }
        }
    }
}
