package io.herald.group.classic;

import io.herald.common.time.Time;
import io.herald.group.GroupConfig;
import io.herald.group.GroupTimer;
import io.herald.group.RecordSink;
import io.herald.group.RequestContext;
import io.herald.group.record.GroupRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic group protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) for the groups of one
 * {@code __consumer_offsets} partition,
 * following Kafka's {@code GroupMetadataManager} rule for rule: coordinator-assigned member ids (v4+:
 * MEMBER_ID_REQUIRED first), generations, leader election, the initial rebalance delay, rebalance and session
 * timeouts, pending-sync timeouts, {@code group.max.size}, and static membership with member replacement.
 *
 * <p>Parked requests are futures completed later by another request or a timer; no thread waits.
 *
 * <p>Durability follows Kafka's classic groups: membership changes are in-memory; the group's metadata
 * record (members, protocol, assignments) is written when a generation completes (leader's SyncGroup, group
 * becoming empty, static member replacement) through {@link RecordSink#writeApplied} and, as in Kafka, is not
 * replayed in live operation (the state already holds it). {@link #replay} rebuilds a group from that record
 * when a partition loads. If the write fails, the coordinator runtime fails the answers of that operation and
 * reloads the partition from the log, which drops the in-memory membership: the members rejoin, as after a
 * coordinator move.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
public final class ClassicGroupManager {
    private static final Logger log = LoggerFactory.getLogger(ClassicGroupManager.class);

    private final GroupConfig config;
    private final Time time;
    private final GroupTimer timer;
    private final RecordSink sink;
    private final Map<String, ClassicGroup> groups = new HashMap<>();

    public ClassicGroupManager(GroupConfig config, Time time, GroupTimer timer, RecordSink sink) {
        this.config = config;
        this.time = time;
        this.timer = timer;
        this.sink = sink;
    }

    public Optional<ClassicGroup> group(String groupId) {
        return Optional.ofNullable(groups.get(groupId));
    }

    public Collection<ClassicGroup> groups() {
        return groups.values();
    }

    /** The group, created empty if absent (offset commits of simple groups, replay of offsets). */
    public ClassicGroup getOrCreate(String groupId) {
        return groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, time.milliseconds()));
    }

    // ---- JoinGroup ----

    public void joinGroup(RequestContext ctx, JoinGroupRequestData req, CompletableFuture<JoinGroupResponseData> future) {
        String groupId = req.groupId();
        String memberId = req.memberId() == null ? "" : req.memberId();
        if (groupId == null || groupId.isEmpty()) {
            future.complete(joinError(memberId, Errors.INVALID_GROUP_ID));
            return;
        }
        if (req.sessionTimeoutMs() < config.minSessionTimeoutMs()
                || req.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            future.complete(joinError(memberId, Errors.INVALID_SESSION_TIMEOUT));
            return;
        }
        boolean unknownMember = memberId.isEmpty();
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            if (!unknownMember) {
                future.complete(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
                return;
            }
            group = getOrCreate(groupId);
        }
        if (!acceptJoiningMember(group, memberId)) {
            future.complete(joinError(memberId, Errors.GROUP_MAX_SIZE_REACHED));
            return;
        }
        if (unknownMember) {
            joinNewMember(ctx, req, group, future);
        } else {
            joinExistingMember(ctx, req, group, future);
        }
    }

    private boolean acceptJoiningMember(ClassicGroup group, String memberId) {
        return switch (group.state()) {
            case EMPTY, DEAD -> true;
            // Counting members that rejoined (not the group size) kicks out the last ones to rejoin when
            // group.max.size was lowered, as Kafka does.
            case PREPARING_REBALANCE -> (group.hasMember(memberId) && group.member(memberId).isAwaitingJoin())
                    || group.members().stream().filter(ClassicMember::isAwaitingJoin).count() < config.maxSize();
            case COMPLETING_REBALANCE, STABLE -> group.hasMember(memberId) || group.size() < config.maxSize();
        };
    }

    private void joinNewMember(RequestContext ctx, JoinGroupRequestData req, ClassicGroup group,
                               CompletableFuture<JoinGroupResponseData> future) {
        List<ClassicMember.Protocol> protocols = protocols(req);
        if (group.isInState(GroupState.DEAD)) {
            future.complete(joinError("", Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        if (!group.supportsProtocols(req.protocolType(), protocols)) {
            future.complete(joinError("", Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        String newMemberId = ctx.clientId() + "-" + UUID.randomUUID();
        String instanceId = req.groupInstanceId();
        if (instanceId != null) {
            Optional<String> existing = group.staticMemberId(instanceId);
            if (existing.isPresent()) {
                replaceStaticMember(req, group, existing.get(), newMemberId, future);
            } else {
                addMemberThenRebalanceOrCompleteJoin(ctx, req, group, newMemberId, future);
            }
        } else if (ctx.apiVersion() >= 4) {
            // KIP-394: hand out the id first, so a client that times out and retries does not leave a
            // defunct member behind; the pending id expires after the session timeout if never used.
            group.addPendingMember(newMemberId);
            timer.schedule(heartbeatKey(group.groupId(), newMemberId), req.sessionTimeoutMs(),
                    () -> onHeartbeatExpired(group.groupId(), newMemberId));
            future.complete(joinError(newMemberId, Errors.MEMBER_ID_REQUIRED));
        } else {
            addMemberThenRebalanceOrCompleteJoin(ctx, req, group, newMemberId, future);
        }
    }

    private void joinExistingMember(RequestContext ctx, JoinGroupRequestData req, ClassicGroup group,
                                    CompletableFuture<JoinGroupResponseData> future) {
        String memberId = req.memberId();
        List<ClassicMember.Protocol> protocols = protocols(req);
        if (group.isInState(GroupState.DEAD)) {
            future.complete(joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        if (!group.supportsProtocols(req.protocolType(), protocols)) {
            future.complete(joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        if (group.isPendingMember(memberId)) {
            addMemberThenRebalanceOrCompleteJoin(ctx, req, group, memberId, future);
            return;
        }
        Optional<Errors> error = validateExistingMember(group, memberId, req.groupInstanceId());
        if (error.isPresent()) {
            future.complete(joinError(memberId, error.get()));
            return;
        }
        ClassicMember member = group.member(memberId);
        switch (group.state()) {
            case PREPARING_REBALANCE -> updateMemberThenRebalanceOrCompleteJoin(req, group, member, future);
            case COMPLETING_REBALANCE -> {
                if (member.matches(protocols)) {
                    // Same metadata: the member probably lost the JoinGroup response; answer it again.
                    future.complete(currentGenerationResponse(group, member));
                } else {
                    updateMemberThenRebalanceOrCompleteJoin(req, group, member, future);
                }
            }
            case STABLE -> {
                // A rejoining leader forces a rebalance: that is how it reacts to changes that do not show in
                // member metadata (e.g. new partitions of a subscribed topic).
                if (group.isLeader(memberId) || !member.matches(protocols)) {
                    updateMemberThenRebalanceOrCompleteJoin(req, group, member, future);
                } else {
                    future.complete(currentGenerationResponse(group, member));
                }
            }
            case EMPTY, DEAD -> future.complete(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    private JoinGroupResponseData currentGenerationResponse(ClassicGroup group, ClassicMember member) {
        return new JoinGroupResponseData()
                .setMembers(group.isLeader(member.memberId()) ? group.joinResponseMembers() : List.of())
                .setMemberId(member.memberId()).setGenerationId(group.generationId())
                .setProtocolName(group.protocolName().orElse(null)).setProtocolType(group.protocolType().orElse(null))
                .setLeader(group.leaderOrNull()).setErrorCode(Errors.NONE.code());
    }

    private void addMemberThenRebalanceOrCompleteJoin(RequestContext ctx, JoinGroupRequestData req,
                                                      ClassicGroup group, String memberId,
                                                      CompletableFuture<JoinGroupResponseData> future) {
        if (group.size() == 0) {
            group.setProtocolType(req.protocolType());
        }
        ClassicMember member = new ClassicMember(memberId, Optional.ofNullable(req.groupInstanceId()),
                ctx.clientId(), ctx.clientHost(), rebalanceTimeout(req), req.sessionTimeoutMs(), protocols(req));
        member.setNew(true);
        if (group.isInState(GroupState.PREPARING_REBALANCE) && group.previousState() == GroupState.EMPTY) {
            group.setNewMemberAdded(true);
        }
        group.add(member);
        member.awaitJoin(future);
        // A parked first join cannot heartbeat and its disconnect is not seen: time it out so abandoned
        // attempts do not pile up as defunct members (Kafka's new-member join timeout).
        timer.schedule(heartbeatKey(group.groupId(), memberId), config.newMemberJoinTimeoutMs(),
                () -> onHeartbeatExpired(group.groupId(), memberId));
        maybePrepareRebalanceOrCompleteJoin(group, "adding new member " + memberId);
    }

    private void updateMemberThenRebalanceOrCompleteJoin(JoinGroupRequestData req, ClassicGroup group,
                                                         ClassicMember member,
                                                         CompletableFuture<JoinGroupResponseData> future) {
        member.update(protocols(req), rebalanceTimeout(req), req.sessionTimeoutMs());
        // A JoinGroup already parked for this member is superseded; answer it rather than leave it hanging.
        member.completeJoin(joinError(member.memberId(), Errors.REBALANCE_IN_PROGRESS));
        member.awaitJoin(future);
        maybePrepareRebalanceOrCompleteJoin(group, "member " + member.memberId() + " rejoining in "
                + group.state().kafkaName());
    }

    private void replaceStaticMember(JoinGroupRequestData req, ClassicGroup group, String oldMemberId,
                                     String newMemberId, CompletableFuture<JoinGroupResponseData> future) {
        ClassicMember old = group.member(oldMemberId);
        ClassicMember replacement = old.withMemberId(newMemberId);
        replacement.update(protocols(req), rebalanceTimeout(req), req.sessionTimeoutMs());
        group.replaceStaticMember(req.groupInstanceId(), oldMemberId, replacement);
        // The old incarnation may still be parked: fence it now (KIP-345).
        old.completeJoin(joinError(oldMemberId, Errors.FENCED_INSTANCE_ID));
        old.completeSync(new SyncGroupResponseData().setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
        timer.cancel(heartbeatKey(group.groupId(), oldMemberId));
        rescheduleHeartbeat(group, replacement);
        replacement.awaitJoin(future);
        log.info("Static member {} of group {} rejoined as {} (replacing {})", req.groupInstanceId(),
                group.groupId(), newMemberId, oldMemberId);
        switch (group.state()) {
            case STABLE -> {
                if (!group.protocolName().orElse("").equals(group.selectProtocol())) {
                    maybePrepareRebalanceOrCompleteJoin(group, "static member changed the selected protocol");
                    return;
                }
                // Same protocol: the static member keeps its assignment and nobody rebalances; only the new
                // member id needs to be durable.
                sink.writeApplied(metadataRecord(group, ClassicMember::assignment));
                boolean leader = group.isLeader(newMemberId);
                replacement.completeJoin(currentGenerationResponse(group, replacement).setSkipAssignment(leader));
            }
            // The old incarnation may have sent SyncGroup already; start over so everyone agrees.
            case COMPLETING_REBALANCE -> prepareRebalance(group, "static member replaced during CompletingRebalance");
            case PREPARING_REBALANCE -> maybeCompleteJoinPhase(group);
            case EMPTY, DEAD -> throw new IllegalStateException("Group " + group.groupId() + " in state "
                    + group.state() + " has static member " + oldMemberId);
        }
    }

    private void maybePrepareRebalanceOrCompleteJoin(ClassicGroup group, String reason) {
        if (group.canRebalance()) {
            prepareRebalance(group, reason);
        } else {
            maybeCompleteJoinPhase(group);
        }
    }

    private void prepareRebalance(ClassicGroup group, String reason) {
        if (group.isInState(GroupState.COMPLETING_REBALANCE)) {
            resetAndPropagateAssignmentWithError(group, Errors.REBALANCE_IN_PROGRESS);
        }
        timer.cancel(syncKey(group.groupId()));
        boolean initial = group.isInState(GroupState.EMPTY);
        group.transitionTo(GroupState.PREPARING_REBALANCE, time.milliseconds());
        log.info("Preparing to rebalance group {} in generation {}: {}", group.groupId(), group.generationId(),
                reason);
        String groupId = group.groupId();
        if (initial) {
            // group.initial.rebalance.delay.ms: let the other members of a starting application join first,
            // instead of rebalancing once per member.
            int delay = config.initialRebalanceDelayMs();
            int remaining = Math.max(rebalanceTimeout(group) - delay, 0);
            group.setNewMemberAdded(false);
            timer.schedule(joinKey(groupId), delay, () -> tryCompleteInitialRebalance(groupId, delay, remaining));
        } else {
            timer.schedule(joinKey(groupId), rebalanceTimeout(group), () -> onJoinTimeout(groupId));
            maybeCompleteJoinPhase(group);
        }
    }

    private void tryCompleteInitialRebalance(String groupId, int delayMs, int remainingMs) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || !group.isInState(GroupState.PREPARING_REBALANCE)) {
            return;
        }
        if (group.newMemberAdded() && remainingMs != 0) {
            group.setNewMemberAdded(false);
            int newDelay = Math.min(config.initialRebalanceDelayMs(), remainingMs);
            int newRemaining = Math.max(remainingMs - delayMs, 0);
            timer.schedule(joinKey(groupId), newDelay, () -> tryCompleteInitialRebalance(groupId, newDelay,
                    newRemaining));
        } else {
            completeJoin(group);
        }
    }

    private void onJoinTimeout(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group != null) {
            completeJoin(group);
        }
    }

    private void maybeCompleteJoinPhase(ClassicGroup group) {
        // The initial rebalance always waits out its delay (previous state Empty).
        if (group.isInState(GroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()
                && group.previousState() != GroupState.EMPTY) {
            completeJoin(group);
        }
    }

    private void completeJoin(ClassicGroup group) {
        timer.cancel(joinKey(group.groupId()));
        if (!group.isInState(GroupState.PREPARING_REBALANCE)) {
            return;
        }
        // Dynamic members that did not rejoin within the rebalance timeout are out; static members stay
        // (they are expected back and are removed by their session timeout).
        for (ClassicMember m : List.copyOf(group.members())) {
            if (!m.isAwaitingJoin() && !m.isStatic()) {
                log.info("Removing member {} from group {}: it did not rejoin in time", m.memberId(),
                        group.groupId());
                m.completeSync(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
                group.remove(m.memberId());
                timer.cancel(heartbeatKey(group.groupId(), m.memberId()));
            }
        }
        if (!group.maybeElectNewJoinedLeader() && group.size() > 0) {
            // Nobody rejoined: wait for session timeouts to remove the silent members.
            timer.schedule(joinKey(group.groupId()), rebalanceTimeout(group), () -> onJoinTimeout(group.groupId()));
            return;
        }
        group.initNextGeneration(time.milliseconds());
        if (group.isInState(GroupState.EMPTY)) {
            log.info("Group {} with generation {} is now empty", group.groupId(), group.generationId());
            sink.writeApplied(metadataRecord(group, ClassicMember::assignment));
            return;
        }
        log.info("Group {} entered generation {} with {} members (protocol {}, leader {})", group.groupId(),
                group.generationId(), group.size(), group.protocolName().orElse(""), group.leaderOrNull());
        for (ClassicMember m : group.members()) {
            JoinGroupResponseData response = currentGenerationResponse(group, m);
            m.completeJoin(response);
            rescheduleHeartbeat(group, m);
            m.setNew(false);
            group.pendingSyncMembers().add(m.memberId());
        }
        int generation = group.generationId();
        String groupId = group.groupId();
        timer.schedule(syncKey(groupId), rebalanceTimeout(group), () -> onSyncTimeout(groupId, generation));
    }

    private void onSyncTimeout(String groupId, int generation) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || group.generationId() != generation || group.pendingSyncMembers().isEmpty()
                || !(group.isInState(GroupState.COMPLETING_REBALANCE) || group.isInState(GroupState.STABLE))) {
            return;
        }
        List<String> late = List.copyOf(group.pendingSyncMembers());
        for (String memberId : late) {
            ClassicMember m = group.member(memberId);
            m.completeSync(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            group.remove(memberId);
            timer.cancel(heartbeatKey(groupId, memberId));
        }
        maybePrepareRebalanceOrCompleteJoin(group, "removing " + late + " on pending sync request expiration");
    }

    // ---- SyncGroup ----

    public void syncGroup(SyncGroupRequestData req, CompletableFuture<SyncGroupResponseData> future) {
        if (req.groupId() == null || req.groupId().isEmpty()) {
            future.complete(syncError(Errors.INVALID_GROUP_ID));
            return;
        }
        ClassicGroup group = groups.get(req.groupId());
        if (group == null) {
            future.complete(syncError(Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        if (group.isInState(GroupState.DEAD)) {
            future.complete(syncError(Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        Optional<Errors> error = validateExistingMember(group, req.memberId(), req.groupInstanceId());
        if (error.isEmpty() && req.generationId() != group.generationId()) {
            error = Optional.of(Errors.ILLEGAL_GENERATION);
        }
        if (error.isEmpty() && ((req.protocolType() != null
                && !group.protocolType().map(req.protocolType()::equals).orElse(false))
                || (req.protocolName() != null
                && !group.protocolName().map(req.protocolName()::equals).orElse(false)))) {
            error = Optional.of(Errors.INCONSISTENT_GROUP_PROTOCOL);
        }
        if (error.isPresent()) {
            future.complete(syncError(error.get()));
            return;
        }
        ClassicMember member = group.member(req.memberId());
        switch (group.state()) {
            case PREPARING_REBALANCE -> future.complete(syncError(Errors.REBALANCE_IN_PROGRESS));
            case COMPLETING_REBALANCE -> {
                member.completeSync(syncError(Errors.REBALANCE_IN_PROGRESS));
                member.awaitSync(future);
                group.pendingSyncMembers().remove(member.memberId());
                if (group.isLeader(member.memberId())) {
                    completeSync(group, req);
                }
            }
            case STABLE -> {
                group.pendingSyncMembers().remove(member.memberId());
                rescheduleHeartbeat(group, member);
                future.complete(syncResponse(group, member));
            }
            case EMPTY, DEAD -> future.complete(syncError(Errors.UNKNOWN_MEMBER_ID));
        }
    }

    /** The leader's assignment arrived: persist it, then hand every member its part. */
    private void completeSync(ClassicGroup group, SyncGroupRequestData leaderRequest) {
        Map<String, byte[]> assignments = new HashMap<>();
        for (SyncGroupRequestData.SyncGroupRequestAssignment a : leaderRequest.assignments()) {
            assignments.put(a.memberId(), a.assignment());
        }
        // Members the leader left out get an empty assignment, as in Kafka.
        Function<ClassicMember, byte[]> assignmentOf = m -> assignments.getOrDefault(m.memberId(), new byte[0]);
        // If this write fails the runtime reloads the partition: the members' answers fail with it and they
        // rejoin, as after a coordinator move.
        sink.writeApplied(metadataRecord(group, assignmentOf));
        for (ClassicMember m : group.members()) {
            m.setAssignment(assignmentOf.apply(m));
        }
        group.transitionTo(GroupState.STABLE, time.milliseconds());
        for (ClassicMember m : group.members()) {
            if (m.completeSync(syncResponse(group, m))) {
                rescheduleHeartbeat(group, m);
            }
        }
        log.info("Group {} is stable in generation {}", group.groupId(), group.generationId());
    }

    private void resetAndPropagateAssignmentWithError(ClassicGroup group, Errors error) {
        for (ClassicMember m : group.members()) {
            m.setAssignment(new byte[0]);
            m.completeSync(syncError(error));
        }
    }

    private static SyncGroupResponseData syncResponse(ClassicGroup group, ClassicMember member) {
        return new SyncGroupResponseData().setErrorCode(Errors.NONE.code()).setAssignment(member.assignment())
                .setProtocolType(group.protocolType().orElse(null)).setProtocolName(group.protocolName().orElse(null));
    }

    private static SyncGroupResponseData syncError(Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
    }

    // ---- Heartbeat ----

    public Errors heartbeat(HeartbeatRequestData req) {
        if (req.groupId() == null || req.groupId().isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        ClassicGroup group = groups.get(req.groupId());
        if (group == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.isInState(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        Optional<Errors> error = validateExistingMember(group, req.memberId(), req.groupInstanceId());
        if (error.isPresent()) {
            return error.get();
        }
        if (req.generationId() != group.generationId()) {
            return Errors.ILLEGAL_GENERATION;
        }
        return switch (group.state()) {
            case EMPTY, DEAD -> Errors.UNKNOWN_MEMBER_ID;
            case PREPARING_REBALANCE -> {
                rescheduleHeartbeat(group, group.member(req.memberId()));
                yield Errors.REBALANCE_IN_PROGRESS;
            }
            // Heartbeats may start right after the JoinGroup response, in CompletingRebalance.
            case COMPLETING_REBALANCE, STABLE -> {
                rescheduleHeartbeat(group, group.member(req.memberId()));
                yield Errors.NONE;
            }
        };
    }

    // ---- LeaveGroup ----

    public LeaveGroupResponseData leaveGroup(RequestContext ctx, LeaveGroupRequestData req) {
        List<LeaveGroupRequestData.MemberIdentity> leaving = ctx.apiVersion() >= 3 ? req.members()
                : List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(req.memberId()));
        LeaveGroupResponseData response = new LeaveGroupResponseData().setErrorCode(Errors.NONE.code());
        if (req.groupId() == null || req.groupId().isEmpty()) {
            return response.setErrorCode(Errors.INVALID_GROUP_ID.code());
        }
        ClassicGroup group = groups.get(req.groupId());
        if (group != null && group.isInState(GroupState.DEAD)) {
            return response.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
        for (LeaveGroupRequestData.MemberIdentity identity : leaving) {
            Errors error = group == null ? Errors.UNKNOWN_MEMBER_ID : leave(group, identity);
            response.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId(identity.memberId())
                    .setGroupInstanceId(identity.groupInstanceId()).setErrorCode(error.code()));
        }
        return response;
    }

    private Errors leave(ClassicGroup group, LeaveGroupRequestData.MemberIdentity identity) {
        String memberId = identity.memberId() == null ? "" : identity.memberId();
        String instanceId = identity.groupInstanceId();
        if (instanceId != null) {
            Optional<String> existing = group.staticMemberId(instanceId);
            if (existing.isEmpty()) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (!memberId.isEmpty() && !existing.get().equals(memberId)) {
                return Errors.FENCED_INSTANCE_ID;
            }
            memberId = existing.get();
        } else if (group.isPendingMember(memberId)) {
            group.removePendingMember(memberId);
            timer.cancel(heartbeatKey(group.groupId(), memberId));
            maybeCompleteJoinPhase(group);
            return Errors.NONE;
        } else if (!group.hasMember(memberId)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        log.info("Member {} leaves group {}", memberId, group.groupId());
        removeMemberAndUpdateGroup(group, group.member(memberId), "member " + memberId + " left the group");
        return Errors.NONE;
    }

    // ---- expiry ----

    private void onHeartbeatExpired(String groupId, String memberId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || group.isInState(GroupState.DEAD)) {
            return;
        }
        if (group.removePendingMember(memberId)) {
            if (group.isInState(GroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()) {
                completeJoin(group);
            }
            return;
        }
        if (!group.hasMember(memberId)) {
            return;
        }
        ClassicMember member = group.member(memberId);
        if (!member.hasSatisfiedHeartbeat()) {
            log.info("Member {} of group {} has failed (no heartbeat within {} ms), removing it", memberId,
                    groupId, member.isNew() ? config.newMemberJoinTimeoutMs() : member.sessionTimeoutMs());
            removeMemberAndUpdateGroup(group, member, "member " + memberId + " failed its session");
        }
    }

    private void removeMemberAndUpdateGroup(ClassicGroup group, ClassicMember member, String reason) {
        // UNKNOWN_MEMBER_ID makes a still-alive client rejoin from scratch.
        member.completeJoin(joinError("", Errors.UNKNOWN_MEMBER_ID));
        member.completeSync(syncError(Errors.UNKNOWN_MEMBER_ID));
        timer.cancel(heartbeatKey(group.groupId(), member.memberId()));
        group.remove(member.memberId());
        switch (group.state()) {
            case STABLE, COMPLETING_REBALANCE -> maybePrepareRebalanceOrCompleteJoin(group, reason);
            case PREPARING_REBALANCE -> {
                if (group.hasAllMembersJoined()) {
                    completeJoin(group);
                }
            }
            case EMPTY, DEAD -> {
            }
        }
    }

    private void rescheduleHeartbeat(ClassicGroup group, ClassicMember member) {
        String groupId = group.groupId();
        String memberId = member.memberId();
        timer.schedule(heartbeatKey(groupId, memberId), member.sessionTimeoutMs(),
                () -> onHeartbeatExpired(groupId, memberId));
    }

    // ---- validation shared with offset commits ----

    /** Kafka's validateExistingMember: unknown id, or a static member whose id was replaced (fenced). */
    public static Optional<Errors> validateExistingMember(ClassicGroup group, String memberId, String instanceId) {
        if (instanceId == null) {
            return group.hasMember(memberId) ? Optional.empty() : Optional.of(Errors.UNKNOWN_MEMBER_ID);
        }
        Optional<String> existing = group.staticMemberId(instanceId);
        if (existing.isEmpty()) {
            return Optional.of(Errors.UNKNOWN_MEMBER_ID);
        }
        return existing.get().equals(memberId) ? Optional.empty() : Optional.of(Errors.FENCED_INSTANCE_ID);
    }

    /** A successful offset commit by a member counts as a heartbeat, as in Kafka. */
    public void onMemberCommitted(ClassicGroup group, String memberId) {
        if (group.hasMember(memberId) && !group.isInState(GroupState.PREPARING_REBALANCE)) {
            rescheduleHeartbeat(group, group.member(memberId));
        }
    }

    // ---- deletion and replay ----

    /** Marks a deleted group Dead and forgets it; parked requests learn that the coordinator moved on. */
    public void removeGroup(String groupId) {
        ClassicGroup group = groups.remove(groupId);
        if (group != null) {
            drop(group, Errors.COORDINATOR_NOT_AVAILABLE);
        }
    }

    /**
     * Forgets the groups {@code unloaded} selects, without writing anything: their partition is no longer
     * served here. Parked joins and syncs answer NOT_COORDINATOR (the client finds the new coordinator), their
     * timers stop.
     */
    public void unload(Predicate<String> unloaded) {
        for (var it = groups.values().iterator(); it.hasNext(); ) {
            ClassicGroup group = it.next();
            if (unloaded.test(group.groupId())) {
                it.remove();
                drop(group, Errors.NOT_COORDINATOR);
            }
        }
    }

    /** A group leaving this coordinator: answers its parked requests with {@code error}, cancels its timers. */
    private void drop(ClassicGroup group, Errors error) {
        String groupId = group.groupId();
        for (ClassicMember m : group.members()) {
            m.completeJoin(joinError(m.memberId(), error));
            m.completeSync(syncError(error));
            timer.cancel(heartbeatKey(groupId, m.memberId()));
        }
        for (String pending : group.pendingMembers()) {
            timer.cancel(heartbeatKey(groupId, pending));
        }
        timer.cancel(joinKey(groupId));
        timer.cancel(syncKey(groupId));
        group.transitionTo(GroupState.DEAD, time.milliseconds());
    }

    /** Rebuilds a group from its metadata record (partition load); a tombstone removes it. */
    public void replay(GroupRecord.GroupMetadata record) {
        if (record.value().isEmpty()) {
            removeGroup(record.groupId());
            return;
        }
        GroupRecord.GroupMetadataValue v = record.value().get();
        ClassicGroup group = new ClassicGroup(record.groupId(), v.currentStateTimestamp());
        for (GroupRecord.MemberValue mv : v.members()) {
            ClassicMember m = new ClassicMember(mv.memberId(), Optional.ofNullable(mv.groupInstanceId()),
                    mv.clientId(), mv.clientHost(), mv.rebalanceTimeoutMs(), mv.sessionTimeoutMs(),
                    v.protocolName() == null ? List.of()
                            : List.of(new ClassicMember.Protocol(v.protocolName(), mv.subscription())));
            m.setAssignment(mv.assignment());
            group.add(m);
        }
        group.restore(v.members().isEmpty() ? GroupState.EMPTY : GroupState.STABLE, v.protocolType(),
                v.generation(), v.protocolName(), v.leader(), v.currentStateTimestamp());
        groups.put(record.groupId(), group);
    }

    /** After a partition loaded: loaded members must heartbeat within their session timeout. */
    public void onLoaded(Predicate<String> inPartition) {
        for (ClassicGroup group : groups.values()) {
            if (inPartition.test(group.groupId())) {
                for (ClassicMember m : group.members()) {
                    rescheduleHeartbeat(group, m);
                }
            }
        }
    }

    public static GroupRecord.GroupMetadata metadataRecord(ClassicGroup group, Function<ClassicMember, byte[]> assignmentOf) {
        GroupRecord.GroupMetadataValue current = group.toRecordValue();
        List<GroupRecord.MemberValue> members = new ArrayList<>();
        for (GroupRecord.MemberValue mv : current.members()) {
            members.add(new GroupRecord.MemberValue(mv.memberId(), mv.groupInstanceId(), mv.clientId(),
                    mv.clientHost(), mv.rebalanceTimeoutMs(), mv.sessionTimeoutMs(), mv.subscription(),
                    assignmentOf.apply(group.member(mv.memberId()))));
        }
        return new GroupRecord.GroupMetadata(group.groupId(), Optional.of(new GroupRecord.GroupMetadataValue(
                current.protocolType(), current.generation(), current.protocolName(), current.leader(),
                current.currentStateTimestamp(), members)));
    }

    // ---- helpers ----

    private static List<ClassicMember.Protocol> protocols(JoinGroupRequestData req) {
        List<ClassicMember.Protocol> list = new ArrayList<>();
        for (JoinGroupRequestData.JoinGroupRequestProtocol p : req.protocols()) {
            list.add(new ClassicMember.Protocol(p.name(), p.metadata() == null ? new byte[0] : p.metadata()));
        }
        return list;
    }

    /** v0 has no rebalance timeout: Kafka uses the session timeout. */
    private static int rebalanceTimeout(JoinGroupRequestData req) {
        return req.rebalanceTimeoutMs() < 0 ? req.sessionTimeoutMs() : req.rebalanceTimeoutMs();
    }

    private static int rebalanceTimeout(ClassicGroup group) {
        return group.members().stream().mapToInt(ClassicMember::rebalanceTimeoutMs).max().orElse(0);
    }

    public static JoinGroupResponseData joinError(String memberId, Errors error) {
        return new JoinGroupResponseData().setMemberId(memberId).setErrorCode(error.code()).setGenerationId(-1)
                .setProtocolName(null).setProtocolType(null).setLeader("");
    }

    public static String heartbeatKey(String groupId, String memberId) {
        return "heartbeat-" + groupId + "-" + memberId;
    }

    public static String joinKey(String groupId) {
        return "join-" + groupId;
    }

    public static String syncKey(String groupId) {
        return "sync-" + groupId;
    }
}
